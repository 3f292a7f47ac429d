-- ntop.reloadServersConfiguration (spec section 33) and ntopng's unexpected-server checks as
-- scripts see them (src/lua/ntop/risks.cc over alerts/server_checks.cc): the servers come from
-- ntopng.prefs.nw_config_<dns|ntp|smtp|dhcp>_list, the checks are off until the configset
-- turns them on. The alerts themselves: tests/unit/alerts/server_checks_test.cc.
local dns = ntop.getFlowCheckInfo("unexpected_dns")
assert(dns and dns.alert_id == 33 and dns.key == "unexpected_dns", "unexpected_dns is a check")
assert(dns.enabled == false, "off by default, as ntopng's default_enabled")
assert(ntop.getFlowCheckInfo("unexpected_dhcp").alert_id == 32)
assert(ntop.getFlowCheckInfo("unexpected_smtp").alert_id == 34)
assert(ntop.getFlowCheckInfo("unexpected_ntp").alert_id == 35)

ntop.setCache("ntopng.prefs.nw_config_dns_list", "192.0.2.53, 10.0.0.0/8@5")
assert(select("#", ntop.reloadServersConfiguration()) == 0, "nothing on success")
ntop.setCache("ntopng.prefs.checks.configset_v1",
              '{"config":{"flow":{"unexpected_dns":{"all":{"enabled":true,"script_conf":{}}}}}}')
ntop.reloadFlowChecks()
assert(ntop.getFlowCheckInfo("unexpected_dns").enabled == true)
assert(ntop.getFlowCheckInfo("unexpected_ntp").enabled == false, "not named: still off")

-- A list that is not addresses: nil and the reason naming its key (it keeps its servers; the
-- unit test checks which lists are loaded).
ntop.setCache("ntopng.prefs.nw_config_smtp_list", "mail.example.com")
local r, err = ntop.reloadServersConfiguration()
assert(r == nil and err and err:find("nw_config_smtp_list", 1, true) and
       err:find("'mail.example.com' is not an address or network", 1, true), tostring(err))

local stats = ntop.getFlowChecksStats()
assert(stats.unexpected_dns and math.type(stats.unexpected_dns.stats.execution_time) == "integer")
assert(stats.ndpi_suspicious_dga_domain, "the risk checks are still listed")
