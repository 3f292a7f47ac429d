"""REST API v2 read endpoints (get/interface, get/host, get/flow, consts) against a real daemon
reading a capture file: answers agree with each other and with interface.*, paging, sorting
and filters behave, bad parameters get ntopng's codes, and every endpoint's answer matches
httpdocs/openapi.json (python3-jsonschema).

    cd tests/e2e && FLOWLENS_BIN=../../build/flowlens FLOWLENS_SOURCE_DIR=../.. \
        python3 -m unittest -v test_rest_v2
"""
import base64
import json
import os
import tempfile
import time
import unittest
import urllib.parse

import jsonschema

from flowlens_harness import SOURCE, Daemon, raw_exchange

PCAP = os.path.join(SOURCE, "tests/data/pcap/1kxun.pcap")
LOCAL_NET = "192.168.0.0/16"
API = "/lua/rest/v2/"

# interface.* as a script sees it, to compare the endpoints with.
PROBE = r"""
local json = require("dkjson")
interface.select(_GET["ifid"] or "0")
local r = { idle = interface.isIdle(), stats = interface.getStats(), ndpi = interface.getnDPIStats(),
            num_flows = interface.getNumFlows(), num_hosts = interface.getNumHosts(),
            flows_stats = interface.getFlowsStats(), protocols = interface.getnDPIProtocols(),
            categories = interface.getnDPICategories() }
if _GET["host"] then r.host = interface.getHostInfo(_GET["host"]) end
print(json.encode(r))
"""

# The batched walks, groupings and writes of interface.*, as the requesting user sees them.
WALKS = r"""
local json = require("dkjson")
interface.select("0")
local r = { hosts = {}, flows = {}, by_port = {}, groups = {}, grouped = 0 }
local slot = 0
repeat
   local b = interface.getBatchedHostsInfo(slot, false, 5)
   for key, _ in pairs(b.hosts) do r.hosts[#r.hosts + 1] = key end
   slot = b.nextSlot
until slot == 0
slot = 0
repeat
   local b = interface.getBatchedFlowsInfo(slot, {maxHits = 20})
   for _, f in ipairs(b.flows) do r.flows[#r.flows + 1] = {f["cli.ip"], f["srv.ip"]} end
   slot = b.nextSlot
until slot == 0
for _, row in ipairs(interface.getHostsByPort(6, 80, 0, "ip", "asc", 0, 0)) do
   if row.ip then r.by_port[#r.by_port + 1] = row.ip end
end
for _, g in ipairs(interface.getProtocolFlowsStats(4, nil, "bytes_sent", "desc", 0, 999)) do
   if g.client_ip then r.groups[#r.groups + 1] = {g.client_ip, g.server_ip} end
end
for _, g in ipairs(interface.getGroupedFlows("column_ndpi")) do r.grouped = r.grouped + g.num_flows end
r.active_flows = interface.getActiveFlowsStats().numFlows
r.min_outside = interface.getHostMinInfo(_GET["outside"]) ~= nil
r.reset = tostring(interface.resetHostStats(_GET["inside"]))
print(json.encode(r))
"""


def basic(user, pw):
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{pw}".encode()).decode()}


ADMIN_PASSWORD = "rest-Admin-pw-3"
ADMIN = basic("admin", ADMIN_PASSWORD)
ANALYST = basic("analyst", "analyst-pw-1")


