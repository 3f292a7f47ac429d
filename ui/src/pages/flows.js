// The flows table, filtered by application, L4 protocol and host, sorted and paged by the
// server (get/flow/active.lua). The filters are kept in the page's address.
import { h } from '../dom.js';
import { getRoute } from '../api.js';
import { every } from '../poller.js';
import { flowColumns } from '../columns.js';
import { Table } from '../table.js';

const L4 = [['', 'Any'], ['6', 'TCP'], ['17', 'UDP'], ['1', 'ICMP'], ['58', 'ICMPv6'], ['132', 'SCTP'], ['47', 'GRE'], ['50', 'ESP'], ['2', 'IGMP']];

export default function flows(config, frame) {
  const url = new URLSearchParams(window.location.search);
  const known = new Set();
  const appList = h('datalist', { id: 'apps-seen' });
  const app = h('input', { name: 'application', list: 'apps-seen', placeholder: 'e.g. TLS', value: url.get('application') || '', size: 14 });
  const l4 = h('select', { name: 'l4proto' }, L4.map(([v, label]) => h('option', { value: v, selected: (url.get('l4proto') || '') === v }, label)));
  const host = h('input', { name: 'host', placeholder: 'address', value: url.get('host') || '', size: 18 });
  let refresh = () => {};
  const form = h('form', { class: 'filters', onsubmit: (e) => { e.preventDefault(); table.page = 1; refresh(); } },
    h('label', {}, 'Application ', app), appList,
    h('label', {}, 'L4 protocol ', l4),
    h('label', {}, 'Host ', host),
    h('button', { type: 'submit' }, 'Filter'),
    h('button', { type: 'button', onclick: () => { app.value = ''; l4.value = ''; host.value = ''; table.page = 1; refresh(); } }, 'Clear'));
  const count = h('p', { class: 'muted', id: 'flows-count' });
  const table = new Table(flowColumns(config), {
    sort: url.get('sortColumn') || 'bytes', order: url.get('sortOrder') || 'desc',
    perPage: config.prefs.rows_per_page, onChange: () => refresh(),
  });
  frame.main.append(form, count, table.el);

  const filters = () => ({ application: app.value.trim(), l4proto: l4.value, host: host.value.trim() });
  const load = async () => {
    const f = filters();
    const q = new URLSearchParams({ ifid: String(config.ifid) });
    for (const [k, v] of Object.entries({ ...f, sortColumn: table.sort, sortOrder: table.order })) if (v) q.set(k, v);
    window.history.replaceState(null, '', `${window.location.pathname}?${q}`);
    const { rsp } = await getRoute('flows', { ...table.params(), ...f });
    table.set(rsp.data, rsp.totalRows ?? null);
    count.textContent = rsp.totalRows != null ? `${rsp.totalRows} flows match.` : '';
    for (const r of rsp.data) {
      const name = (r.protocol?.l7 || '').split('.').pop();
      if (name && !known.has(name)) {
        known.add(name);
        appList.append(h('option', { value: name }));
      }
    }
  };
  refresh = () => load().then(() => frame.error(null), frame.error);
  every(Math.max(5, config.prefs.refresh_secs), load, frame.error);
}
