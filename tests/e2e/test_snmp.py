"""Spec section 18, SNMP: ntop.snmp* from a script served by the daemon, against a real snmpd
(net-snmp's agent) started by this test on a free loopback UDP port.
"""
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.parse

from flowlens_harness import Daemon

AUTH_PASS = "auth-pass-123"
PRIV_PASS = "priv-pass-456"
SYS_NAME = "flowlens-e2e-snmp"

SCRIPT = r"""
local json = require("dkjson")
local peer, c = _GET.peer, _GET.case
local out = {}
local SYSNAME, SYSLOC = "1.3.6.1.2.1.1.5.0", "1.3.6.1.2.1.1.6.0"
if c == "get" then
  out.spec = ntop.snmpget(peer, "public", SYSNAME, 1)
  out.spec_v1 = ntop.snmpget(peer, "public", { SYSNAME, "1.3.6.1.2.1.1.4.0" }, 0)
  out.ntopng = ntop.snmpget(peer, "public", 3, 1, SYSNAME, "1.3.6.1.2.1.1.4.0")
  out.v3_table = ntop.snmpget(peer, { user = "authpriv", level = "authPriv", auth_protocol = "SHA",
                                      auth_passphrase = _GET.ap, priv_protocol = "AES",
                                      priv_passphrase = _GET.pp }, SYSNAME)
  out.v3_ntopng = ntop.snmpget(peer, "authPriv", "authpriv", "sha", _GET.ap, "aes", _GET.pp, "", 3, SYSNAME)
  out.next = ntop.snmpgetnext(peer, "public", "1.3.6.1.2.1.1.5", 1)
  ntop.snmpSetBulkMaxNumRepetitions(3)
  out.bulk = ntop.snmpgetnextbulk(peer, "public", "1.3.6.1.2.1.1", 1)
  out.missing = ntop.snmpget(peer, "guess", SYSNAME, 1, 1)
  out.avail = { ntop.snmpv3available(), ntop.snmpsetavailable(), ntop.snmpgetbulkavailable(),
                ntop.snmpMaxNumEngines() }
elseif c == "set" then
  out.ok = ntop.snmpset(peer, "private", SYSLOC, "s", "rack " .. _GET.n, 1)
  out.after = ntop.snmpget(peer, "public", SYSLOC, 1)[SYSLOC]
  out.refused = ntop.snmpset(peer, "public", SYSLOC, "s", "nope", 1)
  out.ntopng = ntop.snmpset(peer, "private", 3, 1, SYSLOC, "s", "row " .. _GET.n)
elseif c == "async" then
  local h = ntop.snmpallocasnyncengine()
  out.handle = h
  for i = 1, 3 do ntop.snmpgetasync(h, peer, "public", SYSNAME, 1) end
  ntop.snmpgetnextasync(h, peer, "public", "1.3.6.1.2.1.1.5", 1)
  ntop.snmpgetasync(h, peer, "guess", SYSNAME, 1, 1)
  out.answers, out.errors = 0, 0
  local deadline = os.time() + 10
  while os.time() < deadline do
    local r = ntop.snmpreadasyncrsp(h, 2)
    if r == nil then break end
    if r.error then out.errors = out.errors + 1 elseif r[SYSNAME] == _GET.name then out.answers = out.answers + 1 end
  end
  local all = {}
  for i = 1, 10 do all[i] = ntop.snmpallocasnyncengine() end
  out.engines = #all  -- 7 more, then nil
  ntop.snmpfreeasnycengine(h)
  out.realloc = ntop.snmpallocasnyncengine()
elseif c == "batch" then
  ntop.snmpGetBatch({ host = peer, community = "public", oid = SYSNAME, version = 1 })
  ntop.snmpGetBatch(peer .. "x", "public", SYSNAME, 1)  -- an unresolvable host: logged
  out.rsp = ntop.snmpReadResponses(5)
  out.none_left = ntop.snmpReadResponses(0) == nil
elseif c == "bad" then
  out.oid = pcall(ntop.snmpget, peer, "public", "1.3.x", 1)
  out.bad_oid_nil = ntop.snmpget(peer, "public", "1.3.x.", 1) == nil
  out.type = pcall(ntop.snmpset, peer, "private", SYSLOC, "z", "v", 1)
  out.version = pcall(ntop.snmpget, peer, "public", SYSNAME, 7)
end
print(json.encode(out))
"""


