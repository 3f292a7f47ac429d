#!/usr/bin/env bash
# make bench: measures flowlens and prints figures with ratios against peers run in the same
# script (these machines are noisy: compare within one run, not across runs).
#   bench/run.sh [BUILD_DIR [SECTION...]]
#   sections: http store packets concurrency rest enrich (default: all)
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

bench_http() {
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
}

bench_store() {
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
}

# One generated capture, read in turn by a bare libpcap loop, ndpiReader and flowlens.
# The capture is made once into $BUILD/bench-data/ and again only when the generator or the
# source captures (their MANIFEST.tsv) change.
PACKET_TIMEOUT=${BENCH_PACKET_TIMEOUT:-900}
PCAP_DIR="$ROOT/$BUILD/bench-data"
PCAP="$PCAP_DIR/bench.pcap"

make_bench_pcap() {
  local gen="$ROOT/bench/make_bench_pcap.py" key
  key=$(cat "$gen" "$ROOT/tests/data/pcap/MANIFEST.tsv" | sha256sum | cut -c1-64)
  if [ -f "$PCAP" ] && [ -f "$PCAP.info" ] && [ "$(cat "$PCAP.key" 2>/dev/null)" = "$key" ]; then
    return 0
  fi
  echo "generating $PCAP (bench/make_bench_pcap.py, once) ..."
  mkdir -p "$PCAP_DIR"
  rm -f "$PCAP.key"
  python3 "$gen" "$PCAP" > "$PCAP.info"
  echo "$key" > "$PCAP.key"
}

# timed NAME COMMAND...: runs COMMAND with its output in $TMP/NAME.out, wall time, peak RSS and
# CPU time ("seconds KiB user-seconds system-seconds") in $TMP/NAME.time, its exit code in
# $TMP/NAME.rc; never fails the script.
timed() {
  local name=$1 rc=0
  shift
  /usr/bin/time -f "%e %M %U %S" -o "$TMP/$name.time" timeout "$PACKET_TIMEOUT" "$@" \
    > "$TMP/$name.out" 2>&1 || rc=$?
  echo "$rc" > "$TMP/$name.rc"
}

