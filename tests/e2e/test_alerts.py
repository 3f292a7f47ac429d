"""Spec section 15, Alerts: the daemon raises flow alerts from nDPI risks while it reads a
capture, stores them, and scripts read them with ntop.alert_store_query and
ntop.popInternalAlerts. The expected alerts come from the flows' own risks
(interface.getFlowsInfo), read through the same daemon.
"""
import json
import os
import time
import unittest

from flowlens_harness import SOURCE, Daemon

PCAP = os.path.join(SOURCE, "tests/data/pcap/WebattackRCE.pcap")

SCRIPT = r"""
local json = require("dkjson")
local c = _GET.case
if c == "query" then
  ntop.alert_store_query(_GET.q)
elseif c == "bad" then
  print(json.encode({ r = ntop.alert_store_query("DELETE FROM flow_alerts") }))
elseif c == "pop" then
  local t = ntop.popInternalAlerts()
  local ids = {}
  for _, a in ipairs(t) do ids[#ids + 1] = a.alert_id end
  print(json.encode({ n = #t, ids = ids, first = t[1] }))
elseif c == "idle" then
  print(json.encode({ idle = interface.isIdle() }))
elseif c == "expected" then
  -- One alert per (flow, risk with an alert type): from the flows' risk bitmaps.
  local want, alerts = {}, ntop.getFlowRiskAlerts()
  local by_risk = {}
  for _, a in pairs(alerts) do by_risk[a.risk_id] = a.alert_id end
  local fl = interface.getFlowsInfo(nil, { perPage = 100000 })
  for _, f in pairs(fl.flows) do
    for bit = 1, 63 do
      if f.risk and (f.risk >> bit) & 1 == 1 and by_risk[bit] then
        local id = tostring(by_risk[bit])
        want[id] = (want[id] or 0) + 1
      end
    end
  end
  print(json.encode(want))
end
"""


class AlertsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = Daemon(interfaces=(PCAP,), scripts={"t/alerts.lua": SCRIPT})
        cls.d.start()
        deadline = time.time() + 20  # the whole capture read first
        while time.time() < deadline and not cls.get("idle")["idle"]:
            time.sleep(0.2)
        cls.want = cls.get("expected")
        cls.total = sum(cls.want.values())
        deadline = time.time() + 20
        while time.time() < deadline and cls.stored() < cls.total:
            time.sleep(0.3)

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()

    @classmethod
    def get(cls, case, **params):
        import urllib.parse
        q = urllib.parse.urlencode(dict(case=case, **params))
        status, _, body = cls.d.get("/lua/t/alerts.lua?" + q)
        assert status == 200, body
        return json.loads(body) if body else None

    @classmethod
    def stored(cls):
        rows = cls.get("query", q="SELECT COUNT(*) AS n FROM flow_alerts")
        return rows[0]["n"]

    def test_every_flow_risk_is_alerted_once(self):
        self.assertGreater(self.total, 0)
        rows = self.get("query", q="SELECT alert_id, COUNT(*) AS n FROM flow_alerts GROUP BY alert_id")
        self.assertEqual({str(r["alert_id"]): r["n"] for r in rows}, self.want)
        time.sleep(1.5)  # more passes raise nothing new
        self.assertEqual(self.stored(), self.total)

    def test_rows_have_ntopngs_columns(self):
        rows = self.get("query", q="SELECT * FROM flow_alerts WHERE alert_id = 43 LIMIT 1")
        self.assertEqual(len(rows), 1)
        r = rows[0]
        self.assertEqual(r["alert_name"], "ndpi_numeric_ip_host")
        self.assertEqual(r["score"], 10)
        self.assertEqual(r["severity"], 3)  # notice
        self.assertEqual(r["proto"], 6)
        self.assertEqual(json.loads(r["json"])["entity_id"], 4)
        self.assertRegex(r["cli_ip"], r"^\d+\.\d+\.\d+\.\d+$")

    def test_only_reads(self):
        self.assertEqual(self.get("bad"), {"r": False})
        self.assertEqual(self.stored(), self.total)

    def test_pop_internal_alerts(self):
        first = self.get("pop")
        self.assertEqual(first["n"], min(self.total, 1000))  # at most 1000 a call
        self.assertIn("alert_name", first["first"])
        popped = first["n"]
        while True:
            n = self.get("pop")["n"]
            if n == 0:
                break
            popped += n
        self.assertEqual(popped, self.total)


class AlertsDisabledTest(unittest.TestCase):
    def test_no_store_with_disable_alerts(self):
        with Daemon(interfaces=(PCAP,), scripts={"t/alerts.lua": SCRIPT},
                    extra_args=["--disable-alerts"]) as d:
            status, _, body = d.get("/lua/t/alerts.lua?case=bad")
            self.assertEqual(status, 200, body)
            self.assertEqual(json.loads(body), {"r": False})
            status, _, body = d.get("/lua/t/alerts.lua?case=pop")
            self.assertEqual(json.loads(body)["n"], 0)


if __name__ == "__main__":
    unittest.main()
