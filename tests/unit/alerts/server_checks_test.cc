// ntopng's unexpected-server checks (alerts/server_checks.h): the configured DNS, NTP, SMTP and
// DHCP servers parsed from ntopng's preferences, the address each protocol's flow is judged
// by, and the AlertEngine raising them over a real capture (anyconnect-vpn.pcap: 16 DNS flows
// to 75.75.75.75 and 5 to 75.75.76.76).

#include "alerts/server_checks.h"

#include <gtest/gtest.h>

#include <map>

#include "alerts/alert_engine.h"
#include "alerts/flow_checks.h"
#include "core/build_info.h"
#include "dpi/flow_alerts.h"
#include "iface/queries.h"
#include "iface/registry.h"
#include "store/cache_service.h"
#include "test_env.h"

namespace flowlens::alerts {
namespace {

util::IpAddress ip(const char* text) { return *util::parseIp(text); }

TEST(ServerListsTest, EntriesAreAddressesOrNetworksWithAnOptionalVlan) {
  ServerLists lists;
  EXPECT_TRUE(lists.allowed(ServerKind::kDns, ip("203.0.113.9"), 0)) << "empty: the check is off";
  ASSERT_TRUE(lists.set(ServerKind::kDns, " 192.0.2.53, 10.0.0.0/8@5 ,,2001:db8::53 ").ok());
  EXPECT_FALSE(lists.empty(ServerKind::kDns));
  EXPECT_TRUE(lists.empty(ServerKind::kNtp));
  EXPECT_TRUE(lists.anyConfigured());
  EXPECT_TRUE(lists.allowed(ServerKind::kDns, ip("192.0.2.53"), 0));
  EXPECT_TRUE(lists.allowed(ServerKind::kDns, ip("192.0.2.53"), 7)) << "no VLAN given: any VLAN";
  EXPECT_FALSE(lists.allowed(ServerKind::kDns, ip("192.0.2.54"), 0));
  EXPECT_TRUE(lists.allowed(ServerKind::kDns, ip("10.1.2.3"), 5));
  EXPECT_FALSE(lists.allowed(ServerKind::kDns, ip("10.1.2.3"), 0)) << "@5: on VLAN 5 only";
  EXPECT_TRUE(lists.allowed(ServerKind::kDns, ip("2001:db8::53"), 0));
  EXPECT_TRUE(lists.allowed(ServerKind::kNtp, ip("198.51.100.1"), 0)) << "another kind's list";

  const Status bad = lists.set(ServerKind::kDns, "192.0.2.53,dns.example.com");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().find("'dns.example.com' is not an address or network"), std::string::npos)
      << bad.error();
  EXPECT_TRUE(lists.allowed(ServerKind::kDns, ip("10.1.2.3"), 5)) << "a refused list changes nothing";
  ASSERT_TRUE(lists.set(ServerKind::kDns, "").ok());
  EXPECT_FALSE(lists.anyConfigured());
}

TEST(ServerListsTest, TheAddressEachProtocolIsJudgedBy) {
  const auto cli = ip("192.168.1.10"), srv = ip("192.0.2.1");
  using dpi::kProtoDns, dpi::kProtoNtp, dpi::kProtoSmtps, dpi::kProtoDhcp;
  auto u = serverUnderCheck(0, kProtoDns, cli, 40000, srv, 53);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->kind, ServerKind::kDns);
  EXPECT_EQ(u->address, srv);
  u = serverUnderCheck(kProtoDns, 0, cli, 53, srv, 40000);  // the server spoke first
  ASSERT_TRUE(u);
  EXPECT_EQ(u->address, cli);
  u = serverUnderCheck(kProtoNtp, 0, cli, 123, srv, 123);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->kind, ServerKind::kNtp);
  EXPECT_EQ(u->address, srv);
  u = serverUnderCheck(kProtoSmtps, 0, cli, 50000, srv, 465);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->kind, ServerKind::kSmtp);
  u = serverUnderCheck(kProtoDhcp, 0, ip("0.0.0.0"), 68, ip("255.255.255.255"), 67);
  EXPECT_FALSE(u) << "a client's broadcast discover names no server";
  u = serverUnderCheck(kProtoDhcp, 0, ip("192.168.1.250"), 67, ip("255.255.255.255"), 68);
  ASSERT_TRUE(u) << "a server's broadcast offer";
  EXPECT_EQ(u->kind, ServerKind::kDhcp);
  EXPECT_EQ(u->address, ip("192.168.1.250"));
  EXPECT_FALSE(serverUnderCheck(7 /* HTTP */, 0, cli, 40000, srv, 80));
}

TEST(ServerListsTest, ChecksAreOffUntilTheConfigsetTurnsThemOn) {
  FlowChecks c;
  const auto dns = FlowChecks::check("unexpected_dns");
  ASSERT_TRUE(dns);
  EXPECT_EQ(dns->id, 33);
  EXPECT_EQ(FlowChecks::check("unexpected_dhcp")->id, 32);
  EXPECT_FALSE(c.snapshot()->enabled(33)) << "ntopng's default_enabled = false";
  ServerLists lists;
  ASSERT_TRUE(lists.set(ServerKind::kDns, "192.0.2.53").ok());
  c.setServers(lists);
  EXPECT_FALSE(c.snapshot()->serverChecksActive()) << "servers, but the check is off";
  ASSERT_TRUE(c.loadConfig(R"({"config": {"flow": {"unexpected_dns": {"all": {"enabled": true}}}}})").ok());
  EXPECT_TRUE(c.snapshot()->enabled(33));
  EXPECT_FALSE(c.snapshot()->enabled(35)) << "not named: still off";
  EXPECT_TRUE(c.snapshot()->serverChecksActive());
  ASSERT_TRUE(c.loadExclusions(std::nullopt).ok());
  EXPECT_FALSE(c.snapshot()->servers().empty(ServerKind::kDns)) << "exclusions keep the servers";
  ASSERT_TRUE(c.loadConfig("").ok());
  EXPECT_FALSE(c.snapshot()->enabled(33)) << "the configset gone: off again";
}

