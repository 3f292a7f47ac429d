// One host: its traffic as the page stays open, its applications, flows and peers, and where
// it is (country, city, AS) when the GeoIP databases know. One request per refresh: the host's
// data (get/host/data.lua) each round, its flows (get/flow/active.lua?host=) every fifth round
// instead; peers are the other ends of those flows.
import { h, fill, hostLink } from '../dom.js';
import { cards, section, facts } from '../layout.js';
import { getRoute } from '../api.js';
import { every } from '../poller.js';
import { rateChart, barChart } from '../charts.js';
import { flowColumns } from '../columns.js';
import { Table } from '../table.js';
import * as fmt from '../format.js';

const FLOWS_EVERY = 5;

export default function host(config, frame) {
  const params = new URLSearchParams(window.location.search);
  const ip = params.get('host') || '';
  const vlan = params.get('vlan') || undefined;
  const title = frame.main.querySelector('h1');
  fill(title, `Host ${ip}`);

  const figures = cards([
    { label: 'Name', id: 'name' },
    { label: 'Sent', id: 'sent' },
    { label: 'Received', id: 'rcvd' },
    { label: 'Active flows', id: 'flows' },
  ]);
  const about = h('div', { id: 'host-facts' });
  const chartEl = h('div', { class: 'chart', id: 'chart-host' });
  const appsEl = h('div', { class: 'chart', id: 'chart-host-apps' });
  const appsTable = new Table([
    { label: 'Application', render: (r) => r.name },
    { label: 'Breed', render: (r) => r.breed },
    { label: 'Sent', num: true, render: (r) => fmt.bytes(r.sent) },
    { label: 'Received', num: true, render: (r) => fmt.bytes(r.rcvd) },
    { label: 'Total', num: true, render: (r) => fmt.bytes(r.sent + r.rcvd) },
  ], { paged: false });
  const flows = new Table(flowColumns(config), { paged: false });
  const peers = new Table([
    { label: 'Peer', render: (r) => hostLink(config, r.ip, r.name, r.vlan) },
    { label: 'Flows', num: true, render: (r) => fmt.number(r.flows) },
    { label: 'Bytes', num: true, render: (r) => fmt.bytes(r.bytes) },
  ], { paged: false });
  frame.main.append(figures.el,
    h('div', { class: 'grid2' }, section('Traffic while this page is open', chartEl), section('About', about)),
    h('div', { class: 'grid2' }, section('Applications', appsEl, appsTable.el), section('Peers', peers.el)),
    section('Flows (largest 50)', flows.el));

  const traffic = rateChart(chartEl, 'host', ['Sent', 'Received'], config.prefs.chart_points);
  const apps = barChart(appsEl, 'host-apps');
  let last = null;

  function showHost(d) {
    const now = Date.now();
    if (last) {
      const secs = (now - last.t) / 1000;
      traffic.push(now, [
        Math.max(0, ((d['bytes.sent'] - last.sent) * 8) / secs),
        Math.max(0, ((d['bytes.rcvd'] - last.rcvd) * 8) / secs),
      ]);
    }
    last = { t: now, sent: d['bytes.sent'], rcvd: d['bytes.rcvd'] };
    figures.set('name', d.name || d.ip);
    figures.set('sent', fmt.bytes(d['bytes.sent']));
    figures.set('rcvd', fmt.bytes(d['bytes.rcvd']));
    figures.set('flows', fmt.number((d['active_flows.as_client'] || 0) + (d['active_flows.as_server'] || 0)));
    const as = d.asn ? `AS${d.asn}${d.asname ? ` ${d.asname}` : ''}` : '';
    fill(about, facts([
      ['Address', d.ip],
      ['Name', d.name],
      ['VLAN', d.vlan || ''],
      ['MAC', d.mac && d.mac !== '00:00:00:00:00:00' ? d.mac : ''],
      ['Local', d.localhost ? 'yes' : 'no'],
      ['Country', d.country],
      ['City', d.city],
      ['Continent', d.continent],
      ['Location', d.latitude || d.longitude ? `${d.latitude}, ${d.longitude}` : ''],
      ['Autonomous system', as],
      ['First seen', fmt.epoch(d['seen.first'])],
      ['Last seen', fmt.epoch(d['seen.last'])],
      ['Flows since seen', fmt.number((d['total_flows.as_client'] || 0) + (d['total_flows.as_server'] || 0))],
    ]));
    const rows = Object.entries(d.ndpi || {}).map(([name, a]) => ({
      name, breed: a.breed || '', sent: a['bytes.sent'] || 0, rcvd: a['bytes.rcvd'] || 0,
    })).sort((a, b) => b.sent + b.rcvd - (a.sent + a.rcvd));
    appsTable.set(rows);
    apps.set(rows.slice(0, 10).map((r) => ({ label: r.name, value: r.sent + r.rcvd })));
  }

  function showFlows(data) {
    flows.set(data);
    const byPeer = new Map();
    for (const f of data) {
      const other = f.client.ip === ip ? f.server : f.client;
      const p = byPeer.get(other.ip) || { ip: other.ip, name: other.name, vlan: f.vlan, flows: 0, bytes: 0 };
      p.flows += 1;
      p.bytes += f.bytes || 0;
      byPeer.set(other.ip, p);
    }
    peers.set([...byPeer.values()].sort((a, b) => b.bytes - a.bytes));
  }

  every(config.prefs.refresh_secs, async (n) => {
    if (n % FLOWS_EVERY === 1) {
      const { rsp } = await getRoute('flows', { host: vlan ? `${ip}@${vlan}` : ip, perPage: 50, sortColumn: 'bytes', sortOrder: 'desc' });
      showFlows(rsp.data);
    } else {
      const { rsp } = await getRoute('host', { host: ip, vlan });
      showHost(rsp);
    }
  }, frame.error);
}
