// A table whose rows come from the server a page at a time, sorted by the server.
// columns: [{label, render(row) -> Node|string, sort (server column name), num (align right)}].
import { h, fill } from './dom.js';

export class Table {
  constructor(columns, { sort, order = 'desc', perPage = 25, paged = true, onChange } = {}) {
    this.columns = columns;
    this.sort = sort;
    this.order = order;
    this.perPage = perPage;
    this.page = 1;
    this.paged = paged;
    this.onChange = onChange;
    this.head = h('thead');
    this.body = h('tbody');
    this.pager = h('div', { class: 'pager' });
    this.el = h('div', { class: 'table-wrap' }, h('table', { class: 'data' }, this.head, this.body), paged ? this.pager : null);
    this.drawHead();
  }

  // Parameters of ntopng's paged endpoints.
  params() {
    const p = { currentPage: this.page, perPage: this.perPage };
    if (this.sort) Object.assign(p, { sortColumn: this.sort, sortOrder: this.order });
    return p;
  }

  drawHead() {
    const cells = this.columns.map((c) => {
      if (!c.sort) return h('th', { class: c.num ? 'num' : '' }, c.label);
      const active = c.sort === this.sort;
      const mark = active ? (this.order === 'asc' ? ' ▲' : ' ▼') : '';
      return h('th', { class: `sortable${c.num ? ' num' : ''}`, 'aria-sort': active ? (this.order === 'asc' ? 'ascending' : 'descending') : null },
        h('button', { type: 'button', 'data-sort': c.sort, onclick: () => this.sortBy(c.sort) }, c.label + mark));
    });
    fill(this.head, h('tr', {}, cells));
  }

  sortBy(column) {
    if (this.sort === column) this.order = this.order === 'asc' ? 'desc' : 'asc';
    else {
      this.sort = column;
      this.order = 'desc';
    }
    this.page = 1;
    this.drawHead();
    if (this.onChange) this.onChange();
  }

  goTo(page) {
    this.page = page;
    if (this.onChange) this.onChange();
  }

  // rows: the page's records; total: every record (null when unknown).
  set(rows, total) {
    if (rows.length === 0) {
      fill(this.body, h('tr', {}, h('td', { colspan: this.columns.length, class: 'empty' }, 'Nothing to show.')));
    } else {
      fill(this.body, rows.map((r) => h('tr', {}, this.columns.map((c) => h('td', { class: c.num ? 'num' : '' }, c.render(r))))));
    }
    if (!this.paged) return;
    const first = rows.length ? (this.page - 1) * this.perPage + 1 : 0;
    const last = (this.page - 1) * this.perPage + rows.length;
    const hasNext = total == null ? rows.length === this.perPage : last < total;
    fill(this.pager,
      h('button', { type: 'button', disabled: this.page <= 1, onclick: () => this.goTo(this.page - 1) }, '‹ Previous'),
      h('span', {}, `${first}–${last}${total == null ? '' : ` of ${total}`}`),
      h('button', { type: 'button', disabled: !hasNext, onclick: () => this.goTo(this.page + 1) }, 'Next ›'));
  }
}