// DNS flows of the capture by the address on port 53 (ndpiReader: 16 to 75.75.75.75, 5 to
// 75.75.76.76).
std::map<std::string, int> dnsFlowsByServer(testing::TestEnv& env) {
  std::map<std::string, int> by_server;
  env.services().interfaces->byId(0)->engine()->scanFlows([&](const flow::Flow& f) {
    if (f.master_proto != dpi::kProtoDns && f.app_proto != dpi::kProtoDns) return;
    const flow::Endpoint& srv = f.key.lo.port == 53 ? f.key.lo : f.key.hi;
    ++by_server[addressOf(srv, f.key.ip_version).toString()];
  });
  return by_server;
}

TEST(ServerListsTest, TheEngineAlertsForTheFlowsOfOtherServers) {
  Options o;
  o.interfaces = {std::string(build::kSourceDir) + "/tests/data/pcap/anyconnect-vpn.pcap"};
  testing::TestEnv env(o);
  AlertEngine* engine = env.services().alert_engine;
  ASSERT_NE(engine, nullptr);
  const auto by_server = dnsFlowsByServer(env);
  ASSERT_EQ(by_server.size(), 2u);
  ASSERT_EQ(by_server.at("75.75.75.75"), 16);
  ASSERT_EQ(by_server.at("75.75.76.76"), 5);
  const auto raisedBy = [&](time_t now) {
    std::vector<FlowAlert> raised;
    engine->checkOnce(now, &raised);
    std::map<std::string, int> n;
    for (const FlowAlert& a : raised) {
      if (a.alert_id == 33) ++n[a.server_ip];
    }
    return std::make_pair(raised, n);
  };
  auto& store = env.services().cache->store();
  ASSERT_TRUE(store.set("ntopng.prefs.nw_config_dns_list", "75.75.75.75", 0).ok());
  ASSERT_TRUE(engine->checks().reloadServers(store).ok());
  EXPECT_TRUE(raisedBy(1700000000).second.empty()) << "the check is off";

  ASSERT_TRUE(engine->checks()
                  .loadConfig(R"({"config": {"flow": {"unexpected_dns": {"all": {"enabled": true}}}}})")
                  .ok());
  auto [raised, by_alert] = raisedBy(1700000001);
  EXPECT_EQ(by_alert, (std::map<std::string, int>{{"75.75.76.76", 5}}));
  for (const FlowAlert& a : raised) {
    if (a.alert_id != 33) continue;
    EXPECT_EQ(a.alert_key, "unexpected_dns_server");
    EXPECT_EQ(a.score, dpi::kScoreError);
    EXPECT_EQ(a.category, int(dpi::AlertCategory::kSecurity));
    EXPECT_NE(a.json().find(R"("server_ip":"75.75.76.76")"), std::string::npos) << a.json();
  }
  EXPECT_EQ(engine->checks().stats(33)->raised, 5u);
  EXPECT_TRUE(raisedBy(1700000002).second.empty()) << "a flow is judged once";

  // Other lists, on a fresh engine's view of the same flows.
  for (const auto& [list, want] :
       std::vector<std::pair<std::string, std::map<std::string, int>>>{
           {"75.75.0.0/16", {}},
           {"75.75.76.76@7, 75.75.75.75", {{"75.75.76.76", 5}}},
           {"192.0.2.1", {{"75.75.75.75", 16}, {"75.75.76.76", 5}}}}) {
    SCOPED_TRACE(list);
    testing::TestEnv fresh(o);
    AlertEngine* e = fresh.services().alert_engine;
    auto& s = fresh.services().cache->store();
    ASSERT_TRUE(s.set("ntopng.prefs.nw_config_dns_list", list, 0).ok());
    ASSERT_TRUE(e->checks().reloadServers(s).ok());
    ASSERT_TRUE(e->checks()
                    .loadConfig(R"({"config": {"flow": {"unexpected_dns": {"all": {"enabled": true}}}}})")
                    .ok());
    std::vector<FlowAlert> got;
    e->checkOnce(1700000000, &got);
    std::map<std::string, int> n;
    for (const FlowAlert& a : got) {
      if (a.alert_id == 33) ++n[a.server_ip];
    }
    EXPECT_EQ(n, want);
  }

  // A malformed list is refused and the servers stay.
  ASSERT_TRUE(store.set("ntopng.prefs.nw_config_ntp_list", "pool.ntp.org", 0).ok());
  const Status bad = engine->checks().reloadServers(store);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().find("ntopng.prefs.nw_config_ntp_list"), std::string::npos) << bad.error();
  EXPECT_FALSE(engine->checks().snapshot()->servers().empty(ServerKind::kDns));
}

}  // namespace
}  // namespace flowlens::alerts
