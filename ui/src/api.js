// Requests to flowlens's REST API v2: ntopng's endpoints by their paths and answer shapes
// (docs/api/rest.md), and the dashboard's own aggregate, get/flowlens/dashboard.lua.
import { config } from './config.js';

const ROUTES = {
  hosts: 'get/host/active.lua',
  host: 'get/host/data.lua',
  flows: 'get/flow/active.lua',
  interface: 'get/interface/data.lua',
};

export class ApiError extends Error {
  constructor(status, envelope) {
    super(envelope?.rc_str_hr || `HTTP ${status}`);
    this.status = status;
    this.envelope = envelope;
  }
}

function toLogin() {
  const here = window.location.pathname + window.location.search;
  window.location.assign(`${config.prefix}/lua/login.lua?referer=${encodeURIComponent(here)}`);
}

async function send(path, init) {
  const res = await fetch(`${config.prefix}/lua/rest/v2/${path}`, {
    credentials: 'same-origin',
    ...init,
    headers: { Accept: 'application/json', ...(init?.headers || {}) },
  });
  let envelope = null;
  try {
    envelope = await res.json();
  } catch {
    envelope = null;
  }
  if (res.status === 401 && config.session) toLogin();
  if (!res.ok || !envelope || envelope.rc !== 0) throw new ApiError(res.status, envelope);
  return envelope;
}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

// GET rest/v2/<path>; answers the envelope ({rc, rsp, ...}).
export function get(path, params) {
  return send(path + query(params), { method: 'GET' });
}

// GET one of the ROUTES by name, for the interface of the page.
export function getRoute(name, params) {
  return get(ROUTES[name], { ifid: config.ifid, ...params });
}

// POST rest/v2/<path> with a JSON body; the session's CSRF token goes in a header.
export function post(path, body) {
  return send(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': config.csrf },
    body: JSON.stringify({ ...(body || {}), csrf: config.csrf }),
  });
}
