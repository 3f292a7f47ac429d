-- options: -m 192.168.1.0/24
-- Spec section 27 (Score / Severity) and the risk API of section 31 (src/lua/ntop/score.cc,
-- risks.cc over dpi/flow_alerts). The tables themselves are tested in
-- tests/unit/dpi/flow_alerts_test.cc; here the Lua answers.

local t = require("testing")
local eq = t.eq

eq(ntop.mapScoreToSeverity(0), 0, "none")
eq(ntop.mapScoreToSeverity(10), 3, "notice")
eq(ntop.mapScoreToSeverity(100), 5, "error")
eq(ntop.mapScoreToSeverity(250), 8, "emergency")
eq(ntop.mapSeverityToScore(4), 50, "warning")
eq(ntop.mapSeverityToScore(6), 200, "critical")
t.expect_error_ignoring_position("ntop.mapScoreToSeverity: argument #1 (score) expected integer, got string",
                                 ntop.mapScoreToSeverity, "high")

eq(ntop.getFlowAlertScore(39), 250, "XSS: nDPI's severe score")
eq(ntop.getFlowAlertRisk(39), 1, "XSS is nDPI risk 1")
eq(ntop.getFlowAlertScore(1), 200, "blacklisted: critical")
eq(ntop.getFlowAlertRisk(1), 0, "not a risk alert")
eq(ntop.getFlowAlertScore(15), 0, "an unused id")
eq(ntop.getFlowAlertRisk(9999), 0, "an unknown id")

eq(ntop.getRiskStr(1), "XSS Attack", "nDPI's name")
eq(ntop.getRiskStr(22), "Unsafe Protocol", "nDPI's name")
eq(ntop.getRiskStr(200), "200", "unnamed: the number")
local list = ntop.getRiskList()
eq(#list, 42, "nDPI 4.2's risks, 0 included")
eq(list[1], "0", "risk 0")
eq(list[2], "XSS Attack", "risk 1 at index 2")

local alerts = ntop.getFlowRiskAlerts()
eq(t.count(alerts), 41, "one alert per risk")
local xss = alerts.ndpi_url_possible_xss
eq(xss.alert_id, 39, "alert id")
eq(xss.category, 1, "security")
eq(xss.risk_name, "XSS Attack", "risk name")
eq(xss.risk_id, 1, "risk id")
for key, a in pairs(alerts) do
   eq(ntop.getFlowAlertRisk(a.alert_id), a.risk_id, key .. ": the same mapping both ways")
   eq(ntop.getRiskStr(a.risk_id), a.risk_name, key .. ": the same name")
end

-- -n 0 (the default): local hosts only.
eq(ntop.shouldResolveHost("192.168.1.20"), true, "a local host")
eq(ntop.shouldResolveHost("8.8.8.8"), false, "a remote host")
eq(ntop.shouldResolveHost("not-an-ip"), nil, "not an address")
