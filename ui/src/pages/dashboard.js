// The dashboard: one request per refresh (get/flowlens/dashboard.lua) feeds the throughput
// chart, the key figures and the top hosts, applications and flows.
import { h } from '../dom.js';
import { cards, section } from '../layout.js';
import { get } from '../api.js';
import { every } from '../poller.js';
import { rateChart, barChart } from '../charts.js';
import { hostColumns, flowColumns } from '../columns.js';
import { Table } from '../table.js';
import * as fmt from '../format.js';

export default function dashboard(config, frame) {
  const figures = cards([
    { label: 'Throughput', id: 'bps' },
    { label: 'Packets/s', id: 'pps' },
    { label: 'Active hosts', id: 'hosts' },
    { label: 'Active flows', id: 'flows' },
    { label: 'Traffic', id: 'bytes' },
    { label: 'Packets', id: 'packets' },
  ]);
  const thptEl = h('div', { class: 'chart', id: 'chart-throughput' });
  const appsEl = h('div', { class: 'chart', id: 'chart-apps' });
  const hosts = new Table(hostColumns(config, { brief: true }), { paged: false });
  const flows = new Table(flowColumns(config, { brief: true }), { paged: false });
  frame.main.append(
    figures.el,
    h('div', { class: 'grid2' },
      section('Throughput', thptEl),
      section('Top applications (traffic since start)', appsEl)),
    h('div', { class: 'grid2' },
      section('Top hosts', hosts.el),
      section('Top flows', flows.el)));

  const thpt = rateChart(thptEl, 'throughput', ['Throughput'], config.prefs.chart_points);
  const apps = barChart(appsEl, 'apps');

  every(config.prefs.refresh_secs, async () => {
    const { rsp } = await get('get/flowlens/dashboard.lua', { ifid: config.ifid });
    thpt.push(rsp.epoch * 1000, [rsp.throughput_bps]);
    apps.set(rsp.top_apps.map((a) => ({ label: a.name, value: a.bytes })));
    figures.set('bps', fmt.bps(rsp.throughput_bps));
    figures.set('pps', fmt.pps(rsp.throughput_pps));
    figures.set('hosts', fmt.number(rsp.num_hosts));
    figures.set('flows', fmt.number(rsp.num_flows));
    figures.set('bytes', fmt.bytes(rsp.bytes));
    figures.set('packets', fmt.number(rsp.packets));
    hosts.set(rsp.top_hosts);
    flows.set(rsp.top_flows);
  }, frame.error);
}
