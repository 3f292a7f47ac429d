// The page's configuration, written by scripts/lua/modules/ui_page.lua into #app's data-config.
const root = document.getElementById('app');

export const config = JSON.parse(root?.dataset.config || '{}');
export const appRoot = root;