bench_packets() {
  make_bench_pcap
  echo "-- Packets: one capture file read once by each program: ${PCAP#"$ROOT"/}"
  local loop="$ROOT/$BUILD/bench/pcap_loop"
  if [ ! -x "$loop" ]; then  # built without the bench targets: compile it here
    loop="$TMP/pcap_loop"
    cc -O2 -o "$loop" "$ROOT/bench/pcap_loop.c" -lpcap
  fi
  "$loop" "$PCAP" > /dev/null  # brings the file into the page cache
  for i in 1 2 3; do timed "loop$i" "$loop" "$PCAP"; done
  # ndpiReader 4.2's -q also silences the statistics this reads; without -v it prints no flows.
  timed ndpi ndpiReader -i "$PCAP"
  # -X: room for every flow of the file (the default, ntopng's 131,072, is fewer), as ndpiReader.
  # Three rounds, one thread, two threads and two one-thread processes at once (this machine's
  # own ceiling for a second thread: two runs that share nothing but the machine); medians.
  # The two-process runs are each pinned to a core of their own (with two cores or more): two
  # one-core programs side by side, so neither starts the memory reserve's thread (flowlens does
  # only when a core is left over) and neither takes the other's core.
  local round i pair_pids pair_cores=()
  read -r -a pair_cores <<< "$(python3 -c 'import os; c = sorted(os.sched_getaffinity(0)); print(c[0], c[-1]) if len(c) > 1 else None')"
  for round in 1 2 3; do
    for threads in 1 2; do
      timed "flowlens${threads}_$round" "$BIN" -i "$PCAP" --shutdown-when-done \
        --packet-threads "$threads" -X 1048576 -w 0 -d "$TMP/data-packets$threads-$round" \
        --dont-change-user
    done
    pair_pids=()
    for i in 1 2; do
      local pin=()
      if [ "${#pair_cores[@]}" = 2 ]; then pin=(taskset -c "${pair_cores[$((i - 1))]}"); fi
      timed "pair${round}_$i" "${pin[@]}" "$BIN" -i "$PCAP" --shutdown-when-done --packet-threads 1 \
        -X 1048576 -w 0 -d "$TMP/data-pair$round-$i" --dont-change-user &
      pair_pids+=($!)
    done
    wait "${pair_pids[@]}"
  done
  python3 - "$TMP" "$PCAP.info" "$PACKET_TIMEOUT" <<'PY'
import os, re, sys
tmp, timeout = sys.argv[1], sys.argv[3]
gen = dict(kv.split("=", 1) for kv in open(sys.argv[2]).read().split())
total = int(gen["packets"])
print(f"({total:,} packets, {int(gen['flows']):,} flows, {int(gen['bytes']) / 1e6:,.0f} MB on the"
      f" wire: {gen['sources']} captures of tests/data/pcap x {gen['copies']} copies,"
      " bench/make_bench_pcap.py)")

def read(name):
    try:
        with open(os.path.join(tmp, name), errors="replace") as f:
            return f.read()
    except OSError:
        return ""

def wall_rss_cpu(name):  # the last line of GNU time's -o file: "seconds KiB user system"
    lines = read(name + ".time").strip().splitlines()
    try:
        wall, kib, user, system = lines[-1].split()
        return float(wall), int(kib) / 1024, float(user) + float(system)
    except (IndexError, ValueError):
        return None, None, None

rows = []  # (label, packets/s, wall s, peak RSS MiB, CPU s, flows)
loops = [re.search(r"pps=([\d.]+)", read(f"loop{i}.out")) for i in (1, 2, 3)]
best = max((i for i in (1, 2, 3) if loops[i - 1]), key=lambda i: float(loops[i - 1].group(1)),
           default=None)
loop_pps = float(loops[best - 1].group(1)) if best else None
rows.append(("bare libpcap loop (best of 3)", loop_pps) + wall_rss_cpu(f"loop{best or 1}") + (None,))

t = read("ndpi.out")
ms = re.search(r"Packet Processing Time:\s+([\d.]+) msec", t)
flows = re.search(r"Unique flows:\s+(\d+)", t)
ndpi_pps = total / (float(ms.group(1)) / 1000) if ms and float(ms.group(1)) > 0 else None
if ndpi_pps is None:
    print("ndpiReader: no figures (exit code %s):\n%s" % (read("ndpi.rc").strip(), t[-1500:]))
rows.append(("ndpiReader 4.2 (nDPI, 1 thread)", ndpi_pps) + wall_rss_cpu("ndpi") +
            (int(flows.group(1)) if flows else None,))

END = re.compile(r"(\S+): end of capture: (\d+) packets, (\d+) bytes, (\d+) flows, (\d+) hosts, "
                 r"(\d+) malformed in ([\d.]+) s \(([\d.]+) packets/s\)")

def flowlens_run(name, label):  # (packets/s, wall s, peak RSS MiB, flows, CPU s) or None
    log, rc = read(name + ".out"), read(name + ".rc").strip()
    m = END.search(log)
    if not m or rc != "0":
        why = {"124": f"timed out after {timeout} s",
               "2": "exit code 2: an option it does not know?"}
        print(f"{label}: FAILED ({why.get(rc, 'exit code ' + rc)}"
              f"{'' if m else '; no end-of-capture line in its log'}); last lines of its log:")
        print("".join("    " + l + "\n" for l in log.strip().splitlines()[-8:]))
        return None
    if int(m.group(2)) != total:
        print(f"{label}: counted {int(m.group(2)):,} of the file's {total:,} packets")
    wall, rss, cpu = wall_rss_cpu(name)
    return float(m.group(8)), wall, rss, int(m.group(4)), cpu

def median_run(runs):  # the run of median packets/s
    runs = sorted((r for r in runs if r), key=lambda r: r[0])
    return runs[len(runs) // 2] if runs else None

flowlens, by_round = {}, {}
for threads in (1, 2):
    label = f"flowlens --packet-threads {threads}"
    runs = [flowlens_run(f"flowlens{threads}_{r}", label) for r in (1, 2, 3)]
    by_round.update({(threads, r): run for r, run in zip((1, 2, 3), runs)})
    best = median_run(runs)
    if best is None:
        rows.append((label + " (median of 3)", None, None, None, None, None))
        continue
    flowlens[threads] = (best[0], max(r[2] for r in runs if r), best[3])
    print(f"{label}: packets/s of 3 runs: " + ", ".join(f"{r[0]:,.0f}" for r in runs if r))
    rows.append((label + " (median of 3)", best[0], best[1], flowlens[threads][1], best[4],
                 best[3]))
    reserve = re.search(r"Memory reserve: (\d+) blocks .* (\d+) times none",
                        read(f"flowlens{threads}_{runs.index(best) + 1}.out"))
    if reserve:
        print(f"  its memory reserve's thread faulted in {reserve.group(1)} blocks of 2 MiB for the"
              f" packet thread(s); {reserve.group(2)} times none was ready")
pairs, rounds = [], []  # rounds: (1 thread, 2 threads, two processes) of one round
for r in (1, 2, 3):
    both = [flowlens_run(f"pair{r}_{i}", "two one-thread processes at once") for i in (1, 2)]
    if all(both):
        pairs.append(sum(b[0] for b in both))
        one_two = [by_round.get((t, r)) for t in (1, 2)]
        if all(one_two):
            rounds.append((one_two[0][0], one_two[1][0], pairs[-1]))

fmt = lambda v, spec: "-" if v is None else format(v, spec)
print(f"{'program':36} {'packets/s':>11} {'wall s':>8} {'peak RSS MiB':>13} {'CPU s':>6}"
      f" {'flows':>9}")
for label, pps, wall, rss, cpu, nflows in rows:
    print(f"{label:36} {fmt(pps, ',.0f'):>11} {fmt(wall, '.2f'):>8} {fmt(rss, '.1f'):>13}"
          f" {fmt(cpu, '.2f'):>6} {fmt(nflows, ','):>9}")
print("(packets/s: each program's own timing of its packet loop, start-up excluded;"
      " wall s: the whole run; CPU s: user + system time of all its threads, start-up included;"
      " flowlens: the median run, peak RSS the largest of the 3)")
for threads, (pps, rss, nflows) in sorted(flowlens.items()):
    ratios = [f"/ ndpiReader: {pps / ndpi_pps:.2f}x" if ndpi_pps else "",
              f"/ bare libpcap loop: {pps / loop_pps:.3f}x" if loop_pps else ""]
    print(f"flowlens --packet-threads {threads} " + "  ".join(r for r in ratios if r))
    if rss and nflows:
        print(f"  peak RSS {rss:.1f} MiB for {nflows:,} flows: "
              f"{rss * 1048576 / nflows:,.0f} bytes per flow")
if pairs and 1 in flowlens:
    one, pair = flowlens[1][0], sorted(pairs)[len(pairs) // 2]
    print(f"two one-thread flowlens processes at once: {pair:,.0f} packets/s together (median),"
          f" {pair / one:.2f}x one alone: this machine's ceiling for two threads"
          " (each pinned to a core, so without the memory reserve one alone has)")
    if 2 in flowlens:
        print(f"flowlens --packet-threads 2 / --packet-threads 1: {flowlens[2][0] / one:.2f}x"
              f" ({flowlens[2][0] / pair:.0%} of that ceiling)")
if len(rounds) >= 2:  # each round's runs follow one another: a slow phase weighs on all three
    med = lambda xs: sorted(xs)[len(xs) // 2]
    two = [b / a for a, b, _ in rounds]
    share = [b / c for _, b, c in rounds]
    print("within each round: --packet-threads 2 / 1: " + ", ".join(f"{x:.2f}x" for x in two) +
          f" (median {med(two):.2f}x); of the two-process ceiling: " +
          ", ".join(f"{x:.0%}" for x in share) + f" (median {med(share):.0%})")
if not flowlens:
    print("flowlens: no packet figures (see above); the other programs' figures stand.")
PY
}

# The packet rate while REST clients read the same interface: none, a dashboard-like 20 requests/s,
# and requests back to back. Each request reads the counters and the top 10 flows and hosts.
bench_concurrency() {
  make_bench_pcap
  echo "-- Packets under REST load: ${PCAP#"$ROOT"/}, 1 packet thread, bench/scripts/top.lua"
  local inst="$TMP/install"
  mkdir -p "$inst/scripts"
  cp -r "$ROOT/scripts/lua" "$inst/scripts/lua"
  cp "$ROOT/bench/scripts/top.lua" "$inst/scripts/lua/bench_top.lua"
  # The peer: the same client and server with a script that reads nothing of the interface, so
  # the cost of sharing 2 cores with a client and a server shows apart from the reads' own.
  printf 'flowlens.setContentType("application/json")\nprint("{}")\n' \
    > "$inst/scripts/lua/bench_trivial.lua"
  ln -sfn "$ROOT/httpdocs" "$inst/httpdocs"
  # The pinned loads ("...p", with two cores or more) run the packet thread on a core of its own
  # (-g), flowlens's other threads (-y) and the client on another: a deployment's way to keep
  # them apart, and on this machine the way to tell the reads' cost from the scheduler's.
  local results=() loads=(none 20 0 trivial) pin_cores=()
  read -r -a pin_cores <<< "$(python3 -c 'import os; c = sorted(os.sched_getaffinity(0)); print(c[0], c[-1]) if len(c) > 1 else None')"
  if [ "${#pin_cores[@]}" = 2 ]; then loads+=(nonep 20p 0p); fi
  local n=${#loads[@]}
  # Five rounds, each running the loads in another order (a slow phase of the machine then falls
  # on different loads); ratios are taken within each round, against its own idle run.
  for round in 1 2 3 4 5; do
    local k
    for ((k = 0; k < n; k++)); do
      local load=${loads[$(((k + round) % n))]}
      local port name="conc-$load-$round" pin=() client_pin=()
      if [ "${load%p}" != "$load" ]; then
        pin=(-g "${pin_cores[1]}" -y "${pin_cores[0]}")
        client_pin=(taskset -c "${pin_cores[0]}")
      fi
      port=$(free_port)
      "$BIN" -i "$PCAP" --shutdown-when-done -X 1048576 -w "127.0.0.1:$port" -l 1 -t "$inst" \
        -d "$TMP/data-$name" --dont-change-user "${pin[@]}" > "$TMP/$name.log" 2>&1 &
      local pid=$!
      local client=""
      if [ "${load%p}" != none ]; then
        local script=/lua/bench_top.lua rate=${load%p}
        if [ "$load" = trivial ]; then script=/lua/bench_trivial.lua rate=0; fi
        "${client_pin[@]}" python3 "$ROOT/bench/rest_load.py" "$port" "$script" --rate "$rate" \
          > "$TMP/$name.client" 2>&1 &
        client=$!
      fi
      wait "$pid" || true
      if [ -n "$client" ]; then wait "$client" || true; fi
      local pps answers
      pps=$(grep -o '([0-9.]* packets/s)' "$TMP/$name.log" | tr -dc '0-9.' || true)
      answers=$( { tr '\n' ' ' < "$TMP/$name.client"; } 2>/dev/null || true)
      results+=("$round $load $pps $answers")
    done
  done
  printf '%s\n' "${results[@]}" | python3 -c '
import sys, statistics
rows, by_round = {}, {}
for line in sys.stdin:
    w = line.split()
    if len(w) < 3 or not w[2]:
        continue
    answers = dict(kv.split("=") for kv in w[3:] if "=" in kv)
    rows.setdefault(w[1], []).append((float(w[2]), answers))
    by_round.setdefault(w[0], {})[w[1]] = float(w[2])
def within(load, base):  # the median of the per-round ratios load / base
    r = [x[load] / x[base] for x in by_round.values() if load in x and x.get(base)]
    return (statistics.median(r), r) if r else (None, r)
names = {"none": "no REST load", "20": "20 requests/s", "0": "requests back to back",
         "trivial": "back to back, trivial", "nonep": "pinned: no REST load",
         "20p": "pinned: 20 requests/s", "0p": "pinned: back to back"}
print("load".ljust(24) + " " + "packets/s (median)".rjust(19) + "  per round / that round\x27s idle run")
for load in ("none", "20", "0", "trivial", "nonep", "20p", "0p"):
    if load not in rows:
        continue
    pps = statistics.median(p for p, _ in rows[load])
    ans = rows[load][-1][1]
    extra = "  (last run: %s answers, mean %s ms)" % (ans.get("answers", "?"), ans.get("mean_ms", "?")) if ans else ""
    idle = "nonep" if load.endswith("p") else "none"
    med, r = within(load, idle)
    ratio = f"  {med:.2f}x median of " + ", ".join(f"{x:.2f}" for x in r) if load != idle and med else ""
    print(f"{names[load]:24} {pps:>19,.0f}{ratio}{extra}")
if "nonep" in rows:
    print("(pinned: flowlens -g <one core> -y <the other>; the client, and flowlens\x27s memory reserve, on the other core too)")
med, r = within("0", "trivial")
if med:
    print(f"back to back, dashboard reads / trivial script: {med:.2f}x median of " +
          ", ".join(f"{x:.2f}" for x in r) +
          " (the reads\x27 own cost, apart from sharing 2 cores with the client and the server)")
'
}

bench_rest() {
  make_bench_pcap
  local dur=8
  echo "-- REST v2 while a capture is processed: ${PCAP#"$ROOT"/} at its own pace (--original-speed),"
  echo "   wrk -t2 -c16 -d${dur}s with Token auth; ntopng's recorded figure: 21-25 req/s"
  local port
  port=$(free_port)
  echo "bench-password" > "$TMP/rest-admin.pw"
  "$BIN" -i "$PCAP" --original-speed -X 1048576 -w "127.0.0.1:$port" -d "$TMP/data-rest" -v 1 \
    --admin-password-file "$TMP/rest-admin.pw" --dont-change-user > "$TMP/rest.log" 2>&1 &
  PIDS+=($!)
  wait_port "$port"
  local base="http://127.0.0.1:$port/lua/rest/v2"
  local token
  token=$(curl -sf -u admin:bench-password -X POST "$base/create/ntopng/api_token.lua" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["rsp"]["api_token"])')
  local auth="Authorization: Token $token"
  sleep 2  # let the capture fill the tables
  for ep in "get/interface/data.lua?ifid=0" "get/host/active.lua?ifid=0&perPage=10"; do
    local out
    out=$(DURATION=$dur wrk_run "$base/$ep" "$auth")
    read -r rps p99 err <<< "$out"
    local hosts
    hosts=$(curl -sf -H "$auth" "$base/get/interface/data.lua?ifid=0" |
      python3 -c 'import json,sys; r=json.load(sys.stdin)["rsp"]; print(r.get("num_hosts", "?"), "hosts,", r.get("num_flows", "?"), "flows")')
    printf "%-40s %9s req/s  p99 %7s ms  non-2xx %s  (%s at the end)  %.0fx ntopng's 23 req/s, target >= 3000\n" \
      "$ep" "$rps" "$p99" "$err" "$hosts" "$(python3 -c "print($rps / 23)")"
  done
  kill "${PIDS[-1]}" 2>/dev/null || true
}

bench_enrich() {
  echo "-- Host enrichment: GeoIP lookups/s on one core (MaxMind's test databases), reverse DNS"
  "$ROOT/$BUILD/bench/flowlens_geoip_bench" --benchmark_min_time=0.5 --benchmark_format=json \
    2>/dev/null > "$TMP/geoip.json"
  python3 - "$TMP/geoip.json" <<'PY'
import json, sys
b = {x["name"].replace("BM_", ""): x["items_per_second"] for x in json.load(open(sys.argv[1]))["benchmarks"]}
hot, raw_hot = b["GeoIpHot"], b["RawLibmaxminddbHot"]
cold, raw_cold = b["GeoIpColdRandom"], b["RawLibmaxminddbColdRandom"]
print(f"hot addresses (1,000, cached):   {hot:>14,.0f} lookups/s  {hot / raw_hot:6.1f}x bare libmaxminddb ({raw_hot:,.0f}/s)  target >= 1,000,000")
print(f"1M random addresses (uncached):  {cold:>14,.0f} lookups/s  {cold / raw_cold:6.2f}x bare libmaxminddb ({raw_cold:,.0f}/s)")
PY
  "$ROOT/$BUILD/bench/flowlens_resolver_bench" > "$TMP/resolver.txt"
  python3 - "$TMP/resolver.txt" <<'PY'
import sys
v = dict(l.strip().split("=") for l in open(sys.argv[1]) if "=" in l)
par, ser = float(v["parallel_per_s"]), float(v["serial_per_s"])
print(f"reverse DNS, {int(v['addresses']):,} distinct addresses, dnsmasq on loopback: {par:,.0f} answers/s"
      f"  {par / ser:.1f}x one query at a time ({ser:,.0f}/s)")
PY
}

# The web UI: navigation -> the dashboard's first chart drawn, 30k hosts loaded (headless
# chromium; needs `make ui`).
bench_ui() {
  python3 bench/ui_first_chart.py
}

echo "== flowlens benchmarks ($(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores) =="
SECTIONS=("${@:2}")
[ ${#SECTIONS[@]} -gt 0 ] || SECTIONS=(http store packets concurrency rest enrich ui)
for section in "${SECTIONS[@]}"; do
  case "$section" in
    http | store | packets | concurrency | rest | enrich | ui) echo; "bench_$section" ;;
    *) echo "bench/run.sh: unknown section '$section' (http, store, packets, concurrency, rest, enrich, ui)" >&2
       exit 2 ;;
  esac
done
