// Table columns for host and flow records (the shapes of get/host/active.lua and
// get/flow/active.lua), shared by the pages.
import { h, hostLink } from './dom.js';
import * as fmt from './format.js';

export function hostColumns(config, { brief = false } = {}) {
  const cols = [
    { label: 'Host', sort: 'ip', render: (r) => hostLink(config, r.ip, r.name, r.vlan) },
    { label: 'Address', render: (r) => r.ip },
  ];
  if (!brief) {
    cols.push(
      { label: 'Country', sort: 'country', render: (r) => r.country || '' },
      { label: 'Flows', sort: 'num_flows', num: true, render: (r) => fmt.number(r.num_flows?.total) },
      { label: 'First seen', sort: 'since', render: (r) => fmt.epoch(r.first_seen) },
      { label: 'Last seen', sort: 'last', render: (r) => fmt.epoch(r.last_seen) },
      { label: 'Throughput', sort: 'thpt', num: true, render: (r) => fmt.bps(r.thpt?.bps) },
      { label: 'Sent', num: true, render: (r) => fmt.bytes(r.bytes?.sent) },
      { label: 'Received', num: true, render: (r) => fmt.bytes(r.bytes?.recvd) });
  }
  cols.push({ label: 'Traffic', sort: 'traffic', num: true, render: (r) => fmt.bytes(r.bytes?.total) });
  return cols;
}

function endpoint(config, e, vlan) {
  return h('span', { class: 'endpoint' }, hostLink(config, e.ip, e.name, vlan), e.port ? `:${e.port}` : '');
}

export function flowColumns(config, { brief = false } = {}) {
  const cols = [
    { label: 'Application', sort: 'ndpi', render: (r) => r.protocol?.l7 || '' },
    { label: 'L4', sort: 'proto_l4', render: (r) => r.protocol?.l4 || '' },
    { label: 'Client', sort: 'client', render: (r) => endpoint(config, r.client, r.vlan) },
    { label: 'Server', sort: 'server', render: (r) => endpoint(config, r.server, r.vlan) },
  ];
  if (!brief) {
    cols.push(
      { label: 'Duration', sort: 'duration', num: true, render: (r) => fmt.duration(r.duration) },
      { label: 'Throughput', sort: 'thpt', num: true, render: (r) => fmt.bps(r.thpt?.bps) },
      { label: 'Info', render: (r) => r.info || '' });
  }
  cols.push({ label: 'Bytes', sort: 'bytes', num: true, render: (r) => fmt.bytes(r.bytes) });
  return cols;
}
