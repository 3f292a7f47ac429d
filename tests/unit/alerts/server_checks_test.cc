// ntopng's unexpected-server checks (alerts/server_checks.h): the configured DNS, NTP, SMTP and
// DHCP servers parsed from ntopng's preferences, the address each protocol's flow is judged
// by, and the AlertEngine raising them over a real capture (anyconnect-vpn.pcap: 16 DNS flows
// to 75.75.75.75 and 5 to 75.75.76.76).

#include "alerts/server_checks.h"

#include <gtest/gtest.h>

#include <map>

#include "alerts/alert_engine.h"
#include "alerts/flow_checks.h"
#include "dpi/flow_alerts.h"
#include "iface/queries.h"
#include "iface/registry.h"
#include "store/cache_service.h"
#include "capture_run.h"
#include "iface/packet_engine.h"
#include "test_env.h"

namespace flowlens::alerts {
namespace {

util::IpAddress ip(const char* text) { return *util::parseIp(text); }

// A checks configset that turns unexpected_dns on.
constexpr const char* kDnsOn =
    R"({"config": {"flow": {"unexpected_dns": {"all": {"enabled": true}}}}})";

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

  ASSERT_TRUE(lists.set(ServerKind::kNtp, "192.0.2.123@0\n 198.51.100.0/24@0 \n").ok());
  EXPECT_TRUE(lists.allowed(ServerKind::kNtp, ip("192.0.2.123"), 9)) << "@0: every VLAN, as ntopng";
  EXPECT_TRUE(lists.allowed(ServerKind::kNtp, ip("198.51.100.7"), 0)) << "line ends separate";
  EXPECT_FALSE(lists.set(ServerKind::kNtp, "10.0.0.1 0").ok()) << "no blank inside an entry";
  EXPECT_TRUE(lists.allowed(ServerKind::kNtp, ip("192.0.2.123"), 9)) << "refused: unchanged";

  const Status bad = lists.set(ServerKind::kDns, "192.0.2.53,dns.example.com");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().find("'dns.example.com' is not an address or network"), std::string::npos)
      << bad.error();
  EXPECT_TRUE(lists.allowed(ServerKind::kDns, ip("10.1.2.3"), 5)) << "a refused list changes nothing";
  ASSERT_TRUE(lists.set(ServerKind::kDns, "").ok());
  EXPECT_TRUE(lists.anyConfigured()) << "NTP's";
  ASSERT_TRUE(lists.set(ServerKind::kNtp, " , ").ok());
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
  EXPECT_EQ(c.snapshot()->activeServerKinds(), 0) << "servers, but the check is off";
  ASSERT_TRUE(c.loadConfig(kDnsOn).ok());
  EXPECT_TRUE(c.snapshot()->enabled(33));
  EXPECT_FALSE(c.snapshot()->enabled(35)) << "not named: still off";
  EXPECT_EQ(c.snapshot()->activeServerKinds(), 1) << "DNS";
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

// One alert pass: the alerts it raised, and its unexpected-DNS alerts counted by server.
std::pair<std::vector<FlowAlert>, std::map<std::string, int>> pass(AlertEngine* engine,
                                                                   time_t now) {
  std::vector<FlowAlert> raised;
  engine->checkOnce(now, &raised);
  std::map<std::string, int> by_server;
  for (const FlowAlert& a : raised) {
    if (a.alert_id == 33) ++by_server[a.server_ip];
  }
  return {raised, by_server};
}

// Sets the DNS servers and turns unexpected_dns on.
void dnsServers(testing::TestEnv& env, const std::string& list) {
  auto& store = env.services().cache->store();
  ASSERT_TRUE(store.set("ntopng.prefs.nw_config_dns_list", list, 0).ok());
  ASSERT_TRUE(env.services().alert_engine->checks().reloadServers(store).ok());
  ASSERT_TRUE(env.services().alert_engine->checks().loadConfig(kDnsOn).ok());
}

TEST(ServerListsTest, TheEngineAlertsForTheFlowsOfOtherServers) {
  const Options o = testing::withCapture("anyconnect-vpn.pcap");
  testing::TestEnv env(o);
  AlertEngine* engine = env.services().alert_engine;
  ASSERT_NE(engine, nullptr);
  const auto by_server = dnsFlowsByServer(env);
  ASSERT_EQ(by_server.size(), 2u);
  ASSERT_EQ(by_server.at("75.75.75.75"), 16);
  ASSERT_EQ(by_server.at("75.75.76.76"), 5);
  auto& store = env.services().cache->store();
  ASSERT_TRUE(store.set("ntopng.prefs.nw_config_dns_list", "75.75.75.75", 0).ok());
  ASSERT_TRUE(engine->checks().reloadServers(store).ok());
  EXPECT_TRUE(pass(engine, 1700000000).second.empty()) << "the check is off";

  ASSERT_TRUE(engine->checks().loadConfig(kDnsOn).ok());
  auto [raised, by_alert] = pass(engine, 1700000001);
  EXPECT_EQ(by_alert, (std::map<std::string, int>{{"75.75.76.76", 5}}));
  for (const FlowAlert& a : raised) {
    if (a.alert_id != 33) continue;
    EXPECT_EQ(a.alert_key, "unexpected_dns_server");
    EXPECT_EQ(a.score, dpi::kScoreError);
    EXPECT_EQ(a.category, int(dpi::AlertCategory::kSecurity));
    EXPECT_NE(a.json().find(R"("server_ip":"75.75.76.76")"), std::string::npos) << a.json();
  }
  EXPECT_EQ(engine->checks().stats(33)->raised, 5u);
  EXPECT_TRUE(pass(engine, 1700000002).second.empty()) << "a flow is judged once";

  // Other lists, on a fresh engine's view of the same flows.
  for (const auto& [list, want] :
       std::vector<std::pair<std::string, std::map<std::string, int>>>{
           {"75.75.0.0/16", {}},
           {"75.75.76.76@7, 75.75.75.75", {{"75.75.76.76", 5}}},
           {"192.0.2.1", {{"75.75.75.75", 16}, {"75.75.76.76", 5}}}}) {
    SCOPED_TRACE(list);
    testing::TestEnv fresh(o);
    dnsServers(fresh, list);
    EXPECT_EQ(pass(fresh.services().alert_engine, 1700000000).second, want);
  }

  // A malformed list keeps its servers; the others are loaded all the same.
  ASSERT_TRUE(store.set("ntopng.prefs.nw_config_ntp_list", "192.0.2.123", 0).ok());
  ASSERT_TRUE(engine->checks().reloadServers(store).ok());
  ASSERT_TRUE(store.set("ntopng.prefs.nw_config_ntp_list", "pool.ntp.org", 0).ok());
  ASSERT_TRUE(store.set("ntopng.prefs.nw_config_dns_list", "75.75.0.0/16", 0).ok());
  const Status bad = engine->checks().reloadServers(store);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().find("ntopng.prefs.nw_config_ntp_list: 'pool.ntp.org'"), std::string::npos)
      << bad.error();
  EXPECT_EQ(bad.error().find("nw_config_dns_list"), std::string::npos) << bad.error();
  const auto s = engine->checks().snapshot();
  EXPECT_TRUE(s->servers().allowed(ServerKind::kNtp, ip("192.0.2.123"), 0));
  EXPECT_FALSE(s->servers().allowed(ServerKind::kNtp, ip("192.0.2.124"), 0)) << "kept";
  EXPECT_TRUE(s->servers().allowed(ServerKind::kDns, ip("75.75.76.76"), 0)) << "loaded";
}

