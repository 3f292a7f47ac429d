#!/usr/bin/env bash
# make bench: measures flowlens and prints figures with ratios against peers run in the same
# script (these machines are noisy: compare within one run, not across runs).
set -euo pipefail
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN="$ROOT/$BUILD/flowlens"
DURATION=${BENCH_DURATION:-10}
TMP=$(mktemp -d /tmp/flowlens-bench-XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }

# wrk output -> "requests_per_s p99_ms"
wrk_run() {
  wrk -t2 -c16 -d"${DURATION}s" --latency "$1" > "$TMP/wrk.out" 2>&1
  python3 - "$TMP/wrk.out" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
m = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", t, re.M)
p99 = float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]
errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", t)
print(f"{rps:.0f} {p99:.2f} {errors.group(1) if errors else 0}")
PY
}

echo "== flowlens benchmarks ($(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores) =="
echo
echo "-- HTTP: Lua REST endpoint vs static file (wrk -t2 -c16 -d${DURATION}s, same server, same run)"
PORT=$(free_port)
"$BIN" -i lo -w "127.0.0.1:$PORT" -d "$TMP/data" -v 1 > "$TMP/flowlens.log" 2>&1 &
PIDS+=($!)
wait_port "$PORT"
LUA_URL="http://127.0.0.1:$PORT/lua/rest/v2/get/ntopng/info.lua"
STATIC_URL="http://127.0.0.1:$PORT/css/flowlens.css"
curl -sf "$LUA_URL" > /dev/null
wrk -t2 -c16 -d2s "$LUA_URL" > /dev/null 2>&1  # warm the Lua states
read -r LUA_RPS LUA_P99 LUA_ERR <<< "$(wrk_run "$LUA_URL")"
read -r ST_RPS ST_P99 ST_ERR <<< "$(wrk_run "$STATIC_URL")"
RSS_KB=$(awk '/VmHWM/ {print $2}' /proc/"${PIDS[0]}"/status)
printf "%-44s %10s req/s  p99 %7s ms  non-2xx %s\n" "Lua endpoint (ntop.getInfo via rest_utils)" "$LUA_RPS" "$LUA_P99" "$LUA_ERR"
printf "%-44s %10s req/s  p99 %7s ms  non-2xx %s\n" "static file (same server)" "$ST_RPS" "$ST_P99" "$ST_ERR"
python3 - "$LUA_RPS" "$ST_RPS" "$RSS_KB" <<'PY'
import sys
lua, static, rss = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
print(f"Lua endpoint / static file: {lua / static:.2f}x")
print(f"Lua endpoint vs ntopng's recorded 21-25 req/s (reference machine): ~{lua / 23:.0f}x")
print(f"flowlens peak RSS during the HTTP run: {rss / 1024:.1f} MiB")
PY
kill "${PIDS[0]}"; wait "${PIDS[0]}" 2>/dev/null || true; PIDS=()
