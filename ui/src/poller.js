// Live updates: one request per refresh, never a burst. The next round starts only once the
// previous one has finished (so a slow answer delays the next instead of piling up requests),
// and nothing is asked while the tab is hidden.

// Calls `round(n)` (n = 0, 1, 2 ...) every `secs` seconds; `round` makes at most one request.
// Returns a function that stops the loop.
export function every(secs, round, onError) {
  let n = 0;
  let timer = null;
  let stopped = false;
  const period = Math.max(1, secs) * 1000;

  async function tick() {
    timer = null;
    if (stopped) return;
    if (document.hidden) {
      document.addEventListener('visibilitychange', tick, { once: true });
      return;
    }
    const started = performance.now();
    try {
      await round(n);
      if (onError) onError(null);
    } catch (e) {
      if (onError) onError(e);
    }
    n += 1;
    if (!stopped) timer = setTimeout(tick, Math.max(0, period - (performance.now() - started)));
  }

  tick();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
