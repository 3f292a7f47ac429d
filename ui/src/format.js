// Number and time formatting, as ntopng's UI shows them.

function scaled(value, units, base, digits = 2) {
  let v = Number(value) || 0;
  const neg = v < 0;
  if (neg) v = -v;
  let i = 0;
  while (v >= base && i < units.length - 1) {
    v /= base;
    i += 1;
  }
  const text = i === 0 ? String(Math.round(v)) : v.toFixed(digits);
  return `${neg ? '-' : ''}${text} ${units[i]}`;
}

export const bytes = (v) => scaled(v, ['B', 'KB', 'MB', 'GB', 'TB', 'PB'], 1024);
export const bps = (v) => scaled(v, ['bps', 'Kbps', 'Mbps', 'Gbps', 'Tbps'], 1000);
export const pps = (v) => scaled(v, ['pps', 'Kpps', 'Mpps', 'Gpps'], 1000);
export const number = (v) => (Number(v) || 0).toLocaleString('en-US');

export function epoch(secs) {
  if (!secs) return '';
  return new Date(secs * 1000).toLocaleString('en-GB', { hour12: false });
}

export function duration(secs) {
  let s = Math.floor(Number(secs) || 0);
  if (s < 1) return '< 1 s';
  const parts = [];
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['min', 60], ['s', 1]]) {
    if (s >= size) {
      parts.push(`${Math.floor(s / size)} ${unit}`);
      s %= size;
    }
  }
  return parts.slice(0, 2).join(' ');
}

export const percent = (part, whole) => (whole > 0 ? `${((100 * part) / whole).toFixed(1)} %` : '');
