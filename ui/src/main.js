// The web UI's one entry: reads the page's configuration and draws the page it names.
import './style.css';
import { config, appRoot } from './config.js';
import { frame } from './layout.js';

const PAGES = {
  dashboard: ['Dashboard', () => import('./pages/dashboard.js')],
  hosts: ['Hosts', () => import('./pages/hosts.js')],
  host: ['Host', () => import('./pages/host.js')],
  flows: ['Flows', () => import('./pages/flows.js')],
  interface: ['Interface', () => import('./pages/interface.js')],
  prefs: ['Preferences', () => import('./pages/prefs.js')],
  users: ['Users', () => import('./pages/users.js')],
  tokens: ['API token', () => import('./pages/tokens.js')],
};

async function start() {
  const entry = PAGES[config.page];
  if (!appRoot || !entry) return;
  const f = frame(config, entry[0]);
  f.mount(appRoot);
  const mod = await entry[1]();
  mod.default(config, f);
}

start();
