// FlowChecks: ntopng's checks configset and alert exclusions parsed and applied, and the
// AlertEngine honouring them over a real capture (WebattackRCE.pcap).

#include "alerts/flow_checks.h"

#include <gtest/gtest.h>

#include <map>

#include "alerts/alert_engine.h"
#include "iface/queries.h"
#include "iface/registry.h"
#include "test_env.h"

namespace flowlens::alerts {
namespace {

util::IpAddress ip(const char* text) { return *util::parseIp(text); }

std::string keyOf(int alert_id) { return std::string(dpi::flowAlertType(alert_id)->key); }

TEST(FlowChecksTest, NoConfigsetRunsEveryCheck) {
  FlowChecks c;
  for (const auto& t : dpi::riskAlertTypes()) EXPECT_TRUE(c.snapshot()->enabled(t.id)) << t.key;
  ASSERT_TRUE(c.loadConfig(std::nullopt).ok());
  EXPECT_TRUE(c.snapshot()->enabled(39));
}

TEST(FlowChecksTest, TheConfigsetTurnsChecksOff) {
  FlowChecks c;
  ASSERT_TRUE(FlowChecks::check("ndpi_url_possible_sql_injection"));
  ASSERT_TRUE(FlowChecks::check("ndpi_http_suspicious_user_agent"));
  EXPECT_FALSE(FlowChecks::check("not_a_flowlens_check"));
  const std::string json = R"({"config": {"flow": {
      "ndpi_url_possible_xss": {"all": {"enabled": false, "script_conf": {}}},
      "ndpi_suspicious_dga_domain": {"all": {"enabled": true, "script_conf": {}}},
      "ndpi_http_suspicious_user_agent": {"all": {"script_conf": {}}},
      "ndpi_numeric_ip_host": {},
      "ndpi_http_suspicious_url": {"all": {"enabled": "yes"}},
      "not_a_flowlens_check": {"all": {"enabled": false}}},
    "host": {"scan_detection": {"min": {"enabled": false}}}}})";
  ASSERT_TRUE(c.loadConfig(json).ok());
  const auto s = c.snapshot();
  EXPECT_FALSE(s->enabled(39)) << "disabled";
  EXPECT_TRUE(s->enabled(47)) << "enabled";
  EXPECT_FALSE(s->enabled(FlowChecks::check("ndpi_http_suspicious_user_agent")->id))
      << "named without \"enabled\": off, as in ntopng";
  EXPECT_FALSE(s->enabled(43)) << "named without \"all\": off";
  EXPECT_FALSE(s->enabled(FlowChecks::check("ndpi_http_suspicious_url")->id))
      << "\"enabled\" not a boolean: off";
  EXPECT_TRUE(s->enabled(FlowChecks::check("ndpi_url_possible_sql_injection")->id)) << "not named: runs";

  // A malformed configset is refused and the configuration stays.
  EXPECT_FALSE(c.loadConfig("{not json").ok());
  EXPECT_FALSE(c.loadConfig(R"({"flow": {}})").ok());
  EXPECT_FALSE(c.loadConfig(R"({"config": {"flow": []}})").ok());
  EXPECT_FALSE(c.snapshot()->enabled(39));
  ASSERT_TRUE(c.loadConfig("").ok());  // the key deleted: every check again
  EXPECT_TRUE(c.snapshot()->enabled(39));
}

