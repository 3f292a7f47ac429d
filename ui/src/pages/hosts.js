// The hosts table: sorted and paged by the server (get/host/active.lua).
import { getRoute } from '../api.js';
import { every } from '../poller.js';
import { hostColumns } from '../columns.js';
import { Table } from '../table.js';

export default function hosts(config, frame) {
  let refresh = () => {};
  const table = new Table(hostColumns(config), {
    sort: 'traffic', perPage: config.prefs.rows_per_page, onChange: () => refresh(),
  });
  frame.main.append(table.el);
  const load = async () => {
    const { rsp } = await getRoute('hosts', table.params());
    table.set(rsp.data, rsp.totalRows ?? null);
  };
  refresh = () => load().then(() => frame.error(null), frame.error);
  every(Math.max(5, config.prefs.refresh_secs), load, frame.error);
}
