// User administration (administrators): the users, a form to add one, and per user: role,
// new password, delete (get/ntopng/users.lua, add/ edit/ delete/ntopng/user.lua).
import { h, fill } from '../dom.js';
import { section } from '../layout.js';
import { get, post } from '../api.js';
import { Table } from '../table.js';

const ROLES = [['administrator', 'Administrator'], ['unprivileged', 'Unprivileged'], ['captive_portal', 'Captive portal']];

export default function users(config, frame) {
  const note = h('p', { role: 'status', id: 'users-note' });
  const say = (text) => fill(note, text);
  const act = async (what, fn) => {
    try {
      await fn();
      say(`${what}: done.`);
    } catch (e) {
      say(`${what}: ${e.message}.`);
    }
    load();
  };

  const roleSelect = (u) => h('select', {
    'aria-label': `Role of ${u.username}`,
    onchange: (e) => act(`Role of ${u.username}`, () => post('edit/ntopng/user.lua', { username: u.username, user_role: e.target.value })),
  }, ROLES.map(([v, label]) => h('option', { value: v, selected: u.group === v }, label)));

  const passwordButton = (u) => h('button', {
    type: 'button',
    onclick: () => {
      const pw = window.prompt(`New password for ${u.username}`);
      if (pw) act(`Password of ${u.username}`, () => post('edit/ntopng/user.lua', { username: u.username, password: pw, confirm_password: pw }));
    },
  }, 'Set password');

  const deleteButton = (u) => h('button', {
    type: 'button',
    class: 'danger',
    onclick: () => {
      if (window.confirm(`Delete user ${u.username}?`)) act(`Deleting ${u.username}`, () => post('delete/ntopng/user.lua', { username: u.username }));
    },
  }, 'Delete');

  const table = new Table([
    { label: 'User', render: (u) => u.username },
    { label: 'Full name', render: (u) => u.full_name || '' },
    { label: 'Role', render: roleSelect },
    { label: 'Networks', render: (u) => u.allowed_nets || 'all' },
    { label: 'Interface', render: (u) => u.allowed_ifname || 'all' },
    { label: 'Two-factor', render: (u) => (u.totp_enabled ? 'on' : 'off') },
    { label: '', render: (u) => [passwordButton(u), ' ', deleteButton(u)] },
  ], { paged: false });

  const field = (name, label, attrs = {}) => h('label', {}, label, h('input', { name, ...attrs }));
  const addForm = h('form', { class: 'stacked', id: 'add-user', onsubmit: (e) => {
    e.preventDefault();
    const data = Object.fromEntries(new FormData(addForm).entries());
    act(`Adding ${data.username}`, async () => {
      await post('add/ntopng/user.lua', data);
      addForm.reset();
    });
  } },
  field('username', 'User name', { required: true, pattern: '[A-Za-z0-9_@\\-]{1,64}' }),
  field('full_name', 'Full name'),
  field('password', 'Password', { type: 'password', required: true, autocomplete: 'new-password' }),
  field('confirm_password', 'Password again', { type: 'password', required: true, autocomplete: 'new-password' }),
  h('label', {}, 'Role', h('select', { name: 'user_role' }, ROLES.map(([v, label]) => h('option', { value: v, selected: v === 'unprivileged' }, label)))),
  field('allowed_networks', 'Allowed networks (CIDRs, comma separated; empty: all)'),
  field('allowed_interface', 'Allowed interface (empty: all)'),
  h('button', { type: 'submit' }, 'Add user'));

  async function load() {
    try {
      const { rsp } = await get('get/ntopng/users.lua');
      table.set(Object.entries(rsp).map(([username, u]) => ({ username, ...u })).sort((a, b) => a.username.localeCompare(b.username)));
    } catch (e) {
      say(`Could not list users: ${e.message}`);
    }
  }
  frame.main.append(note, section('Users', table.el), section('Add a user', addForm));
  load();
}
