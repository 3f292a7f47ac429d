// The frame around every page: navigation, interface choice, user menu, and an error line.
import { h, fill, pageUrl } from './dom.js';

export function frame(config, title) {
  const nav = [
    ['index', 'Dashboard', 'dashboard'],
    ['hosts_stats', 'Hosts', 'hosts'],
    ['flows_stats', 'Flows', 'flows'],
    ['if_stats', 'Interface', 'interface'],
  ];
  if (config.admin) nav.push(['admin/users', 'Users', 'users'], ['admin/prefs', 'Preferences', 'prefs']);

  const ifSelect = h('select', {
    'aria-label': 'Interface',
    onchange: (e) => {
      const q = new URLSearchParams(window.location.search);
      q.set('ifid', e.target.value);
      window.location.search = q.toString();
    },
  }, config.interfaces.map((i) => h('option', { value: String(i.ifid), selected: i.ifid === config.ifid }, i.name)));

  const lua = (p) => `${config.prefix}/lua/${p}.lua`;
  const userMenu = h('details', { class: 'user-menu' },
    h('summary', {}, config.user),
    h('ul', {},
      h('li', {}, h('a', { href: lua('api_tokens') }, 'API token')),
      config.session ? h('li', {}, h('a', { href: lua('totp') }, 'Two-factor login')) : null,
      config.session ? h('li', {}, h('a', { href: lua('change_password') }, 'Change password')) : null,
      config.session ? h('li', {}, h('a', { href: lua('logout'), id: 'logout' }, 'Log out')) : null));

  const header = h('header', { class: 'top' },
    h('a', { class: 'brand', href: lua('index') }, 'flowlens'),
    h('nav', {}, nav.map(([p, label, page]) => h('a', { href: pageUrl(config, p), class: page === config.page ? 'active' : '' }, label))),
    h('div', { class: 'spacer' }),
    config.interfaces.length > 1 ? ifSelect : h('span', { class: 'ifname' }, config.interfaces[0]?.name || ''),
    userMenu);
  const status = h('div', { class: 'status', role: 'status' });
  const main = h('main', {}, h('h1', {}, title));
  document.title = `${title} · flowlens`;
  return {
    header,
    main,
    // Shows the error of the last round, or clears it (null).
    error(e) {
      if (!e) {
        fill(status);
        status.classList.remove('shown');
      } else {
        fill(status, `Could not update: ${e.message}`);
        status.classList.add('shown');
      }
    },
    mount(root) {
      fill(root, header, status, main);
    },
  };
}

// Key figures: cards([{label, id}]) -> {el, set(id, text)}.
export function cards(items) {
  const values = {};
  const el = h('div', { class: 'cards' }, items.map(({ label, id }) => {
    values[id] = h('div', { class: 'value', id: `card-${id}` }, '–');
    return h('div', { class: 'card' }, h('div', { class: 'label' }, label), values[id]);
  }));
  return { el, set: (id, text) => fill(values[id], text) };
}

// A titled section.
export function section(title, ...children) {
  return h('section', { class: 'panel' }, h('h2', {}, title), children);
}

// Name / value pairs: rows([[label, value]]) skipping empty values.
export function facts(rows) {
  return h('dl', { class: 'facts' }, rows
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}
