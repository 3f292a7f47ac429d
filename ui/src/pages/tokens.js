// The user's REST API token: creating one revokes the previous one; it is shown once.
import { h, fill } from '../dom.js';
import { post } from '../api.js';

export default function tokens(config, frame) {
  const out = h('div', { id: 'token-out' });
  const create = async () => {
    try {
      const { rsp } = await post('create/ntopng/api_token.lua', { username: config.user });
      const origin = window.location.origin + config.prefix;
      fill(out,
        h('p', {}, 'Your new token (the previous one no longer works). Copy it now: it is not shown again.'),
        h('pre', { class: 'token' }, rsp.api_token),
        h('p', {}, 'Use it as:'),
        h('pre', {}, `curl -H "Authorization: Token ${rsp.api_token}" ${origin}/lua/rest/v2/get/ntopng/info.lua`));
    } catch (err) {
      fill(out, h('p', { class: 'error' }, `No token: ${err.message}`));
    }
  };
  frame.main.append(
    h('p', {}, `REST scripts can authenticate as ${config.user} with an API token instead of a password.`),
    h('button', { type: 'button', id: 'create-token', onclick: create }, 'Create a new token'),
    out);
}
