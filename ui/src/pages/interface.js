// The selected interface: its counters, its throughput while the page is open and its traffic by
// L4 protocol (get/interface/data.lua, one request per refresh).
import { h, fill } from '../dom.js';
import { section, facts } from '../layout.js';
import { getRoute } from '../api.js';
import { every } from '../poller.js';
import { rateChart } from '../charts.js';
import { Table } from '../table.js';
import * as fmt from '../format.js';

export default function iface(config, frame) {
  const about = h('div', { id: 'if-facts' });
  const chartEl = h('div', { class: 'chart', id: 'chart-interface' });
  const l4 = new Table([
    { label: 'Protocol', render: (r) => r.name },
    { label: 'Flows', num: true, render: (r) => fmt.number(r.num_flows) },
    { label: 'Packets', num: true, render: (r) => fmt.number(r.packets) },
    { label: 'Bytes', num: true, render: (r) => fmt.bytes(r.bytes) },
  ], { paged: false });
  const l4Section = section('Traffic by L4 protocol', l4.el);
  frame.main.append(h('div', { class: 'grid2' }, section('Counters', about), section('Throughput', chartEl)), l4Section);
  const chart = rateChart(chartEl, 'interface', ['Throughput'], config.prefs.chart_points);

  every(config.prefs.refresh_secs, async () => {
    const { rsp: d } = await getRoute('interface', {});
    chart.push((d.epoch || Date.now() / 1000) * 1000, [d.throughput_bps || 0]);
    fill(about, facts([
      ['Name', d.ifname],
      ['Type', d.type],
      ['Up for', d.uptime],
      ['Throughput', `${fmt.bps(d.throughput_bps)} · ${fmt.pps(d.throughput_pps)}`],
      ['Active hosts', `${fmt.number(d.num_hosts)} (${fmt.number(d.num_local_hosts)} local)`],
      ['Active flows', fmt.number(d.num_flows)],
      ['MAC addresses', d.num_devices != null ? fmt.number(d.num_devices) : ''],
      ['Traffic', `${fmt.bytes(d.bytes)} · ${fmt.number(d.packets)} packets`],
      ['Dropped by the kernel', fmt.number(d.drops ?? d.tot_pkt_drops)],
      ['Malformed frames', d.malformed != null ? fmt.number(d.malformed) : ''],
      ['Fragments', d.fragments != null ? fmt.number(d.fragments) : ''],
      ['Non-IP frames', d.non_ip_packets != null ? fmt.number(d.non_ip_packets) : ''],
      ['Flows left out (table full)', d.flow_drops ? fmt.number(d.flow_drops) : ''],
      ['Hosts left out (table full)', d.host_drops ? fmt.number(d.host_drops) : ''],
    ]));
    const rows = Object.entries(d.l4_protocols || {}).map(([name, v]) => ({ name, ...v }));
    l4Section.hidden = rows.length === 0;
    l4.set(rows.sort((a, b) => b.bytes - a.bytes));
  }, frame.error);
}