def free_udp_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class SnmpTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="flowlens-e2e-snmpd-")
        cls.port = free_udp_port()
        conf = os.path.join(cls.dir, "snmpd.conf")
        with open(conf, "w") as f:
            f.write(f"agentaddress udp:127.0.0.1:{cls.port}\n"
                    "rocommunity public 127.0.0.1\nrwcommunity private 127.0.0.1\n"
                    f"sysName {SYS_NAME}\nsysContact noc@example.org\n"
                    f'createUser authpriv SHA "{AUTH_PASS}" AES "{PRIV_PASS}"\n'
                    "rwuser authpriv priv\n")
        env = {"SNMP_PERSISTENT_DIR": cls.dir, "PATH": os.environ.get("PATH", "")}
        cls.snmpd = subprocess.Popen(
            ["/usr/sbin/snmpd", "-f", "-C", "-c", conf, "-Lf", os.path.join(cls.dir, "log"),
             "-M", "/nonexistent", "-m", ""], env=env)
        cls.d = Daemon(scripts={"t/snmp.lua": SCRIPT})
        cls.d.start()
        cls.peer = f"127.0.0.1:{cls.port}"
        deadline = time.time() + 15
        while time.time() < deadline:
            if cls.run_case("get").get("spec"):
                break
            time.sleep(0.2)

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()
        cls.snmpd.terminate()
        cls.snmpd.wait(10)
        shutil.rmtree(cls.dir, ignore_errors=True)

    @classmethod
    def run_case(cls, case, **params):
        q = urllib.parse.urlencode(dict(case=case, peer=cls.peer, ap=AUTH_PASS, pp=PRIV_PASS,
                                        name=SYS_NAME, **params))
        status, _, body = cls.d.get("/lua/t/snmp.lua?" + q)
        assert status == 200, body
        return json.loads(body)

    def test_get_forms(self):
        out = self.run_case("get")
        name = "1.3.6.1.2.1.1.5.0"
        contact = "1.3.6.1.2.1.1.4.0"
        self.assertEqual(out["spec"], {name: SYS_NAME})
        self.assertEqual(out["spec_v1"], {name: SYS_NAME, contact: "noc@example.org"})
        self.assertEqual(out["ntopng"], {name: SYS_NAME, contact: "noc@example.org"})
        self.assertEqual(out["v3_table"], {name: SYS_NAME})
        self.assertEqual(out["v3_ntopng"], {name: SYS_NAME})
        self.assertEqual(out["next"], {name: SYS_NAME})
        self.assertEqual(sorted(out["bulk"]), ["1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.2.0",
                                               "1.3.6.1.2.1.1.3.0"])
        self.assertNotIn("missing", out)  # a community the agent ignores: nil after the timeout
        self.assertEqual(out["avail"], [True, True, True, 8])

    def test_set(self):
        out = self.run_case("set", n="7")
        self.assertIs(out["ok"], True)
        self.assertEqual(out["after"], "rack 7")
        self.assertIs(out["refused"], False)
        self.assertEqual(out["ntopng"], {"1.3.6.1.2.1.1.6.0": "row 7"})

    def test_async_engines(self):
        out = self.run_case("async")
        self.assertEqual(out["handle"], 0)
        self.assertEqual(out["answers"], 4)  # three GETs and the GETNEXT
        self.assertEqual(out["errors"], 1)   # the ignored community's timeout
        self.assertEqual(out["engines"], 7)
        self.assertEqual(out["realloc"], 0)

    def test_batch(self):
        out = self.run_case("batch")
        self.assertEqual(out["rsp"], {self.peer: SYS_NAME})
        self.assertIs(out["none_left"], True)

    def test_bad_arguments(self):
        out = self.run_case("bad")
        self.assertIs(out["oid"], True)          # a malformed OID: nil, logged (not raised)
        self.assertIs(out["bad_oid_nil"], True)
        self.assertIs(out["type"], False)        # an unknown SET type raises
        self.assertIs(out["version"], False)     # so does an unknown version

    def test_engines_end_with_the_run(self):
        # Each run starts with no engine: the previous run's were freed with it.
        self.assertEqual(self.run_case("async")["handle"], 0)


if __name__ == "__main__":
    unittest.main()
