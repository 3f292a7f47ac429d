#!/usr/bin/env python3
"""REST load for the concurrency benchmark: requests one URL over a keep-alive connection,
either at a fixed rate (--rate N per second) or back to back (--rate 0), until the server goes
away. Prints the number of answers and their mean latency."""
import argparse, http.client, sys, time

ap = argparse.ArgumentParser()
ap.add_argument("port", type=int)
ap.add_argument("path")
ap.add_argument("--rate", type=float, default=0)
a = ap.parse_args()

conn, done, spent = None, 0, 0.0
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    start = time.monotonic()
    try:
        if conn is None:
            conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=5)
        conn.request("GET", a.path)
        r = conn.getresponse()
        r.read()
        if r.status != 200:
            print(f"rest_load: HTTP {r.status}", file=sys.stderr)
        done += 1
        spent += time.monotonic() - start
    except (OSError, http.client.HTTPException):
        if done:  # the server finished its capture and left
            break
        conn = None
        time.sleep(0.02)
        continue
    if a.rate > 0:
        time.sleep(max(0.0, 1.0 / a.rate - (time.monotonic() - start)))
print(f"answers={done} mean_ms={1000 * spent / max(done, 1):.2f}")
