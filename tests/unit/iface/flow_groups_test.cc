// groupFlows and sortFlowGroups (interface.getProtocolFlowsStats and friends) over a capture
// read to its end: the groups add up to the flows, each flow in exactly one group, and the
// filters and sort columns hold.

#include "iface/flow_groups.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "capture_run.h"
#include "iface/queries.h"

namespace flowlens {
namespace {

struct Sums {
  uint64_t flows = 0, sent = 0, rcvd = 0;
};

Sums sumOf(const std::vector<FlowGroup>& groups) {
  Sums s;
  for (const FlowGroup& g : groups) {
    s.flows += g.num_flows;
    s.sent += g.bytes_sent;
    s.rcvd += g.bytes_rcvd;
  }
  return s;
}

TEST(FlowGroups, EveryGroupingAddsUpToTheFlows) {
  auto e = testing::runCapture(testing::pcapDir() + "/1kxun.pcap");
  ASSERT_TRUE(e);
  const auto flows = e->flows();
  ASSERT_EQ(flows.size(), 197u);
  Sums want;
  std::set<std::string> clients, servers;
  for (const flow::Flow& f : flows) {
    ++want.flows;
    want.sent += f.c2s.bytes;
    want.rcvd += f.s2c.bytes;
    clients.insert(addressOf(f.client(), f.key.ip_version).toString() + "@" + std::to_string(f.key.vlan));
    servers.insert(addressOf(f.server(), f.key.ip_version).toString() + "@" + std::to_string(f.key.vlan));
  }
  for (FlowGrouping by :
       {FlowGrouping::kApplication, FlowGrouping::kClient, FlowGrouping::kServer,
        FlowGrouping::kClientServer, FlowGrouping::kApplicationClientServer, FlowGrouping::kInfo,
        FlowGrouping::kClientServerPort, FlowGrouping::kClientServerPortApplication,
        FlowGrouping::kVlanPortApplication}) {
    const auto groups = groupFlows(*e, by, {});
    const Sums got = sumOf(groups);
    EXPECT_EQ(got.flows, want.flows) << int(by);
    EXPECT_EQ(got.sent, want.sent) << int(by);
    EXPECT_EQ(got.rcvd, want.rcvd) << int(by);
  }
  const auto by_client = groupFlows(*e, FlowGrouping::kClient, {});
  EXPECT_EQ(by_client.size(), clients.size());
  for (const FlowGroup& g : by_client) EXPECT_EQ(g.num_clients, 1u);
  const auto by_server = groupFlows(*e, FlowGrouping::kServer, {});
  EXPECT_EQ(by_server.size(), servers.size());
  uint64_t distinct_servers = 0;
  for (const FlowGroup& g : groupFlows(*e, FlowGrouping::kApplication, {})) {
    EXPECT_GE(g.num_flows, g.num_servers);
    distinct_servers += g.num_servers;
  }
  EXPECT_GE(distinct_servers, servers.size()) << "each server counted in each of its protocols";
}

TEST(FlowGroups, FiltersKeepTheirFlows) {
  auto e = testing::runCapture(testing::pcapDir() + "/1kxun.pcap");
  ASSERT_TRUE(e);
  uint64_t port80 = 0, of_host = 0;
  const auto host = *util::parseIp("192.168.2.126");
  for (const flow::Flow& f : e->flows()) {
    port80 += f.key.proto == 6 && f.server().port == 80;
    of_host += addressOf(f.key.lo, f.key.ip_version) == host || addressOf(f.key.hi, f.key.ip_version) == host;
  }
  ASSERT_GT(port80, 0u);
  FlowQuery web;
  web.l4_proto = 6;
  web.server_port = 80;
  const auto groups = groupFlows(*e, FlowGrouping::kServer, web);
  EXPECT_EQ(sumOf(groups).flows, port80);
  for (const FlowGroup& g : groups) EXPECT_EQ(g.server_port, 80);
  FlowQuery mine;
  mine.host = host;
  EXPECT_EQ(sumOf(groupFlows(*e, FlowGrouping::kApplication, mine)).flows, of_host);
  FlowQuery elsewhere;
  elsewhere.allowed = {*util::parsePrefix("10.0.0.0/8")};
  EXPECT_TRUE(groupFlows(*e, FlowGrouping::kApplication, elsewhere).empty());
}

TEST(FlowGroups, SortedByTheColumnWithStableTies) {
  auto e = testing::runCapture(testing::pcapDir() + "/1kxun.pcap");
  ASSERT_TRUE(e);
  auto groups = groupFlows(*e, FlowGrouping::kClientServerPort, {});
  const auto none = [](const FlowGroup&) { return std::string(); };
  sortFlowGroups(groups, "bytes_rcvd", false, none);
  for (size_t i = 1; i < groups.size(); ++i) EXPECT_GE(groups[i - 1].bytes_rcvd, groups[i].bytes_rcvd);
  sortFlowGroups(groups, "srv_port", true, none);
  for (size_t i = 1; i < groups.size(); ++i) EXPECT_LE(groups[i - 1].server_port, groups[i].server_port);
  auto again = groupFlows(*e, FlowGrouping::kClientServerPort, {});
  std::reverse(again.begin(), again.end());  // another order going in: the ties must not matter
  sortFlowGroups(again, "srv_port", true, none);
  ASSERT_EQ(again.size(), groups.size());
  for (size_t i = 0; i < groups.size(); ++i) {
    EXPECT_EQ(again[i].client, groups[i].client) << "ties break the same way every time";
    EXPECT_EQ(again[i].server, groups[i].server);
  }
  auto apps = groupFlows(*e, FlowGrouping::kApplication, {});
  const auto name = [](const FlowGroup& g) { return std::to_string(100000 - g.app_proto); };
  sortFlowGroups(apps, "application", true, name);
  for (size_t i = 1; i < apps.size(); ++i) EXPECT_LE(name(apps[i - 1]), name(apps[i]));
}

}  // namespace
}  // namespace flowlens
