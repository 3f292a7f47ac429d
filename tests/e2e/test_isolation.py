"""Every HTTP request runs in a fresh global environment, as in ntopng where each request gets its
own Lua VM: globals, _GET/_POST and package.path never carry over from one request to another,
also when a small pool of Lua states serves many concurrent requests."""
import concurrent.futures
import json
import unittest
import urllib.parse
import uuid

from flowlens_harness import Daemon

SCRIPTS = {
    # Sets globals in every way a script can, after reporting any it finds from an earlier run.
    "iso/set_globals.lua": """
local real_print = print
local found = {}
if leak_plain ~= nil then found[#found + 1] = "leak_plain=" .. tostring(leak_plain) end
if _G.leak_g ~= nil then found[#found + 1] = "leak_g=" .. tostring(_G.leak_g) end
if rawget(_G, "leak_raw") ~= nil then found[#found + 1] = "leak_raw" end
if leak_fn ~= nil then found[#found + 1] = "leak_fn" end
if leak_counter ~= nil then found[#found + 1] = "leak_counter=" .. tostring(leak_counter) end
if isEmptyString("") ~= true then found[#found + 1] = "isEmptyString" end
leak_plain = _GET["v"] or "set"
_G.leak_g = _GET["v"] or "set"
rawset(_G, "leak_raw", true)
function leak_fn() return 1 end
leak_counter = (leak_counter or 0) + 1
-- Shadow library globals too: the next request must see the originals.
isEmptyString = function() return "hijacked" end
print = function() end
real_print(#found == 0 and "clean" or table.concat(found, ","))
""",
    # Only reads: reports the globals another script set and whether library globals are intact.
    "iso/read_globals.lua": """
local parts = {}
parts[#parts + 1] = "plain=" .. tostring(leak_plain)
parts[#parts + 1] = "g=" .. tostring(_G.leak_g)
parts[#parts + 1] = "raw=" .. tostring(rawget(_G, "leak_raw"))
parts[#parts + 1] = "fn=" .. tostring(leak_fn)
parts[#parts + 1] = "counter=" .. tostring(leak_counter)
parts[#parts + 1] = "isEmptyString=" .. tostring(isEmptyString(""))
print(table.concat(parts, ";"))
""",
    # _GET and _POST of this request only, as sorted JSON.
    "iso/params.lua": """
local json = require("dkjson")
local function keys(t)
  local out = {}
  for k, v in pairs(t) do out[#out + 1] = k .. "=" .. v end
  table.sort(out)
  return out
end
sendHTTPHeader("application/json")
print(json.encode({ get = keys(_GET), post = keys(_POST), user = _SESSION["user"] }))
""",
    # Sets a global to this request's value, sleeps so that other requests run meanwhile, and
    # checks that nothing changed it; a module function reads _GET as a real global.
    "iso/concurrent.lua": """
local probe = require("e2e_iso_probe")
local mine = _GET["v"]
if mine == nil then print("NO-PARAM") return end
if my_value ~= nil then print("LEFTOVER:" .. tostring(my_value)) return end
if _G.my_value_g ~= nil then print("LEFTOVER-G:" .. tostring(_G.my_value_g)) return end
if probe.get_v() ~= mine then print("MODULE-GET-BEFORE:" .. tostring(probe.get_v())) return end
my_value = mine
_G.my_value_g = mine
ntop.msleep(3)
if my_value ~= mine then print("CHANGED:" .. tostring(my_value)) return end
if _G.my_value_g ~= mine then print("CHANGED-G:" .. tostring(_G.my_value_g)) return end
if _GET["v"] ~= mine then print("GET-CHANGED:" .. tostring(_GET["v"])) return end
if probe.get_v() ~= mine then print("MODULE-GET-AFTER:" .. tostring(probe.get_v())) return end
print("OK:" .. my_value)
""",
    "iso/probe.lua": 'print(tostring(require("e2e_iso_probe").get_v()))',
    "iso/mutate_libraries.lua": """
local rest_utils = require("rest_utils")
local json = require("dkjson")
string.e2e_leak = "x"
table.e2e_leak = "x"
ntop.e2e_leak = "x"
ntop.getInfo = "replaced"
interface.e2e_leak = "x"
rest_utils.e2e_leak = "x"
-- rest_utils.consts are read-only: changing a constant is refused outright.
local ok, err = pcall(function() rest_utils.consts.success.ok.http_code = 299 end)
if ok or not tostring(err):find("read%-only") then print("consts writable: " .. tostring(err)) return end
json.e2e_leak = "x"
print("mutated")
""",
    "iso/read_libraries.lua": """
local rest_utils = require("rest_utils")
local json = require("dkjson")
print(table.concat({"string=" .. tostring(string.e2e_leak), "table=" .. tostring(table.e2e_leak),
  "ntop=" .. tostring(ntop.e2e_leak), "getInfo=" .. type(ntop.getInfo),
  "interface=" .. tostring(interface.e2e_leak),
  "rest_ok_http=" .. tostring(rest_utils.consts.success.ok.http_code),
  "rest_utils=" .. tostring(rest_utils.e2e_leak),
  "json=" .. tostring(json.e2e_leak)}, ";"))
""",
    # Prepends to package.path as every ntopng script does.
    "iso/package_path.lua": """
local dirs = ntop.getDirs()
package.path = dirs.installdir .. "/scripts/lua/modules/?.lua;" .. package.path
print(package.path)
""",
}

# A module in the modules directory: its functions see the real globals, not the run's environment.
PROBE_MODULE = """
local M = {}
function M.get_v() return _GET and _GET["v"] end
return M
"""
FILES = {"scripts/lua/modules/e2e_iso_probe.lua": PROBE_MODULE}