TEST(FlowChecksTest, ExclusionsByHostNetworkVlanAndDomain) {
  FlowChecks c;
  const std::string json = R"({
    "10.0.0.5": {"type": "host", "flow_alerts": [39, 47]},
    "192.168.0.0/16": {"type": "host", "flow_alerts": [30]},
    "10.0.0.9@7": {"type": "host", "flow_alerts": [39]},
    "fd00::/64": {"flow_alerts": ["43"]},
    "Example.COM.": {"type": "domain", "flow_alerts": [47]},
    "*.example.org": {"type": "domain", "flow_alerts": [47]},
    "cn=issuer": {"type": "certificate", "flow_alerts": [28]}})";
  ASSERT_TRUE(c.loadExclusions(json).ok());
  const auto s = c.snapshot();
  EXPECT_EQ(s->exclusions(), 6u) << "certificate exclusions are not applied";
  const auto other = ip("8.8.8.8");
  EXPECT_TRUE(s->excluded(39, ip("10.0.0.5"), other, 0, ""));
  EXPECT_TRUE(s->excluded(47, other, ip("10.0.0.5"), 0, "")) << "the server side too";
  EXPECT_FALSE(s->excluded(30, ip("10.0.0.5"), other, 0, "")) << "another alert";
  EXPECT_FALSE(s->excluded(39, ip("10.0.0.5"), other, 3, "")) << "another VLAN";
  EXPECT_TRUE(s->excluded(30, ip("192.168.44.1"), other, 0, ""));
  EXPECT_FALSE(s->excluded(30, ip("192.169.0.1"), other, 0, ""));
  EXPECT_TRUE(s->excluded(39, ip("10.0.0.9"), other, 7, ""));
  EXPECT_FALSE(s->excluded(39, ip("10.0.0.9"), other, 0, ""));
  EXPECT_TRUE(s->excluded(43, ip("fd00::1"), ip("2001:db8::1"), 0, ""));
  EXPECT_TRUE(s->excluded(47, other, other, 0, "example.com"));
  EXPECT_TRUE(s->excluded(47, other, other, 0, "cdn.EXAMPLE.com."));
  EXPECT_FALSE(s->excluded(47, other, other, 0, "notexample.com"));
  EXPECT_FALSE(s->excluded(39, other, other, 0, "example.com"));
  EXPECT_TRUE(s->excluded(47, other, other, 0, "www.example.org")) << "*.example.org";
  EXPECT_TRUE(s->excluded(47, other, other, 0, "example.org"));

  for (const char* bad : {R"([1, 2])", R"({"10.0.0.300": {"type": "host", "flow_alerts": [1]}})",
                          R"({"10.0.0.1@9999": {"flow_alerts": [1]}})",
                          R"({"10.0.0.1": {"flow_alerts": 1}})",
                          R"({"10.0.0.1": {"flow_alerts": ["x"]}})",
                          R"({"10.0.0.1": {"type": 4, "flow_alerts": [1]}})",
                          R"({"a b": {"type": "domain", "flow_alerts": [1]}})",
                          R"({"x": {"type": "mac", "flow_alerts": [1]}})",
                          R"({"10.0.0.1": {"flow_alerts": [4294967335]}})",
                          R"({"10.0.0.1": {"flow_alerts": [-1]}})",
                          R"({"a*b.com": {"type": "domain", "flow_alerts": [1]}})"}) {
    EXPECT_FALSE(c.loadExclusions(std::string(bad)).ok()) << bad;
  }
  EXPECT_EQ(c.snapshot()->exclusions(), 6u) << "a refused list leaves the exclusions as they were";
  EXPECT_FALSE(c.loadExclusions(std::string(5u << 20, ' ')).ok()) << "over 4 MiB";
  ASSERT_TRUE(c.loadExclusions(std::nullopt).ok());
  EXPECT_EQ(c.snapshot()->exclusions(), 0u);
}

TEST(FlowChecksTest, ConfigsetAndExclusionsAreIndependent) {
  FlowChecks c;
  ASSERT_TRUE(c.loadConfig(R"({"config": {"flow": {"ndpi_url_possible_xss":
                                {"all": {"enabled": false}}}}})").ok());
  ASSERT_TRUE(c.loadExclusions(R"({"10.0.0.5": {"flow_alerts": [47]}})").ok());
  EXPECT_FALSE(c.snapshot()->enabled(39)) << "the exclusions' reload kept the configset";
  ASSERT_TRUE(c.loadConfig(std::nullopt).ok());
  EXPECT_TRUE(c.snapshot()->excluded(47, ip("10.0.0.5"), ip("1.1.1.1"), 0, ""))
      << "the configset's reload kept the exclusions";
}

