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
wrk_run() {  # URL [header]
  wrk -t2 -c16 -d"${DURATION}s" --latency ${2:+-H "$2"} "$1" > "$TMP/wrk.out" 2>&1
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
echo "-- HTTP: Lua REST endpoint (API token auth) vs static file (wrk -t2 -c16 -d${DURATION}s, same server, same run)"
PORT=$(free_port)
echo "bench-password" > "$TMP/admin.pw"
"$BIN" -i lo -w "127.0.0.1:$PORT" -d "$TMP/data" -v 1 --admin-password-file "$TMP/admin.pw" \
  --dont-change-user > "$TMP/flowlens.log" 2>&1 &
PIDS+=($!)
wait_port "$PORT"
LUA_URL="http://127.0.0.1:$PORT/lua/rest/v2/get/ntopng/info.lua"
STATIC_URL="http://127.0.0.1:$PORT/css/flowlens.css"
TOKEN=$(curl -sf -u admin:bench-password -X POST \
  "http://127.0.0.1:$PORT/lua/rest/v2/create/ntopng/api_token.lua" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["rsp"]["api_token"])')
AUTH="Authorization: Token $TOKEN"
curl -sf -H "$AUTH" "$LUA_URL" > /dev/null
wrk -t2 -c16 -d2s -H "$AUTH" "$LUA_URL" > /dev/null 2>&1  # warm the Lua states
read -r LUA_RPS LUA_P99 LUA_ERR <<< "$(wrk_run "$LUA_URL" "$AUTH")"
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

echo
echo "-- Key-value store from Lua (calls/s from one Lua state on one core; 100k calls per iteration)"
LUA_BENCH="$ROOT/$BUILD/bench/flowlens_lua_bench"
bench_json() {  # name -> items_per_second of every benchmark whose name matches
  "$LUA_BENCH" --benchmark_filter="$1" --benchmark_min_time=0.5 --benchmark_format=json 2>/dev/null |
    python3 -c 'import json,sys; [print(b["name"], int(b.get("items_per_second",0))) for b in json.load(sys.stdin)["benchmarks"]]'
}
bench_json 'GetCache|SetCache|GetHashCache|GetLuaCache|GetPref' > "$TMP/embedded.txt"

RPORT=$(free_port)
redis-server --port "$RPORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$TMP" \
  --daemonize no > "$TMP/redis.log" 2>&1 &
PIDS+=($!)
wait_port "$RPORT"
rb() {  # the final "GET: N requests per second" line (progress lines end in \r)
  redis-benchmark -h 127.0.0.1 -p "$RPORT" -c 1 -n 100000 -t "$1" -q 2>/dev/null | tr '\r' '\n' |
    awk '/requests per second/ {print int($2)}' | tail -1
}
RB_GET=$(rb get)
RB_SET=$(rb set)
FLOWLENS_BENCH_REDIS="127.0.0.1:$RPORT" bench_json 'GetCache|SetCache|GetHashCache' > "$TMP/redis.txt"
python3 - "$TMP/embedded.txt" "$TMP/redis.txt" "$RB_GET" "$RB_SET" <<'PY'
import sys
def load(p): return {l.split()[0].replace("BM_", ""): int(l.split()[1]) for l in open(p) if l.strip()}
emb, red = load(sys.argv[1]), load(sys.argv[2])
rb_get, rb_set = int(sys.argv[3] or 0), int(sys.argv[4] or 0)
print(f"{'call':16} {'embedded':>12} {'redis':>12}")
for name in ["GetCache", "SetCache", "GetHashCache", "GetLuaCache", "GetPref"]:
    e, r = emb.get(name), red.get(name)
    print(f"{name:16} {e or 0:>12,} {(f'{r:,}' if r else '-'):>12}")
print(f"redis-benchmark, 1 connection: GET {rb_get:,}/s  SET {rb_set:,}/s")
if rb_get:
    print(f"Redis backend getCache / redis-benchmark GET: {red.get('GetCache', 0) / rb_get:.2f}x (target >= 0.5)")
    print(f"Redis backend setCache / redis-benchmark SET: {red.get('SetCache', 0) / max(rb_set, 1):.2f}x")
print(f"embedded getCache / redis-benchmark GET: {emb.get('GetCache', 0) / max(rb_get, 1):.1f}x"
      f"  (target >= 200,000/s: {'met' if emb.get('GetCache', 0) >= 200000 else 'NOT met'})")
print(f"Lua cache gets: {emb.get('GetLuaCache', 0):,}/s (target >= 1,000,000/s: "
      f"{'met' if emb.get('GetLuaCache', 0) >= 1000000 else 'NOT met'})")
PY