// Turning the check off and on again does not judge a flow twice; while it is off, a new list
// is not applied to the flows judged before.
TEST(ServerListsTest, AFlowIsJudgedOnceWhateverTheChecksDoMeanwhile) {
  testing::TestEnv env(testing::withCapture("anyconnect-vpn.pcap"));
  AlertEngine* engine = env.services().alert_engine;
  const auto dnsAlerts = [engine](time_t now) {
    int n = 0;
    for (const auto& [server, count] : pass(engine, now).second) n += count;
    return n;
  };
  dnsServers(env, "75.75.75.75");
  EXPECT_EQ(dnsAlerts(1700000000), 5);
  ASSERT_TRUE(engine->checks().loadConfig("").ok());  // off
  EXPECT_EQ(dnsAlerts(1700000001), 0);
  EXPECT_EQ(dnsAlerts(1700000002), 0);
  ASSERT_TRUE(engine->checks().loadConfig(kDnsOn).ok());  // on again
  EXPECT_EQ(dnsAlerts(1700000003), 0) << "judged before: not again";
  dnsServers(env, "192.0.2.1");
  EXPECT_EQ(dnsAlerts(1700000004), 0) << "a flow is judged once, by the list of its time";
  EXPECT_EQ(engine->checks().stats(33)->raised, 5u);
}

// The packet threads keep the expired flows of the active checks' protocols for the alert
// pass, besides the risky ones, and only while asked.
TEST(ServerListsTest, ExpiredFlowsOfTheActiveChecksAreKept) {
  EngineLimits limits;  // flows idle for a second of the capture's time expire
  limits.flow_idle_us = 1'000'000;
  for (uint8_t kinds : {uint8_t{0}, uint8_t{1}, uint8_t{2}}) {
    SCOPED_TRACE(int(kinds));
    auto engine = testing::runCapture(
        testing::pcapDir() + "/anyconnect-vpn.pcap", 1, &limits, "",
        {}, [kinds](PacketEngine& e) {
          e.collectExpiredRisky(true);
          e.collectServerFlows(kinds);
        });
    ASSERT_TRUE(engine);
    std::vector<flow::Flow> expired;
    EXPECT_EQ(engine->takeExpiredRisky(&expired), 0u);
    int dns = 0, risky = 0, other = 0;
    for (const flow::Flow& f : expired) {
      if (f.risk != 0) {
        ++risky;
      } else if (dpi::serverCheckBit(f.master_proto, f.app_proto) == 1) {
        ++dns;
      } else {
        ++other;
      }
    }
    EXPECT_EQ(other, 0) << "nothing else is kept";
    if (kinds == 1) {
      EXPECT_EQ(dns, 21) << "every DNS flow of the capture (16 + 5)";
    } else {
      EXPECT_EQ(dns, 0) << "DNS is not asked for";
    }
  }
}

}  // namespace
}  // namespace flowlens::alerts