// Over the capture: a disabled check raises nothing, and enabled again it alerts for the live
// flows; an excluded host's alerts are counted, not raised.
TEST(FlowChecksTest, TheEngineHonoursChecksAndExclusions) {
  testing::TestEnv env(testing::withCapture("WebattackRCE.pcap"));
  AlertEngine* engine = env.services().alert_engine;
  ASSERT_NE(engine, nullptr);
  std::map<int, int> want;
  std::map<std::string, int> odd_port_by_server;  // alert 30's flows, by server address
  std::vector<std::pair<std::string, std::string>> odd_port_flows;  // (client, server)
  env.services().interfaces->byId(0)->engine()->scanFlows([&](const flow::Flow& f) {
    for (int bit = 1; bit < 64; ++bit) {
      if (!(f.risk & (uint64_t{1} << bit))) continue;
      if (auto t = dpi::flowAlertOfRisk(bit)) {
        ++want[t->id];
        if (t->id == 30) {
          const flow::Endpoint& cli = f.lo_is_client ? f.key.lo : f.key.hi;
          const flow::Endpoint& srv = f.lo_is_client ? f.key.hi : f.key.lo;
          const std::string server = addressOf(srv, f.key.ip_version).toString();
          ++odd_port_by_server[server];
          odd_port_flows.emplace_back(addressOf(cli, f.key.ip_version).toString(), server);
        }
      }
    }
  });
  ASSERT_GT(want[43], 0);
  ASSERT_GT(want[30], 0);
  ASSERT_FALSE(odd_port_by_server.empty());
  const std::string excluded_server = odd_port_by_server.begin()->first;
  int excluded_n = 0;  // alert 30's flows with that address on either side
  for (const auto& [c, s] : odd_port_flows) excluded_n += c == excluded_server || s == excluded_server;
  int total = 0;
  for (auto [id, n] : want) total += n;

  ASSERT_TRUE(engine->checks()
                  .loadConfig(R"({"config": {"flow": {")" + keyOf(43) +
                              R"(": {"all": {"enabled": false, "script_conf": {}}}}}})")
                  .ok());
  ASSERT_TRUE(engine->checks()
                  .loadExclusions(R"({")" + excluded_server + R"(": {"flow_alerts": [30]}})")
                  .ok());
  std::vector<FlowAlert> raised;
  EXPECT_EQ(engine->checkOnce(1700000000, &raised), size_t(total - want[43] - excluded_n));
  for (const FlowAlert& a : raised) {
    EXPECT_NE(a.alert_id, 43) << "a disabled check";
    EXPECT_FALSE(a.alert_id == 30 && (a.srv_ip == excluded_server || a.cli_ip == excluded_server))
        << "an excluded host";
  }
  EXPECT_EQ(engine->checks().stats(30)->excluded, uint64_t(excluded_n));
  EXPECT_EQ(engine->checks().stats(30)->raised, uint64_t(want[30] - excluded_n));
  EXPECT_EQ(engine->checks().stats(43)->raised, 0u);

  ASSERT_TRUE(engine->checks().loadConfig(std::nullopt).ok());  // enabled again
  raised.clear();
  EXPECT_EQ(engine->checkOnce(1700000001, &raised), size_t(want[43]))
      << "the re-enabled check alerts for the live flows, and only it";
  for (const FlowAlert& a : raised) EXPECT_EQ(a.alert_id, 43);
  EXPECT_EQ(engine->checks().stats(43)->raised, uint64_t(want[43]));
  EXPECT_EQ(engine->checkOnce(1700000002), 0u);
  EXPECT_EQ(engine->checks().stats(30)->excluded, uint64_t(excluded_n)) << "counted once";
}

}  // namespace
}  // namespace flowlens::alerts
