// The web UI's preferences (administrators): refresh period, table rows, chart length.
import { h, fill } from '../dom.js';
import { post } from '../api.js';

const FIELDS = [
  ['refresh_secs', 'Refresh every (seconds)', 1, 60],
  ['rows_per_page', 'Table rows per page', 5, 200],
  ['chart_points', 'Points kept by live charts', 30, 3600],
];

export default function prefs(config, frame) {
  const note = h('p', { role: 'status', id: 'prefs-note' });
  const inputs = {};
  const form = h('form', { class: 'stacked', onsubmit: async (e) => {
    e.preventDefault();
    const body = {};
    for (const [name] of FIELDS) body[name] = Number(inputs[name].value);
    try {
      const { rsp } = await post('set/flowlens/prefs.lua', body);
      Object.assign(config.prefs, rsp);
      fill(note, 'Saved.');
    } catch (err) {
      fill(note, `Not saved: ${err.message}`);
    }
  } },
  FIELDS.map(([name, label, min, max]) => {
    inputs[name] = h('input', { type: 'number', name, min, max, required: true, value: String(config.prefs[name]) });
    return h('label', {}, label, inputs[name]);
  }),
  h('button', { type: 'submit' }, 'Save'));
  frame.main.append(form, note);
}
