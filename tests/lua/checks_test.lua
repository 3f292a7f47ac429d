-- options: -m 192.168.1.0/24
-- Spec section 31's check management (src/lua/ntop/risks.cc over alerts/FlowChecks): the
-- checks configset and alert exclusions a script writes to the store take effect when it asks
-- for a reload; malformed ones are refused with the reason and change nothing. The engine's
-- side is tested in tests/unit/alerts/flow_checks_test.cc.

local t = require("testing")
local eq = t.eq
local CONFIGSET = "ntopng.prefs.checks.configset_v1"
local EXCLUSIONS = "ntopng.prefs.alert_exclusions"

local xss = ntop.getFlowCheckInfo("ndpi_url_possible_xss")
eq(xss.key, "ndpi_url_possible_xss", "key")
eq(xss.edition, "community", "edition")
eq(xss.alert_id, 39, "alert id")
eq(xss.enabled, true, "no configset: every check runs")
eq(ntop.getFlowCheckInfo("no_such_check"), nil, "not a check")
eq(ntop.getHostCheckInfo("scan_detection"), nil, "flowlens has no host checks")
t.expect_error_ignoring_position("ntop.getFlowCheckInfo: argument #1 (check_key) expected string, got no value",
                                 ntop.getFlowCheckInfo)

-- What ntopng's checks.lua does: write the configset, then reload both kinds of checks.
ntop.setCache(CONFIGSET, [[{"config": {"flow": {
  "ndpi_url_possible_xss": {"all": {"enabled": false, "script_conf": {}}},
  "ndpi_suspicious_dga_domain": {"all": {"enabled": true, "script_conf": {}}}}}}]])
-- Success returns nothing at all; a failure returns nil and the reason.
eq(select("#", ntop.reloadFlowChecks()), 0, "reloaded")
eq(select("#", ntop.reloadHostChecks()), 0, "reloaded")
eq(ntop.getFlowCheckInfo("ndpi_url_possible_xss").enabled, false, "turned off")
eq(ntop.getFlowCheckInfo("ndpi_suspicious_dga_domain").enabled, true, "left on")

ntop.setCache(CONFIGSET, "{not json")
local ok, err = ntop.reloadFlowChecks()
eq(ok, nil, "a malformed configset")
eq(err, "the checks configset is not JSON", "and why")
ok, err = ntop.reloadHostChecks()
eq(err, "the checks configset is not JSON", "the host checks' reload reads it too")
eq(ntop.getFlowCheckInfo("ndpi_url_possible_xss").enabled, false, "the previous one stays")
ntop.delCache(CONFIGSET)
eq(select("#", ntop.reloadFlowChecks()), 0, "no configset")
eq(ntop.getFlowCheckInfo("ndpi_url_possible_xss").enabled, true, "every check runs again")

ntop.setCache(EXCLUSIONS, [[{"10.0.0.5": {"type": "host", "flow_alerts": [39]},
                             "example.com": {"type": "domain", "flow_alerts": [47]}}]])
eq(select("#", ntop.reloadAlertExclusions()), 0, "exclusions loaded")
ntop.setCache(EXCLUSIONS, [[{"10.0.0.300": {"type": "host", "flow_alerts": [39]}}]])
ok, err = ntop.reloadAlertExclusions()
eq(ok, nil, "a bad subject")
eq(err, "exclusion: '10.0.0.300' is not an address or a network", "and why")
ntop.delCache(EXCLUSIONS)
eq(select("#", ntop.reloadAlertExclusions()), 0, "none")

local stats = ntop.getFlowChecksStats()
eq(t.count(stats), t.count(ntop.getFlowRiskAlerts()) + 4,
   "one entry per flow check: a risk's each, and the 4 unexpected-server checks")
for _, key in ipairs({"unexpected_dns", "unexpected_ntp", "unexpected_smtp", "unexpected_dhcp"}) do
   assert(stats[key], key)
end
for key, s in pairs(stats) do
   eq(math.type(s.stats.execution_time), "integer", key .. ": execution time (ns)")
   eq(s.stats.alerts_raised, 0, key .. ": nothing captured, nothing raised")
   eq(s.stats.alerts_excluded, 0, key .. ": nor excluded")
end
