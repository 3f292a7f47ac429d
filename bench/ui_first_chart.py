#!/usr/bin/env python3
"""Time from navigation to the dashboard's first chart drawn, with 30k hosts loaded.

Writes a capture with 15,000 UDP flows between 30,000 distinct addresses into /tmp, starts the
real daemon on it (logins disabled), waits until every host is in, then loads the dashboard in
headless chromium (ui/tests/first_chart.mjs) several times and prints the median of
navigation -> performance mark "flowlens:first-chart". As a peer in the same run: the median
time of one answer of the dashboard's endpoint (get/flowlens/dashboard.lua), which the first
chart waits for. A measurement, not a test: it never fails on a slow machine.

    python3 bench/ui_first_chart.py [--hosts 30000] [--runs 5]
"""
import argparse
import json
import os
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))
from flowlens_harness import Daemon, SOURCE  # noqa: E402


def write_capture(path, hosts):
    """hosts/2 UDP flows, 10.x.x.x -> 100.64.x.x, one packet each way."""
    def ipv4(src, dst, payload):
        return struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0, 64, 17, 0, src, dst) + payload

    def frame(src, dst, sport, dport):
        udp = struct.pack("!HHHH", sport, dport, 8 + 16, 0) + b"flowlens-bench!!"
        return b"\x02\0\0\0\0\x01\x02\0\0\0\0\x02\x08\x00" + ipv4(src, dst, udp)

    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        t = 1_700_000_000
        for i in range(hosts // 2):
            a = struct.pack("!I", 0x0A000000 + i + 1)
            b = struct.pack("!I", 0x64400000 + i + 1)
            for data in (frame(a, b, 40000 + i % 20000, 5000), frame(b, a, 5000, 40000 + i % 20000)):
                f.write(struct.pack("<IIII", t + i // 1000, i % 1000, len(data), len(data)) + data)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hosts", type=int, default=30000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    node = shutil.which("node")
    if not node or not os.access("/usr/bin/chromium", os.X_OK):
        print("ui_first_chart: needs node and /usr/bin/chromium")
        return 0
    if not os.path.exists(os.path.join(SOURCE, "httpdocs/dist/.vite/manifest.json")):
        print("ui_first_chart: the web UI is not built (make ui)")
        return 1
    tmp = tempfile.mkdtemp(prefix="flowlens-ui-bench-")
    try:
        pcap = os.path.join(tmp, "hosts.pcap")
        write_capture(pcap, args.hosts)
        with Daemon(interfaces=[pcap], extra_args=["--lua-states", "4"]) as d:
            deadline = time.time() + 120
            while True:
                _, _, env = d.get_json("/lua/rest/v2/get/flowlens/dashboard.lua?ifid=0")
                if env["rsp"]["num_hosts"] >= args.hosts or time.time() > deadline:
                    break
                time.sleep(0.5)
            hosts = env["rsp"]["num_hosts"]
            answers = []
            for _ in range(20):
                t0 = time.perf_counter()
                d.get("/lua/rest/v2/get/flowlens/dashboard.lua?ifid=0")
                answers.append((time.perf_counter() - t0) * 1000)
            run = subprocess.run([node, os.path.join(SOURCE, "ui", "tests", "first_chart.mjs")],
                                 env=dict(os.environ, BASE_URL=f"http://127.0.0.1:{d.port}",
                                          RUNS=str(args.runs)),
                                 capture_output=True, text=True, timeout=600, check=False)
            if run.returncode != 0:
                print(run.stdout, run.stderr)
                return 1
            figures = json.loads(run.stdout.strip().splitlines()[-1])
        first = statistics.median(figures)
        answer = statistics.median(answers)
        print(f"ui first chart: {hosts} hosts, median {first:.0f} ms from navigation to the "
              f"dashboard's first chart (runs: {', '.join(f'{x:.0f}' for x in figures)} ms); "
              f"dashboard.lua answer {answer:.1f} ms median; chart / answer = {first / answer:.1f}x")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