class RestV2Test(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        fd, cls.pw_file = tempfile.mkstemp(prefix="flowlens-e2e-pw-")
        with os.fdopen(fd, "w") as f:
            f.write(ADMIN_PASSWORD + "\n")
        cls.d = Daemon(interfaces=(PCAP,), auth=True, scripts={"t/probe.lua": PROBE, "t/walks.lua": WALKS},
                       extra_args=["-m", LOCAL_NET, "--admin-password-file", cls.pw_file])
        cls.d.start()
        deadline = time.time() + 20
        while time.time() < deadline and not cls.probe()["idle"]:
            time.sleep(0.2)
        # Hosts' throughput moves once a second until a sample has passed with no traffic:
        # wait until two reads more than a second apart agree, so the tests below see one
        # state (a sample between two calls changed a list before).
        thpt = None
        deadline = time.time() + 15
        while time.time() < deadline:
            now = sorted((h["key"], h["thpt"]["bps"]) for h in cls.hosts_as_admin())
            if now == thpt:
                break
            thpt = now
            time.sleep(1.2)
        status, _, body = cls.d.post_json(API + "add/ntopng/user.lua", {
            "username": "analyst", "full_name": "A", "password": "analyst-pw-1",
            "user_role": "unprivileged", "allowed_networks": "192.168.2.0/24"}, ADMIN)
        assert status == 200, body
        with open(os.path.join(SOURCE, "httpdocs/openapi.json")) as f:
            cls.openapi = json.load(f)

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()
        os.unlink(cls.pw_file)

    @classmethod
    def hosts_as_admin(cls):
        status, _, body = cls.d.get(API + "get/host/active.lua?ifid=0&all=1", ADMIN)
        assert status == 200, body
        return json.loads(body)["rsp"]["data"]

    @classmethod
    def probe(cls, **params):
        status, _, body = cls.d.get("/lua/t/probe.lua?" + urllib.parse.urlencode(params), ADMIN)
        assert status == 200, body
        return json.loads(body)

    def call(self, path, creds=ADMIN, **params):
        """GET an endpoint; returns (HTTP status, envelope)."""
        status, _, body = self.d.get(API + path + ".lua?" + urllib.parse.urlencode(params), creds)
        return status, json.loads(body)

    def ok(self, path, creds=ADMIN, **params):
        status, env = self.call(path, creds, **params)
        self.assertEqual((status, env["rc"], env["rc_str"]), (200, 0, "OK"), env)
        return env["rsp"]

    def all_hosts(self, creds=ADMIN, **params):
        return self.ok("get/host/active", creds, ifid=0, all=1, **params)["data"]

    def all_flows(self, creds=ADMIN, **params):
        return self.ok("get/flow/active", creds, ifid=0, perPage=1000, **params)

    # -- OpenAPI ------------------------------------------------------------------------------
    def validate(self, path, method, status, answer):
        op = self.openapi["paths"][API + path + ".lua"][method]
        schema = op["responses"][str(status)]["content"]["application/json"]["schema"]
        doc = {"$schema": "https://json-schema.org/draft/2020-12/schema",
               "components": self.openapi["components"], **schema}
        jsonschema.Draft202012Validator(doc).validate(answer)

    def test_openapi_lists_every_endpoint(self):
        on_disk = set()
        root = os.path.join(SOURCE, "scripts/lua/rest/v2")
        for d, _, files in os.walk(root):
            for f in files:
                rel = os.path.relpath(os.path.join(d, f), root)
                if f.endswith(".lua"):
                    on_disk.add(API + rel)
        self.assertLessEqual(on_disk, set(self.openapi["paths"]))

    def test_every_endpoint_matches_openapi(self):
        host = self.all_hosts()[0]["ip"]
        gets = [
            ("get/interface/data", {"ifid": 0}), ("get/interface/address", {"ifid": 0}),
            ("get/interface/dscp/stats", {"ifid": 0}),
            ("get/interface/l7/stats", {"ifid": 0, "ndpistats_mode": "sinceStartup"}),
            ("get/interface/l7/stats", {"ifid": 0, "ndpistats_mode": "count"}),
            ("get/interface/l7/stats", {"ifid": 0, "ndpistats_mode": "sinceStartup", "breed": "true"}),
            ("get/interface/l7/stats", {"ifid": 0, "ndpistats_mode": "sinceStartup", "ndpi_category": "true"}),
            ("get/host/active", {"ifid": 0}), ("get/host/active", {"ifid": 0, "mode": "local"}),
            ("get/host/data", {"ifid": 0, "host": host}),
            ("get/host/data", {"ifid": 0, "host": host, "host_stats_flows": "true", "limit": 3}),
            ("get/host/l7/stats", {"ifid": 0, "host": host}),
            ("get/host/l7/stats", {"ifid": 0, "host": host, "breed": "true"}),
            ("get/host/l7/data", {"ifid": 0, "host": host}),
            ("get/host/l7/data", {"ifid": 0, "host": host, "view": "applications"}),
            ("get/host/l4/data", {"ifid": 0, "host": host}),
            ("get/flow/active", {"ifid": 0}), ("get/flow/active", {"ifid": 0, "verbose": "true"}),
            ("get/flow/active_list", {"ifid": 0, "start": 0, "length": 5}),
            ("get/flow/l4/counters", {"ifid": 0}), ("get/flow/l7/counters", {"ifid": 0}),
            ("get/l7/application/consts", {}), ("get/l7/category/consts", {}),
            ("get/l4/protocol/consts", {}), ("get/network/networks", {"ifid": 0}),
            ("get/ntopng/info", {}), ("get/ntopng/interfaces", {}), ("get/ntopng/users", {}),
            ("get/flowlens/dashboard", {"ifid": 0}),
        ]
        for path, params in gets:
            with self.subTest(path=path, params=params):
                status, env = self.call(path, **params)
                self.assertEqual(status, 200, env)
                self.validate(path, "get", 200, env)
        posts = [  # the write endpoints, on a user of their own
            ("add/ntopng/user", {"username": "schema", "full_name": "S", "password": "schema-pw-1",
                                 "user_role": "unprivileged"}),
            ("edit/ntopng/user", {"username": "schema", "full_name": "T"}),
            ("create/ntopng/api_token", {"username": "schema"}),
            ("create/ntopng/session", {"username": "schema", "duration": 60}),
            ("delete/ntopng/user", {"username": "schema"}),
            ("set/flowlens/prefs", {"rows_per_page": 25}),
        ]
        for path, body in posts:
            with self.subTest(path=path):
                status, _, raw = self.d.post_json(API + path + ".lua", body, ADMIN)
                self.assertEqual(status, 200, raw)
                self.validate(path, "post", 200, json.loads(raw))
        # The schemas are strict enough to notice a wrong type or a missing field.
        _, env = self.call("get/interface/data", ifid=0)
        env["rsp"]["num_flows"] = "12"
        with self.assertRaises(jsonschema.ValidationError):
            self.validate("get/interface/data", "get", 200, env)
        _, env = self.call("get/host/active", ifid=0)
        del env["rsp"]["data"][0]["bytes"]["sent"]
        with self.assertRaises(jsonschema.ValidationError):
            self.validate("get/host/active", "get", 200, env)
        # Errors match their documented schema.
        status, env = self.call("get/host/data", ifid=0, host="10.99.99.99")
        self.validate("get/host/data", "get", status, env)
        status, env = self.call("get/flow/active", ifid=0, perPage="x")
        self.validate("get/flow/active", "get", status, env)

    # -- errors -------------------------------------------------------------------------------
    def test_bad_parameters(self):
        host = self.all_hosts()[0]["ip"]
        cases = [
            ("get/interface/data", {}, 400, "INVALID_INTERFACE"),
            ("get/interface/data", {"ifid": 7}, 400, "INVALID_INTERFACE"),
            ("get/interface/data", {"ifid": "nope"}, 400, "INVALID_INTERFACE"),
            ("get/interface/l7/stats", {"ifid": 0}, 400, "INVALID_ARGUMENTS"),
            ("get/interface/l7/stats", {"ifid": 0, "ndpistats_mode": "x"}, 400, "INVALID_ARGUMENTS"),
            ("get/interface/l7/stats", {"ifid": 0, "ndpistats_mode": "count", "max_values": "-1"}, 400, "INVALID_ARGUMENTS"),
            ("get/host/active", {"ifid": 0, "perPage": "0"}, 400, "INVALID_ARGUMENTS"),
            ("get/host/active", {"ifid": 0, "perPage": "1001"}, 400, "INVALID_ARGUMENTS"),
            ("get/host/active", {"ifid": 0, "currentPage": "9223372036854775807"}, 400, "INVALID_ARGUMENTS"),
            ("get/flow/active", {"ifid": 0, "perPage": "100000"}, 400, "INVALID_ARGUMENTS"),
            ("get/flow/active_list", {"ifid": 0, "length": "100000"}, 400, "INVALID_ARGUMENTS"),
            ("get/host/active", {"ifid": 0, "currentPage": "a"}, 400, "INVALID_ARGUMENTS"),
            ("get/host/active", {"ifid": 0, "sortColumn": "bogus"}, 400, "INVALID_ARGUMENTS"),
            ("get/host/active", {"ifid": 0, "sortOrder": "up"}, 400, "INVALID_ARGUMENTS"),
            ("get/host/active", {"ifid": 0, "mode": "weird"}, 400, "INVALID_ARGUMENTS"),
            ("get/host/active", {"ifid": 0, "version": "5"}, 400, "INVALID_ARGUMENTS"),
            ("get/host/active", {"ifid": 0, "vlan": "4096"}, 400, "INVALID_ARGUMENTS"),
            ("get/host/active", {"ifid": 0, "mac": "zz"}, 400, "INVALID_ARGUMENTS"),
            ("get/host/active", {"ifid": 9}, 400, "INVALID_INTERFACE"),
            ("get/host/data", {"ifid": 0}, 400, "INVALID_ARGUMENTS"),
            ("get/host/data", {"ifid": 0, "host": "not-an-ip"}, 400, "INVALID_ARGUMENTS"),
            ("get/host/data", {"ifid": 0, "host": host + "@x"}, 400, "INVALID_ARGUMENTS"),
            ("get/host/data", {"ifid": 0, "host": "10.99.99.99"}, 404, "NOT_FOUND"),
            ("get/host/data", {"host": host}, 400, "INVALID_INTERFACE"),
            ("get/host/l7/stats", {"ifid": 0, "host": "10.99.99.99"}, 404, "NOT_FOUND"),
            ("get/host/l7/data", {"ifid": 0, "host": host, "view": "x"}, 400, "INVALID_ARGUMENTS"),
            ("get/host/l4/data", {"ifid": 0, "host": "::99"}, 404, "NOT_FOUND"),
            ("get/flow/active", {"ifid": 0, "l4proto": "NOPE"}, 400, "INVALID_ARGUMENTS"),
            ("get/flow/active", {"ifid": 0, "application": "NoSuchApp"}, 400, "INVALID_ARGUMENTS"),
            ("get/flow/active", {"ifid": 0, "port": "70000"}, 400, "INVALID_ARGUMENTS"),
            ("get/flow/active", {"ifid": 0, "host": "x.y"}, 400, "INVALID_ARGUMENTS"),
            ("get/flow/active_list", {"ifid": 0, "sort": "nope"}, 400, "INVALID_ARGUMENTS"),
            ("get/flow/active_list", {"ifid": 0, "start": "-1", "length": "5"}, 400, "INVALID_ARGUMENTS"),
            ("get/flow/l4/counters", {}, 400, "INVALID_INTERFACE"),
            ("get/flow/l7/counters", {"ifid": 3}, 400, "INVALID_INTERFACE"),
            ("get/network/networks", {}, 400, "INVALID_INTERFACE"),
        ]
        for path, params, code, rc_str in cases:
            with self.subTest(path=path, params=params):
                status, env = self.call(path, **params)
                self.assertEqual((status, env["rc_str"]), (code, rc_str), env)
                self.validate(path, "get", status, env)

    def test_json_body_parameters(self):
        # ntopng's documented form: curl -d '{"ifid": "0"}' to a get/ endpoint.
        status, _, body = self.d.post_json(API + "get/interface/data.lua", {"ifid": "0"}, ADMIN)
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body)["rsp"]["ifid"], "0")

    # -- interface ----------------------------------------------------------------------------
    def test_interface_data_agrees_with_interface(self):
        p = self.probe()
        rsp = self.ok("get/interface/data", ifid=0)
        self.assertEqual(rsp["packets"], p["stats"]["stats"]["packets"])
        self.assertEqual(rsp["bytes"], p["stats"]["stats"]["bytes"])
        self.assertEqual(rsp["num_flows"], p["num_flows"])
        self.assertEqual(rsp["num_hosts"], p["num_hosts"])
        self.assertEqual(rsp["num_local_hosts"] + rsp["num_remote_hosts"], rsp["num_hosts"])
        self.assertEqual(rsp["ifname"], PCAP)
        self.assertTrue(rsp["is_pcap_dump"])
        self.assertEqual(self.ok("get/interface/data", ifid=PCAP)["ifid"], "0")  # by name too
        self.assertEqual(self.ok("get/interface/address", ifid=0), {"addresses": []})

    def test_l7_stats_sums(self):
        p = self.probe()
        total = sum(v["bytes"] for v in p["ndpi"]["ndpi"].values())
        for extra in ({}, {"breed": "true"}, {"ndpi_category": "true"}, {"collapse_stats": "false"}):
            with self.subTest(extra=extra):
                rsp = self.ok("get/interface/l7/stats", ifid=0, ndpistats_mode="sinceStartup", **extra)
                self.assertEqual(sum(s["value"] for s in rsp), total)
                values = [s["value"] for s in rsp if s["label"] != "Other"]
                self.assertEqual(values, sorted(values, reverse=True))
        # All IP traffic is in some application: together at most the interface's bytes.
        self.assertLessEqual(total, p["stats"]["stats"]["bytes"])
        full = self.ok("get/interface/l7/stats", ifid=0, ndpistats_mode="sinceStartup", collapse_stats="false")
        self.assertEqual({s["label"]: s["value"] for s in full},
                         {k: v["bytes"] for k, v in p["ndpi"]["ndpi"].items() if v["bytes"] > 0})
        self.assertTrue(all(s["url"].endswith("application=" + s["label"]) for s in full))
        count = self.ok("get/interface/l7/stats", ifid=0, ndpistats_mode="count")
        self.assertEqual(sum(s["value"] for s in count), p["flows_stats"]["num_flows"])
        every = self.ok("get/interface/l7/stats", ifid=0, ndpistats_mode="count", all_values="true")
        self.assertEqual(sum(s["value"] for s in every), p["flows_stats"]["num_flows"])
        one = self.ok("get/interface/l7/stats", ifid=0, ndpistats_mode="count", max_values=1)
        self.assertLessEqual(len([s for s in one if s["label"] != "Other"]), 1)
        self.assertEqual(sum(s["value"] for s in one), p["flows_stats"]["num_flows"])
        # DSCP: every flow's packets under the class of its first packet, named as ntopng names them.
        by_code = p["stats"]["dscp"]
        by_code = by_code.values() if isinstance(by_code, dict) else by_code
        dscp = self.ok("get/interface/dscp/stats", ifid=0)
        self.assertGreater(len(dscp), 0)
        self.assertEqual(sum(s["value"] for s in dscp), sum(v["packets"] for v in by_code))
        self.assertEqual(sum(s["value"] for s in dscp),
                         sum(v["packets"] for v in p["stats"]["l4_protocols"].values()))
        self.assertIn("Best Effort (CS0)", [s["label"] for s in dscp])

    # -- hosts --------------------------------------------------------------------------------
    def test_host_active_totals_paging_sorting(self):
        p = self.probe()
        hosts = self.all_hosts()
        rsp = self.ok("get/host/active", ifid=0, perPage=5)
        self.assertEqual(rsp["totalRows"], p["num_hosts"])
        self.assertEqual(len(hosts), p["num_hosts"])
        self.assertEqual((rsp["currentPage"], rsp["perPage"], len(rsp["data"])), (1, 5, 5))
        self.assertEqual(rsp["sort"], [["column_traffic", "desc"]])
        # Every byte a host sent, another host received.
        self.assertEqual(sum(h["bytes"]["sent"] for h in hosts), sum(h["bytes"]["recvd"] for h in hosts))
        for h in hosts:
            self.assertEqual(h["bytes"]["total"], h["bytes"]["sent"] + h["bytes"]["recvd"])
            self.assertEqual(h["num_flows"]["total"], h["num_flows"]["as_client"] + h["num_flows"]["as_server"])
        # Active flows seen from both ends: each flow counts once per end.
        self.assertEqual(sum(h["num_flows"]["total"] for h in hosts), 2 * p["num_flows"])
        # Pages put together are the whole list, in order, without repeats.
        pages = []
        for n in range(1, (len(hosts) + 6) // 7 + 1):
            pages += self.ok("get/host/active", ifid=0, perPage=7, currentPage=n)["data"]
        self.assertEqual([h["key"] for h in pages], [h["key"] for h in hosts])
        totals = [h["bytes"]["total"] for h in hosts]
        self.assertEqual(totals, sorted(totals, reverse=True))
        asc = self.ok("get/host/active", ifid=0, perPage=1000, sortColumn="traffic", sortOrder="asc")["data"]
        self.assertEqual([h["bytes"]["total"] for h in asc], sorted(totals))
        first = self.ok("get/host/active", ifid=0, perPage=1000, sortColumn="column_since", sortOrder="asc")["data"]
        self.assertEqual([h["first_seen"] for h in first], sorted(h["first_seen"] for h in hosts))
        flows = self.ok("get/host/active", ifid=0, perPage=1000, sortColumn="num_flows", sortOrder="desc")["data"]
        self.assertEqual([h["num_flows"]["total"] for h in flows],
                         sorted((h["num_flows"]["total"] for h in hosts), reverse=True))
        beyond = self.ok("get/host/active", ifid=0, perPage=10, currentPage=1000)
        self.assertEqual((beyond["data"], beyond["totalRows"]), ([], p["num_hosts"]))
        # With ties (many hosts share a country, an AS, a flow count), pages still put together
        # into the one-page list: ties are broken the same way on every page.
        for column, order in (("country", "desc"), ("asn", "desc"), ("num_flows", "desc"),
                              ("since", "asc"), ("thpt", "desc"), ("vlan", "asc")):
            whole = self.ok("get/host/active", ifid=0, perPage=1000, sortColumn=column,
                            sortOrder=order)["data"]
            paged = []
            for n in range(1, (len(whole) + 6) // 7 + 1):
                paged += self.ok("get/host/active", ifid=0, perPage=7, currentPage=n,
                                 sortColumn=column, sortOrder=order)["data"]
            self.assertEqual([h["key"] for h in paged], [h["key"] for h in whole], column + order)

    def test_host_active_filters(self):
        hosts = self.all_hosts()
        local = self.all_hosts(mode="local")
        remote = self.all_hosts(mode="remote")
        self.assertTrue(local and all(h["is_localhost"] for h in local))
        self.assertFalse(any(h["is_localhost"] for h in remote))
        self.assertEqual(len(local) + len(remote), len(hosts))
        self.assertEqual(len(local), self.ok("get/interface/data", ifid=0)["num_local_hosts"])
        v4 = self.all_hosts(version=4)
        self.assertEqual(len(v4), len([h for h in hosts if ":" not in h["ip"]]))
        cidr = self.all_hosts(network_cidr=LOCAL_NET)
        self.assertEqual(sorted(h["key"] for h in cidr), sorted(h["key"] for h in local))
        # Throughput is left out: a sample may fall between the two calls.
        steady = lambda hs: [{k: v for k, v in h.items() if k != "thpt"} for h in hs]
        self.assertEqual(steady(self.all_hosts(network=0)), steady(local))
        http = self.ok("get/l7/application/consts")
        http_id = next(a["appl_id"] for a in http if a["name"] == "HTTP")
        with_http = self.all_hosts(protocol=http_id)
        self.assertTrue(0 < len(with_http) <= len(hosts))
        self.assertEqual(self.all_hosts(vlan=4000), [])

    def test_host_endpoints_agree(self):
        for h in self.all_hosts()[:5]:
            with self.subTest(host=h["ip"]):
                p = self.probe(host=h["ip"])["host"]
                data = self.ok("get/host/data", ifid=0, host=h["ip"])
                for k in ("bytes.sent", "bytes.rcvd", "packets.sent", "seen.first", "localhost", "ndpi"):
                    self.assertEqual(data[k], p[k], k)
                self.assertEqual(data["bytes.sent"], h["bytes"]["sent"])
                self.assertEqual(self.ok("get/host/data", ifid=0, host=h["ip"] + "@0")["ip"], h["ip"])
                total = data["bytes.sent"] + data["bytes.rcvd"]
                l4 = self.ok("get/host/l4/data", ifid=0, host=h["ip"])
                self.assertEqual(sum(r["total_bytes"] for r in l4), total)
                self.assertAlmostEqual(sum(r["total_percentage"] for r in l4), 100, delta=0.1)
                ndpi_bytes = sum(v["bytes.sent"] + v["bytes.rcvd"] for v in data["ndpi"].values())
                for extra in ({}, {"breed": "true"}, {"ndpi_category": "true"}):
                    l7 = self.ok("get/host/l7/stats", ifid=0, host=h["ip"], **extra)
                    self.assertEqual(sum(s["value"] for s in l7), ndpi_bytes)
                cats = self.ok("get/host/l7/data", ifid=0, host=h["ip"])
                apps = self.ok("get/host/l7/data", ifid=0, host=h["ip"], view="applications")
                self.assertEqual(sum(c["tot_bytes"] for c in cats), ndpi_bytes)
                self.assertEqual(sum(a["tot_bytes"] for a in apps), ndpi_bytes)
                if ndpi_bytes:
                    self.assertAlmostEqual(sum(a["percentage"] for a in apps), 100, delta=0.01)
                self.assertEqual({a["application"]["label"] for a in apps}, set(data["ndpi"]))
                flows = self.ok("get/host/data", ifid=0, host=h["ip"], host_stats_flows="true",
                                host_stats="false")
                self.assertEqual(flows["flows_count"], h["num_flows"]["total"])
                self.assertNotIn("ip", flows)

    # -- flows --------------------------------------------------------------------------------
    def test_flow_counts_agree(self):
        p = self.probe()
        flows = self.all_flows()
        self.assertEqual(flows["totalRows"], p["num_flows"])
        self.assertEqual(len(flows["data"]), p["num_flows"])
        l4 = self.ok("get/flow/l4/counters", ifid=0)
        l7 = self.ok("get/flow/l7/counters", ifid=0)
        self.assertEqual(sum(c["count"] for c in l4), p["num_flows"])
        self.assertEqual(sum(c["count"] for c in l7), p["num_flows"])
        self.assertEqual([c["name"] for c in l7], sorted(c["name"] for c in l7))
        for c in l4:
            self.assertEqual(self.all_flows(l4proto=c["id"])["totalRows"], c["count"])
        for c in l7:
            # The filter also matches flows whose master protocol it is (TLS.Google for TLS).
            self.assertGreaterEqual(self.all_flows(application=c["name"])["totalRows"], c["count"], c)
        self.assertEqual(self.all_flows(l4proto="TCP")["totalRows"],
                         sum(c["count"] for c in l4 if c["id"] == 6))
        lst = self.ok("get/flow/active_list", ifid=0, start=0, length=1000)
        _, env = self.call("get/flow/active_list", ifid=0, start=0, length=3)
        self.assertEqual(env["recordsTotal"], p["num_flows"])
        self.assertEqual(len(lst), p["num_flows"])
        self.assertEqual(sum(f["bytes"]["total"] for f in lst), sum(f["bytes"] for f in flows["data"]))
        for f in lst:
            self.assertEqual(f["bytes"]["total"], f["bytes"]["cli_bytes"] + f["bytes"]["srv_bytes"])
        # start and length each default (0 and 10) when only the other is given.
        self.assertEqual(len(self.ok("get/flow/active_list", ifid=0, length=3)), 3)
        self.assertEqual(self.ok("get/flow/active_list", ifid=0, start=2)[:1], lst[2:3])

    def test_flow_paging_sorting_filters(self):
        flows = self.all_flows()["data"]
        sizes = [f["bytes"] for f in flows]
        self.assertEqual(sizes, sorted(sizes, reverse=True))
        pages = []
        for n in range(1, (len(flows) + 4) // 5 + 1):
            pages += self.ok("get/flow/active", ifid=0, perPage=5, currentPage=n)["data"]
        self.assertEqual([(f["key"], f["hash_id"]) for f in pages], [(f["key"], f["hash_id"]) for f in flows])
        asc = self.all_flows(sortColumn="bytes", sortOrder="asc")["data"]
        self.assertEqual([f["bytes"] for f in asc], sorted(sizes))
        first = self.all_flows(sortColumn="first_seen", sortOrder="asc")["data"]
        self.assertEqual([f["first_seen"] for f in first], sorted(f["first_seen"] for f in flows))
        lst = [self.ok("get/flow/active_list", ifid=0, start=s, length=4, sort="bytes", order="desc")
               for s in range(0, len(flows), 4)]
        self.assertEqual([f["bytes"]["total"] for page in lst for f in page], sizes)
        # A host's flows: as many as its active flows, each with it at one end.
        for h in self.all_hosts()[:3]:
            mine = self.all_flows(host=h["ip"])
            self.assertEqual(mine["totalRows"], h["num_flows"]["total"])
            self.assertTrue(all(h["ip"] in (f["client"]["ip"], f["server"]["ip"]) for f in mine["data"]))
        port = flows[0]["server"]["port"]
        by_port = self.all_flows(port=port)["data"]
        self.assertTrue(by_port and all(port in (f["client"]["port"], f["server"]["port"]) for f in by_port))
        for f in flows:
            self.assertEqual(f["breakdown"]["cli2srv"] + f["breakdown"]["srv2cli"], 100)
        verbose = self.ok("get/flow/active", ifid=0, perPage=1, verbose="true")["data"][0]
        self.assertIn("packets", verbose)

    # -- constants and networks ---------------------------------------------------------------
    def test_consts(self):
        p = self.probe()
        apps = self.ok("get/l7/application/consts")
        self.assertEqual({a["name"]: a["appl_id"] for a in apps}, p["protocols"])
        cats = self.ok("get/l7/category/consts")
        self.assertEqual({c["name"]: c["cat_id"] for c in cats}, p["categories"])
        cat_of = {a["appl_id"]: a["cat_id"] for a in apps}
        for c in cats:
            for a in c["app_list"]:
                self.assertEqual(cat_of[int(a["id"])], c["cat_id"])
        l4 = self.ok("get/l4/protocol/consts")
        self.assertIn({"name": "TCP", "other": "tcp", "id": 6}, l4)
        self.assertEqual(self.ok("get/network/networks", ifid=0),
                         [{"id": LOCAL_NET, "label": LOCAL_NET, "network_id": 0}])

    def test_users_never_show_password_hashes(self):
        users = self.ok("get/ntopng/users")
        self.assertIn("analyst", users)
        text = json.dumps(users).lower()
        self.assertNotIn("password", text)
        self.assertNotIn("argon2", text)
        status, env = self.call("get/ntopng/users", ANALYST)
        self.assertEqual((status, env["rc_str"]), (401, "NOT_GRANTED"))

    # -- users' allowed networks --------------------------------------------------------------
    def test_allowed_networks(self):
        def inside(ip):
            return ip.startswith("192.168.2.")
        hosts = self.all_hosts(ANALYST)
        self.assertTrue(hosts)
        self.assertTrue(all(inside(h["ip"]) for h in hosts))
        self.assertEqual(self.ok("get/host/active", ANALYST, ifid=0)["totalRows"], len(hosts))
        outside = next(h["ip"] for h in self.all_hosts() if not inside(h["ip"]))
        status, env = self.call("get/host/data", ANALYST, ifid=0, host=outside)
        self.assertEqual((status, env["rc_str"]), (404, "NOT_FOUND"))
        flows = self.all_flows(ANALYST)
        self.assertTrue(all(inside(f["client"]["ip"]) or inside(f["server"]["ip"]) for f in flows["data"]))
        counters = self.ok("get/flow/l7/counters", ANALYST, ifid=0)
        self.assertEqual(sum(c["count"] for c in counters), flows["totalRows"])

    def test_live_traffic_rights_errors_and_framing(self):
        """get/pcap/live_traffic: who may, errors before anything is streamed, and the pcap
        framing (chunked for HTTP/1.1, raw for 1.0). The capture file was read to its end, so a
        capture gets no packets here: the answer is the pcap file header alone (the test with
        packets replays into a veth pair: test_live_capture.py)."""
        path = API + "get/pcap/live_traffic.lua?"
        status, env = self.call("get/pcap/live_traffic", ANALYST, ifid=0, duration=1)
        self.assertEqual((status, env["rc_str"]), (401, "NOT_GRANTED"))  # no pcap download right
        status, env = self.call("get/pcap/live_traffic", ADMIN, ifid=0, duration=1, host="10.9.9.9")
        self.assertEqual((status, env["rc_str"]), (404, "NOT_FOUND"))
        status, env = self.call("get/pcap/live_traffic", ADMIN, ifid=0, duration=1, bpf_filter="tcp and")
        self.assertEqual((status, env["rc_str"]), (400, "INVALID_ARGUMENTS"))
        self.assertIn("bad BPF filter 'tcp and'", env["rsp"]["error"])

        status, headers, body = self.d.get(path + urllib.parse.urlencode(
            {"ifid": 0, "duration": 1, "bpf_filter": "tcp"}), ADMIN)
        self.assertEqual(status, 200, body[:300])
        self.assertEqual(headers["content-type"], "application/vnd.tcpdump.pcap")
        self.assertEqual(headers.get("transfer-encoding"), "chunked")
        self.assertEqual(body[:4], b"\xd4\xc3\xb2\xa1")  # the header, in this machine's order
        self.assertEqual(len(body), 24)
        # The last chunk ends the body: the connection serves the next request.
        auth = "".join(f"{k}: {v}\r\n" for k, v in ADMIN.items())
        pipelined = (f"GET {path}ifid=0&duration=0 HTTP/1.1\r\nHost: x\r\n{auth}\r\n"
                     f"GET {API}get/ntopng/info.lua HTTP/1.1\r\nHost: x\r\n{auth}"
                     "Connection: close\r\n\r\n").encode()
        raw = raw_exchange(self.d.port, pipelined, timeout=10)
        self.assertEqual(raw.count(b"HTTP/1.1 200 OK"), 2, raw[:600])
        self.assertIn(b"\r\n18\r\n\xd4\xc3\xb2\xa1", raw)  # a 24-byte chunk: the pcap header
        self.assertIn(b"\r\n0\r\n\r\nHTTP/1.1 200 OK", raw)
        # HTTP/1.0: no chunks, the body ends with the connection.
        request = (f"GET {path}ifid=0&duration=1 HTTP/1.0\r\n" + "".join(
            f"{k}: {v}\r\n" for k, v in ADMIN.items()) + "\r\n").encode()
        raw = raw_exchange(self.d.port, request, timeout=10)
        head, _, raw_body = raw.partition(b"\r\n\r\n")
        self.assertTrue(head.startswith(b"HTTP/1.1 200") or head.startswith(b"HTTP/1.0 200"), head)
        self.assertNotIn(b"chunked", head.lower())
        self.assertEqual(raw_body[:4], b"\xd4\xc3\xb2\xa1")
        self.assertEqual(len(raw_body), 24)

        # A user with the right but kept to networks: a filter that would undo the networks
        # (reopening a parenthesis of a filter built as text) does not compile on its own.
        status, _, body = self.d.post_json(API + "add/ntopng/user.lua", {
            "username": "capturer", "full_name": "C", "password": "capturer-pw-1",
            "user_role": "unprivileged", "allowed_networks": "192.168.2.0/24",
            "allow_pcap_download": "true"}, ADMIN)
        self.assertEqual(status, 200, body)
        capturer = basic("capturer", "capturer-pw-1")
        status, env = self.call("get/pcap/live_traffic", capturer, ifid=0, duration=1,
                                bpf_filter="ip) or (ip")
        self.assertEqual((status, env["rc_str"]), (400, "INVALID_ARGUMENTS"))
        status, headers, body = self.d.get(path + urllib.parse.urlencode(
            {"ifid": 0, "duration": 1, "bpf_filter": "ip"}), capturer)
        self.assertEqual((status, len(body)), (200, 24), body[:300])
        outside = next(h["ip"] for h in self.all_hosts() if not h["ip"].startswith("192.168.2."))
        status, env = self.call("get/pcap/live_traffic", capturer, ifid=0, duration=1, host=outside)
        self.assertEqual((status, env["rc_str"]), (404, "NOT_FOUND"))  # not a host it may see

    def test_allowed_networks_in_walks_groupings_and_writes(self):
        """interface.*'s batched walks, flow groupings and lookups keep to the user's allowed
        networks, and the resets are for administrators."""
        def inside(ip):
            return ip.startswith("192.168.2.")
        outside = next(h["ip"] for h in self.all_hosts() if not inside(h["ip"]))
        # The reset names no active host: the class's daemon is shared, its counters must stay.
        query = urllib.parse.urlencode({"outside": outside, "inside": "192.168.2.250"})
        answers = {}
        for who, creds in (("admin", ADMIN), ("analyst", ANALYST)):
            status, _, body = self.d.get("/lua/t/walks.lua?" + query, creds)
            self.assertEqual(status, 200, body)
            answers[who] = json.loads(body)
        admin, analyst = answers["admin"], answers["analyst"]
        # The analyst walks the hosts inside, and every one of them.
        self.assertTrue(analyst["hosts"] and all(inside(k) for k in analyst["hosts"]))
        self.assertEqual(sorted(analyst["hosts"]), sorted(k for k in admin["hosts"] if inside(k)))
        self.assertEqual(len(admin["hosts"]), len(self.all_hosts()))
        # Flows with an end inside, and every one of them.
        self.assertTrue(all(inside(c) or inside(s) for c, s in analyst["flows"]))
        self.assertEqual(len(analyst["flows"]),
                         len([f for f in admin["flows"] if inside(f[0]) or inside(f[1])]))
        self.assertEqual(analyst["active_flows"], len(analyst["flows"]))
        self.assertEqual(analyst["grouped"], len(analyst["flows"]))
        self.assertLess(len(analyst["hosts"]), len(admin["hosts"]))
        # Every active flow here has an end in 192.168.2.0/24 (all 192.168.2.126): a user
        # allowed one outside server sees some of them, and the flow views must agree on which.
        ends = [ip for f in admin["flows"] for ip in f if not inside(ip)]
        pick = max(set(ends), key=ends.count)
        mine = [f for f in admin["flows"] if pick in f]
        self.assertTrue(0 < len(mine) < len(admin["flows"]), (pick, admin["flows"]))
        status, _, body = self.d.post_json(API + "add/ntopng/user.lua", {
            "username": "narrow", "full_name": "N", "password": "narrow-pw-1",
            "user_role": "unprivileged", "allowed_networks": pick + "/32"}, ADMIN)
        self.assertEqual(status, 200, body)
        status, _, body = self.d.get("/lua/t/walks.lua?" + query, basic("narrow", "narrow-pw-1"))
        self.assertEqual(status, 200, body)
        narrow = json.loads(body)
        self.assertEqual(sorted(map(tuple, narrow["flows"])), sorted(map(tuple, mine)))
        self.assertEqual(narrow["active_flows"], len(mine))
        self.assertEqual(narrow["grouped"], len(mine))
        self.assertTrue(narrow["groups"] and all(pick in g for g in narrow["groups"]))
        self.assertEqual(narrow["hosts"], [pick])
        self.assertTrue(all(inside(c) or inside(s) for c, s in analyst["groups"]))
        # Port 80's servers are outside, reached from inside: the analyst sees them too.
        self.assertTrue(analyst["by_port"])
        self.assertEqual(admin["min_outside"], True)
        self.assertEqual(analyst["min_outside"], False)
        self.assertEqual(analyst["reset"], "nil")  # refused
        self.assertEqual(admin["reset"], "false")  # allowed; no such host


if __name__ == "__main__":
    unittest.main()


class LiveInterfaceAddressTest(unittest.TestCase):
    def test_addresses_of_a_live_interface(self):
        # A capture file has no addresses (ntopng's recorded answer: []); lo has 127.0.0.1.
        with Daemon(interfaces=("lo",)) as d:
            status, _, body = d.get("/lua/rest/v2/get/interface/address.lua?ifid=0")
            self.assertEqual(status, 200, body)
            self.assertIn("127.0.0.1", json.loads(body)["rsp"]["addresses"])
