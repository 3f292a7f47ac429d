// Builds the web UI into ../httpdocs/dist: one entry (src/main.js) whose file names carry a
// content hash, found by the Lua pages through .vite/manifest.json (scripts/lua/modules/ui_page.lua).
// Everything is bundled: no CDN, the UI works offline.
import { defineConfig } from 'vite';

export default defineConfig({
  base: './', // chunks load relative to the entry, so --http-prefix needs no rebuild
  publicDir: false,
  build: {
    outDir: '../httpdocs/dist',
    emptyOutDir: true,
    manifest: true,
    target: 'es2020',
    chunkSizeWarningLimit: 1000,
    rollupOptions: { input: 'src/main.js' },
  },
});
