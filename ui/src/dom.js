// DOM building without markup parsing: every piece of text becomes a text node, so names from
// the network (host names, DNS and TLS server names) can never become elements or scripts.
// Nothing in the UI assigns innerHTML.

// h('a', {href, class, onclick, title}, child...) where a child is a Node, a string or a number
// (as text), null/undefined/false (skipped) or an array of children.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2), value);
    } else if (name === 'class') {
      el.className = value;
    } else if (name === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (name === 'value' || name === 'checked' || name === 'selected') {
      el[name] = value;
    } else {
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.appendChild(child);
    else el.appendChild(document.createTextNode(String(child)));
  }
  return el;
}

// Replaces the element's children.
export function fill(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

// A link to a page of this server: /lua/<page>.lua?<params>, the current interface included.
export function pageUrl(config, page, params = {}) {
  const q = new URLSearchParams({ ifid: String(config.ifid), ...params });
  return `${config.prefix}/lua/${page}.lua?${q}`;
}

// The label of a host, with a link to its page.
export function hostLink(config, ip, name, vlan) {
  const params = { host: ip };
  if (vlan) params.vlan = String(vlan);
  const label = name && name !== ip ? name : ip;
  return h('a', { href: pageUrl(config, 'host_details', params), title: ip, class: 'host' }, label);
}