class SequentialIsolationTest(unittest.TestCase):
    """One Lua state (--lua-states 1): every request reuses the state the previous one ran in."""

    @classmethod
    def setUpClass(cls):
        cls.d = Daemon(extra_args=["--lua-states", "1"], scripts=SCRIPTS, files=FILES)
        cls.d.start()

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()

    def read_globals(self):
        status, _, body = self.d.get("/lua/iso/read_globals.lua")
        self.assertEqual(status, 200, body)
        return body.decode()

    def test_globals_do_not_survive_the_request(self):
        for i in range(10):
            status, _, body = self.d.get(f"/lua/iso/set_globals.lua?v=r{i}")
            self.assertEqual(status, 200, body)
            self.assertEqual(body, b"clean", f"request {i}")
        clean = "plain=nil;g=nil;raw=nil;fn=nil;counter=nil;isEmptyString=true"
        self.assertEqual(self.read_globals(), clean)

    def test_each_request_starts_clean(self):
        probe = ("local n = (seen or 0) + 1; seen = n; print(n, ',', tostring(leak_plain))")
        with Daemon(extra_args=["--lua-states", "1"],
                    scripts={"iso/count.lua": probe, **SCRIPTS}) as d:
            for i in range(20):
                status, _, body = d.get("/lua/iso/count.lua")
                self.assertEqual((status, body), (200, b"1,nil"), f"request {i}")
                status, _, _ = d.get(f"/lua/iso/set_globals.lua?v={i}")
                self.assertEqual(status, 200)

    def test_library_tables_are_not_shared_between_requests(self):
        # In ntopng each request has its own VM, so a script that adds to or replaces a field of
        # a library table (string, table, ntop, interface, a preloaded module) affects only itself.
        # Its own daemon: when this fails, the damage stays out of the other tests.
        with Daemon(extra_args=["--lua-states", "1"], scripts=SCRIPTS) as d:
            status, _, body = d.get("/lua/iso/mutate_libraries.lua")
            self.assertEqual((status, body), (200, b"mutated"))
            status, _, body = d.get("/lua/iso/read_libraries.lua")
            self.assertEqual(status, 200, body)
            self.assertEqual(body.decode(), "string=nil;table=nil;ntop=nil;getInfo=function;"
                             "interface=nil;rest_ok_http=200;rest_utils=nil;json=nil")

    def test_get_and_post_do_not_leak(self):
        status, _, doc = self.d.get_json("/lua/iso/params.lua?a=1&b=2")
        self.assertEqual(status, 200)
        self.assertEqual(doc, {"get": ["a=1", "b=2"], "post": [], "user": "admin"})
        status, _, body = self.d.post_form("/lua/iso/params.lua?g=1", {"p": "x", "q": "y"})
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body), {"get": ["g=1"], "post": ["p=x", "q=y"],
                                            "user": "admin"})
        status, _, doc = self.d.get_json("/lua/iso/params.lua?c=3")
        self.assertEqual(doc, {"get": ["c=3"], "post": [], "user": "admin"})
        status, _, doc = self.d.get_json("/lua/iso/params.lua")
        self.assertEqual(doc, {"get": [], "post": [], "user": "admin"})
        # A module function reads _GET from the real globals: there it is this request's too.
        status, _, body = self.d.get("/lua/iso/probe.lua?v=first")
        self.assertEqual((status, body), (200, b"first"))
        status, _, body = self.d.get("/lua/iso/probe.lua")
        self.assertEqual((status, body), (200, b"nil"))
        status, _, body = self.d.post_json("/lua/iso/params.lua", {"j": "1"})
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body)["get"], [])
        status, _, doc = self.d.get_json("/lua/iso/params.lua?z=0")
        self.assertEqual(doc["post"], [])

    def test_package_path_does_not_grow(self):
        status, _, first = self.d.get("/lua/iso/package_path.lua")
        self.assertEqual(status, 200, first)
        modules = first.decode().split(";")[0]
        self.assertTrue(modules.endswith("/scripts/lua/modules/?.lua"), modules)
        for i in range(200):
            status, _, body = self.d.get("/lua/iso/package_path.lua")
            self.assertEqual(status, 200)
            self.assertEqual(body, first, f"package.path changed at request {i + 2}")


class ConcurrentIsolationTest(unittest.TestCase):
    THREADS = 16
    REQUESTS = 30

    def test_concurrent_requests_never_see_each_others_globals(self):
        with Daemon(extra_args=["--lua-states", "4"], scripts=SCRIPTS, files=FILES) as d:
            run_id = uuid.uuid4().hex[:8]

            def worker(t):
                bad = []
                conn = d.connection(timeout=30)
                try:
                    for i in range(self.REQUESTS):
                        value = f"{run_id}-t{t}-r{i}"
                        conn.request("GET", "/lua/iso/concurrent.lua?v=" +
                                     urllib.parse.quote(value))
                        r = conn.getresponse()
                        body = r.read().decode()
                        if r.status != 200 or body != "OK:" + value:
                            bad.append((value, r.status, body))
                finally:
                    conn.close()
                return bad

            with concurrent.futures.ThreadPoolExecutor(self.THREADS) as pool:
                results = list(pool.map(worker, range(self.THREADS)))
            failures = [b for r in results for b in r]
            self.assertFalse(failures, f"{len(failures)} of {self.THREADS * self.REQUESTS} "
                             f"requests saw foreign state, e.g. {failures[:5]}")
            # The pool stayed bounded and intact: a last request still runs clean.
            status, _, body = d.get("/lua/iso/read_globals.lua")
            self.assertEqual(status, 200)
            self.assertEqual(body.decode(), "plain=nil;g=nil;raw=nil;fn=nil;counter=nil;"
                             "isEmptyString=true")


if __name__ == "__main__":
    unittest.main()
