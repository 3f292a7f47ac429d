"""Prometheus metrics at /metrics (docs/metrics.md), scraped from the real daemon reading two
captures (tests/data/pcap/1kxun.pcap: ~200 flows over many applications and hosts;
badpackets.pcap: malformed frames) and parsed with prometheus_client's own text parser
(Debian package python3-prometheus-client). The values are checked against what the Lua API
answers for the same interfaces: interface.getStats, getnDPIStats, getHostsInfo.

Logins are enabled (the administrator's password comes from a file), so /metrics needs a token
or HTTP Basic, as a REST call does."""
import base64
import json
import os
import re
import sqlite3
import sys
import time
import unittest

try:
    from prometheus_client.parser import text_string_to_metric_families
except ImportError:  # a python3 other than Debian's (pyenv) does not see the apt package
    sys.path.append("/usr/lib/python3/dist-packages")
    from prometheus_client.parser import text_string_to_metric_families

from flowlens_harness import Daemon, SOURCE, password_file

ADMIN_PASSWORD = "e2e-Metrics-pw-3"
PCAP_DIR = os.path.join(SOURCE, "tests", "data", "pcap")
CAPTURES = (os.path.join(PCAP_DIR, "1kxun.pcap"), os.path.join(PCAP_DIR, "badpackets.pcap"))
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# A name as the network could give it: quotes, backslashes, a newline that tries to start a
# sample of its own, and a byte that is not UTF-8 (which the exposition must not carry).
HOSTILE_NAME = 'evil"} 1\nflowlens_injected_total 666\n\\x\\"\xff.example'
HOSTILE_NAME_SEEN = HOSTILE_NAME.replace("\xff", "\ufffd")

SCRIPTS = {
    # What the Lua API answers for every interface, to hold the metrics against.
    "t/state.lua": """
local json = require("dkjson")
local out = {}
for id, _ in pairs(interface.getIfNames()) do
   interface.select(id)
   local hosts = {}
   local res = interface.getHostsInfo(false, "column_traffic", nil, 0, false)
   for _, h in pairs(res.hosts) do
      hosts[#hosts + 1] = { ip = h.ip, vlan = h.vlan, name = h.name,
                            sent = h["bytes.sent"], rcvd = h["bytes.rcvd"],
                            psent = h["packets.sent"], prcvd = h["packets.rcvd"] }
   end
   local protos = 0
   for _ in pairs(interface.getnDPIProtocols()) do protos = protos + 1 end
   out[id] = { stats = interface.getStats(), ndpi = interface.getnDPIStats().ndpi,
               running = interface.isRunning(), hosts = hosts, num_protocols = protos }
end
sendHTTPHeader("application/json")
print(json.encode(out))
""",
    # Gives an address the hostile name (a script's name is the strongest source).
    "t/name_host.lua": """
ntop.setResolvedAddress(_GET["ip"], %s)
print("ok")
""" % json.dumps(HOSTILE_NAME).replace("\\u00ff", "\\xff"),
    # The peer the scrape time is measured against: the cheapest script run over HTTP.
    "t/ping.lua": 'print("ok")',
    # A user restricted to one interface and one network, with an API token.
    "t/restricted_user.lua": """
ntop.addUser(_GET["user"], "R", "restricted-pw-9", "unprivileged", _GET["nets"], _GET["ifname"])
print(ntop.createUserAPIToken(_GET["user"]))
""",
}


def basic(user, password):
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


ADMIN = basic("admin", ADMIN_PASSWORD)


def parse(body):
    """{family name: Metric} and [(sample name, labels dict, value)], by the reference parser."""
    families = {f.name: f for f in text_string_to_metric_families(body.decode("utf-8"))}
    samples = [(s.name, s.labels, s.value) for f in families.values() for s in f.samples]
    return families, samples


def values(samples, name, **match):
    """[(labels, value)] of the samples called `name` whose labels include `match`."""
    return [(l, v) for n, l, v in samples
            if n == name and all(l.get(k) == str(x) for k, x in match.items())]


def one(samples, name, **match):
    found = values(samples, name, **match)
    if len(found) != 1:
        raise AssertionError(f"{name} {match}: {len(found)} samples, expected 1")
    return found[0][1]


class MetricsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pw_file = password_file(ADMIN_PASSWORD)
        cls.d = Daemon(interfaces=CAPTURES, scripts=SCRIPTS, auth=True,
                       extra_args=["--admin-password-file", cls.pw_file])
        cls.d.start()
        # Until both files are read to their end the counters move.
        deadline = time.time() + 30
        while True:
            state = cls.state()
            if not any(i["running"] for i in state.values()):
                break
            if time.time() > deadline:
                raise AssertionError("the captures were not read within 30 s")
            time.sleep(0.2)

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()
        os.unlink(cls.pw_file)

    @classmethod
    def state(cls):
        status, _, body = cls.d.get("/lua/t/state.lua", ADMIN)
        assert status == 200, (status, body)
        return json.loads(body.decode("utf-8", "replace"))  # a host's name may not be UTF-8

    def scrape(self, path="/metrics", headers=None):
        status, hdrs, body = self.d.get(path, ADMIN if headers is None else headers)
        self.assertEqual(status, 200, body[:300])
        return parse(body)

    # -- the answer ----------------------------------------------------------------------------
    def test_status_content_type_and_format(self):
        status, headers, body = self.d.get("/metrics", ADMIN)
        self.assertEqual(status, 200)
        self.assertEqual(headers["content-type"], CONTENT_TYPE)
        self.assertEqual(int(headers["content-length"]), len(body))
        families, _ = parse(body)
        text = body.decode("utf-8")
        for name, fam in families.items():
            self.assertTrue(name.startswith("flowlens_"), name)
            self.assertIn(fam.type, ("counter", "gauge"), name)
            self.assertTrue(fam.documentation, f"{name} has no HELP")
            for s in fam.samples:
                if fam.type == "counter":
                    self.assertTrue(s.name.endswith("_total"), s.name)
                else:
                    self.assertFalse(s.name.endswith("_total"), s.name)
        # One HELP and one TYPE line per family, each family's samples together.
        types = re.findall(r"^# TYPE (\S+) ", text, re.M)
        self.assertEqual(len(types), len(set(types)))
        self.assertEqual(len(types), len(families))
        seen, last = [], None
        for line in text.splitlines():
            if line.startswith("#") or not line:
                continue
            name = re.match(r"[a-zA-Z_:][a-zA-Z0-9_:]*", line).group(0)
            if name != last:
                self.assertNotIn(name, seen, f"samples of {name} are not together")
                seen.append(name)
                last = name
        # HEAD: the same headers, no body.
        status, headers, body = self.d.request("HEAD", "/metrics", headers=ADMIN)
        self.assertEqual((status, headers["content-type"], body), (200, CONTENT_TYPE, b""))

    def test_interface_counters_match_get_stats(self):
        state = self.state()
        _, samples = self.scrape()
        self.assertEqual(len(values(samples, "flowlens_interface_packets_total")), len(CAPTURES))
        for ifid, s in state.items():
            st, stats = s["stats"], s["stats"]["stats"]
            lab = {"ifid": ifid, "ifname": st["name"]}
            for metric, field in (("packets", "packets"), ("bytes", "bytes"),
                                  ("dropped_packets", "drops"), ("fragments", "fragments"),
                                  ("non_ip_packets", "non_ip_packets"),
                                  ("flow_table_dropped_packets", "flow_drops"),
                                  ("host_table_dropped_flows", "host_drops")):
                self.assertEqual(one(samples, f"flowlens_interface_{metric}_total", **lab),
                                 stats[field], metric)
            for metric, field in (("flows", "num_flows"), ("flows_max", "max_num_flows"),
                                  ("hosts", "num_hosts"), ("hosts_max", "max_num_hosts"),
                                  ("local_hosts", "num_local_hosts"), ("macs", "num_macs")):
                self.assertEqual(one(samples, f"flowlens_interface_{metric}", **lab), st[field],
                                 metric)
            self.assertEqual(one(samples, "flowlens_interface_running", **lab), 0)
            self.assertGreaterEqual(
                one(samples, "flowlens_interface_throughput_bits_per_second", **lab), 0)
            malformed = {l["reason"]: v for l, v in
                         values(samples, "flowlens_interface_malformed_packets_total", **lab)}
            reasons = stats.get("malformed_by_reason") or {}  # an empty table is JSON's []
            self.assertEqual(malformed, {k: float(v) for k, v in dict(reasons).items()})
            self.assertEqual(sum(malformed.values()), stats["malformed"])
        self.assertGreater(state["0"]["stats"]["stats"]["packets"], 1000)
        self.assertTrue(state["1"]["stats"]["stats"]["malformed_by_reason"],
                        "badpackets.pcap gives malformed frames")

    def test_applications_match_ndpi_stats_and_are_bounded(self):
        state = self.state()
        _, samples = self.scrape()
        for ifid, s in state.items():
            lab = {"ifid": ifid}
            apps = {l["application"]: v for l, v in
                    values(samples, "flowlens_application_bytes_total", **lab)}
            self.assertEqual(apps, {k: float(v["bytes"]) for k, v in s["ndpi"].items()})
            for name, v in s["ndpi"].items():
                self.assertEqual(one(samples, "flowlens_application_packets_total",
                                     application=name, **lab), v["packets"])
                self.assertEqual(one(samples, "flowlens_application_flows_total",
                                     application=name, **lab), v["num_flows"])
            self.assertLessEqual(len(apps), s["num_protocols"])
        self.assertGreater(len(state["0"]["ndpi"]), 5, "1kxun.pcap has many applications")

    def test_top_hosts_are_the_largest_and_bounded(self):
        state = self.state()
        for query, cap in (("", 10), ("?top_hosts=3", 3), ("?top_hosts=100000", 100),
                           ("?top_hosts=0", 0), ("?top_hosts=x", 10)):
            _, samples = self.scrape("/metrics" + query)
            for ifid, s in state.items():
                listed = values(samples, "flowlens_top_host_bytes_sent_total", ifid=ifid)
                self.assertEqual(len(listed), min(cap, len(s["hosts"])), (query, ifid))
                self.assertEqual(len(values(samples, "flowlens_top_host_info", ifid=ifid)),
                                 len(listed))
                hosts = {(h["ip"], str(h["vlan"])): h for h in s["hosts"]}
                keys = {(l["ip"], l["vlan"]) for l, _ in listed}
                traffic = lambda h: h["sent"] + h["rcvd"]
                for key in keys:
                    h = hosts[key]
                    lab = {"ifid": ifid, "ip": key[0], "vlan": key[1]}
                    self.assertEqual(one(samples, "flowlens_top_host_bytes_sent_total", **lab),
                                     h["sent"])
                    self.assertEqual(one(samples, "flowlens_top_host_bytes_received_total",
                                         **lab), h["rcvd"])
                    self.assertEqual(one(samples, "flowlens_top_host_packets_sent_total", **lab),
                                     h["psent"])
                    self.assertEqual(one(samples, "flowlens_top_host_packets_received_total",
                                         **lab), h["prcvd"])
                if keys and len(keys) < len(hosts):
                    smallest_listed = min(traffic(hosts[k]) for k in keys)
                    largest_left = max(traffic(h) for k, h in hosts.items() if k not in keys)
                    self.assertGreaterEqual(smallest_listed, largest_left, query)
        self.assertGreater(len(state["0"]["hosts"]), 10, "1kxun.pcap has more than 10 hosts")

    def test_hostile_host_name_is_escaped(self):
        top = max(self.state()["0"]["hosts"], key=lambda h: h["sent"] + h["rcvd"])
        status, _, _ = self.d.get("/lua/t/name_host.lua?ip=" + top["ip"], ADMIN)
        self.assertEqual(status, 200)
        named = next(h for h in self.state()["0"]["hosts"] if h["ip"] == top["ip"])
        self.assertTrue(named["name"].startswith('evil"'), named["name"])
        status, _, body = self.d.get("/metrics", ADMIN)
        self.assertEqual(status, 200)
        body.decode("utf-8")  # strict: no invalid UTF-8 reaches the answer
        text = body.decode("utf-8")
        self.assertIn('name="evil\\"} 1\\nflowlens_injected_total 666\\n\\\\x\\\\\\"\ufffd.example"',
                      text)
        for line in text.splitlines():
            self.assertTrue(line.startswith("# ") or line.startswith("flowlens_"), line)
        families, samples = parse(body)
        self.assertNotIn("flowlens_injected", families)
        info = values(samples, "flowlens_top_host_info", ifid=0, ip=top["ip"])
        self.assertEqual(len(info), 1)
        self.assertEqual(info[0][0]["name"], HOSTILE_NAME_SEEN)

    # -- flowlens itself -----------------------------------------------------------------------
    def test_process_health(self):
        _, samples = self.scrape()
        self.assertGreater(one(samples, "flowlens_resident_memory_bytes"), 1 << 20)
        self.assertGreaterEqual(one(samples, "flowlens_virtual_memory_bytes"),
                                one(samples, "flowlens_resident_memory_bytes"))
        self.assertGreaterEqual(one(samples, "flowlens_uptime_seconds"), 0)
        self.assertAlmostEqual(one(samples, "flowlens_start_time_seconds"), time.time(), delta=120)
        states, cap = one(samples, "flowlens_lua_states"), one(samples, "flowlens_lua_states_max")
        self.assertGreaterEqual(states, 1)  # this scrape runs on one
        self.assertLessEqual(states, cap)
        self.assertEqual(one(samples, "flowlens_store_up", backend="embedded"), 1)
        self.assertGreater(one(samples, "flowlens_store_keys", backend="embedded"), 0)
        self.assertEqual(one(samples, "flowlens_store_reconnects_total", backend="embedded"), 0)
        self.assertEqual(len(values(samples, "flowlens_build_info")), 1)
        self.assertGreater(one(samples, "flowlens_metrics_render_seconds"), 0)

    def test_alert_counters_match_the_alert_store(self):
        # 1kxun.pcap's flows have nDPI risks: the alert engine stores them within a second or two.
        deadline = time.time() + 15
        while True:
            _, samples = self.scrape()
            written = one(samples, "flowlens_alerts_written_total")
            if written > 0 or time.time() > deadline:
                break
            time.sleep(0.3)
        self.assertGreater(written, 0)
        self.assertEqual(one(samples, "flowlens_alerts_dropped_total"), 0)
        with sqlite3.connect(os.path.join(self.d.data_dir, "alerts", "alert_store.db")) as db:
            rows = db.execute("SELECT COUNT(*) FROM flow_alerts").fetchone()[0]
        # The counter was read before the count: more may have been stored between the two.
        self.assertGreaterEqual(rows, written)

    def test_scrape_time(self):
        """Prints the figure (not a timed assertion): wall time of a scrape of these captures,
        against the cheapest script run over HTTP in the same run."""
        def median_ms(path, runs=20):
            times = []
            for _ in range(runs):
                t0 = time.perf_counter()
                status, _, body = self.d.get(path, ADMIN)
                times.append(time.perf_counter() - t0)
                self.assertEqual(status, 200)
            return sorted(times)[runs // 2] * 1000, body
        median_ms("/metrics", 2)  # warm
        ping, _ = median_ms("/lua/t/ping.lua")
        scrape, body = median_ms("/metrics")
        _, samples = parse(body)
        print(f"\n  /metrics: {len(body)} bytes, {len(samples)} samples, median {scrape:.2f} ms "
              f"({scrape / ping:.1f}x a trivial script's {ping:.2f} ms); built in "
              f"{one(samples, 'flowlens_metrics_render_seconds') * 1000:.2f} ms")

    # -- who may scrape ------------------------------------------------------------------------
    def test_authentication_required(self):
        for headers in ({}, basic("admin", "wrong"), {"Authorization": "Token " + "0" * 32}):
            status, hdrs, body = self.d.get("/metrics", headers)
            self.assertEqual(status, 401, headers)
            self.assertIn("www-authenticate", hdrs)
            self.assertNotIn(b"flowlens_", body)
        # A token works as Basic does.
        status, _, body = self.d.get(
            "/lua/t/restricted_user.lua?user=scraper&nets=0.0.0.0/0&ifname=", ADMIN)
        self.assertEqual(status, 200)
        token = body.decode().strip()
        _, samples = self.scrape(headers={"Authorization": "Token " + token})
        self.assertEqual(len(values(samples, "flowlens_interface_packets_total")), len(CAPTURES))

    def test_allowed_interface_and_networks_honoured(self):
        state = self.state()
        top = max(state["0"]["hosts"], key=lambda h: h["sent"] + h["rcvd"])
        status, _, body = self.d.get(
            f"/lua/t/restricted_user.lua?user=onlyone&nets={top['ip']}/32"
            f"&ifname={CAPTURES[0]}", ADMIN)
        self.assertEqual(status, 200)
        _, samples = self.scrape(headers={"Authorization": "Token " + body.decode().strip()})
        self.assertEqual([l["ifid"] for l, _ in values(samples, "flowlens_interface_packets_total")],
                         ["0"])
        self.assertEqual(values(samples, "flowlens_interface_packets_total")[0][1],
                         state["0"]["stats"]["stats"]["packets"])
        self.assertEqual([l["ip"] for l, _ in values(samples, "flowlens_top_host_bytes_sent_total")],
                         [top["ip"]])
        # The process's resources and the store are for administrators.
        for family in ("flowlens_resident_memory_bytes", "flowlens_lua_states", "flowlens_store_up"):
            self.assertEqual(values(samples, family), [], family)


class MetricsPrefixTest(unittest.TestCase):
    def test_under_http_prefix_without_logins(self):
        """With --http-prefix the path moves under it; with logins disabled (-l) no credentials
        are needed."""
        with Daemon(interfaces=CAPTURES[:1], extra_args=["--http-prefix", "/flowlens"]) as d:
            status, headers, body = d.get("/flowlens/metrics")
            self.assertEqual((status, headers["content-type"]), (200, CONTENT_TYPE))
            _, samples = parse(body)
            self.assertEqual(len(values(samples, "flowlens_interface_packets_total")), 1)
            self.assertEqual(d.get("/metrics")[0], 404)


if __name__ == "__main__":
    unittest.main()
