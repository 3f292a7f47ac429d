// Host pools' traffic (TrafficStats::pools, ntopng's HostPoolStats, read by
// interface.getHostPoolsStats): at each sync a flow's new traffic goes to its client's pool and,
// when the server's pool is another, to that one too, sent and received swapped.

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "../store/store_test_util.h"  // TempDir
#include "capture_run.h"
#include "host/host_pools.h"
#include "iface/packet_engine.h"
#include "store/embedded_store.h"

namespace flowlens {
namespace {

std::string pcapPath(const std::string& name) { return testing::pcapDir() + "/" + name; }

void expectSame(const host::Traffic& got, const host::Traffic& want, const std::string& what) {
  EXPECT_EQ(got.packets_sent, want.packets_sent) << what;
  EXPECT_EQ(got.packets_rcvd, want.packets_rcvd) << what;
  EXPECT_EQ(got.bytes_sent, want.bytes_sent) << what;
  EXPECT_EQ(got.bytes_rcvd, want.bytes_rcvd) << what;
}

host::Traffic sum(const std::vector<PoolStats::Share>& shares) {
  host::Traffic t;
  for (const PoolStats::Share& s : shares) {
    t.add(true, s.traffic.packets_sent, s.traffic.bytes_sent);
    t.add(false, s.traffic.packets_rcvd, s.traffic.bytes_rcvd);
  }
  return t;
}

// Two packet threads' clocks differ (each reads the file on its own): their credits interleave,
// and a second is counted once, the latest only.
TEST(PoolStatsTest, DurationCountsEachSecondOnceWhateverTheOrder) {
  PoolStats p;
  for (uint64_t s : {300, 500, 300, 500, 301, 501, 501}) p.credit(7, 5, false, s, 1, 60, 0, 0);
  EXPECT_EQ(p.all.duration_s, 3u);
  ASSERT_EQ(p.apps.size(), 8u) << "indexed by the id";
  EXPECT_EQ(p.apps[7].duration_s, 3u);
  EXPECT_EQ(p.apps[6].duration_s, 0u);
  EXPECT_EQ(p.first_seen_s, 300u);
  EXPECT_EQ(p.last_seen_s, 501u);
  EXPECT_EQ(p.traffic.bytes_sent, 7u * 60);
}

TEST(PoolStatsTest, FlowsCreditTheirClientsPoolAndAnotherServersPool) {
  // Pool 1: the capture's local network; pool 2: every other IPv4 address (the longer prefix
  // wins); IPv6 hosts: no pool (0). Flows cross from 1 to 2, and stay within 2.
  store::testutil::TempDir dir;
  auto kv = store::EmbeddedStore::open({dir.file("kv.sqlite")});
  ASSERT_TRUE(kv.ok()) << kv.error();
  for (const auto& [id, member] : {std::pair{"1", "192.168.2.0/24"}, std::pair{"2", "0.0.0.0/0"}}) {
    ASSERT_TRUE((*kv)->sadd(host::HostPools::kPoolIdsKey, id).ok());
    ASSERT_TRUE((*kv)->sadd(host::HostPools::kMembersPrefix + std::string(id), member).ok());
  }
  host::HostPools pools;
  ASSERT_TRUE(pools.reload(**kv).ok());

  for (const int threads : {1, 2}) {
    const std::string what = std::to_string(threads) + " thread(s)";
    HostHooks hooks;
    hooks.on_new_host = [&pools](host::Host& h) { pools.assign(h); };
    auto e = testing::runCapture(pcapPath("1kxun.pcap"), threads, nullptr, "", hooks);
    ASSERT_NE(e, nullptr);
    const auto flows = e->flows();
    std::map<uint16_t, host::Traffic> want;
    std::map<uint16_t, uint64_t> want_flows;              // flows crediting each pool
    std::map<uint16_t, std::set<uint16_t>> may_have_app;  // 0 (not yet detected) or the flow's
    size_t crossing = 0, within = 0;
    std::map<uint16_t, PoolStats> got;
    e->readShared([&](const host::HostTable& t, const TrafficStats& s) {
      for (const flow::Flow& f : flows) {
        const host::Host* c = t.at(f.client_host);
        const host::Host* sv = t.at(f.server_host);
        ASSERT_TRUE(c != nullptr && sv != nullptr) << "every flow has its hosts";
        const uint16_t app = f.app_proto != 0 ? f.app_proto : f.master_proto;
        for (const host::Host* h : {c, sv}) {
          if (h == sv && sv->pool_id == c->pool_id) break;
          ++want_flows[h->pool_id];
          may_have_app[h->pool_id].insert({uint16_t{0}, app});
        }
        want[c->pool_id].add(true, f.c2s.packets, f.c2s.bytes);
        want[c->pool_id].add(false, f.s2c.packets, f.s2c.bytes);
        if (sv->pool_id == c->pool_id) {
          ++within;
          continue;
        }
        ++crossing;
        want[sv->pool_id].add(true, f.s2c.packets, f.s2c.bytes);
        want[sv->pool_id].add(false, f.c2s.packets, f.c2s.bytes);
      }
      got = s.pools;
    });
    EXPECT_GT(crossing, 50u) << what;
    EXPECT_GT(within, 10u) << what;
    ASSERT_GT(want[1].bytes(), 0u) << what;
    ASSERT_GT(want[2].bytes(), 0u) << what;
    EXPECT_EQ(got.size(), want.size()) << what;
    for (const auto& [id, traffic] : want) {
      const std::string pool = what + ", pool " + std::to_string(id);
      ASSERT_TRUE(got.count(id)) << pool;
      const PoolStats& p = got.at(id);
      expectSame(p.traffic, traffic, pool);
      // Each credit goes to one application, one category and the whole.
      expectSame(sum(p.apps), traffic, pool + " by application");
      expectSame(sum(p.categories), traffic, pool + " by category");
      expectSame(p.all.traffic, traffic, pool + " across applications");
      EXPECT_EQ(p.all.flows, want_flows[id]) << pool;
      uint64_t app_flows = 0;
      for (uint16_t app = 0; app < p.apps.size(); ++app) {
        const PoolStats::Share& share = p.apps[app];
        if (share.traffic.bytes() == 0) continue;
        EXPECT_TRUE(may_have_app[id].count(app)) << pool << ": application " << app;
        EXPECT_LE(share.duration_s, p.all.duration_s) << pool;
        app_flows += share.flows;
      }
      EXPECT_EQ(app_flows, want_flows[id]) << pool << ": each flow once, under its application";
      // At most one a second, whichever thread's clock credits it.
      EXPECT_LE(p.first_seen_s, p.last_seen_s) << pool;
      EXPECT_GT(p.all.duration_s, 0u) << pool;
      EXPECT_LE(p.all.duration_s, p.last_seen_s - p.first_seen_s + 1) << pool;
    }
    // resetPoolsQuotas: one pool's counters, then all; when it was seen stays.
    const uint64_t first = got.at(1).first_seen_s;
    e->resetPoolStats(uint16_t{1});
    e->readShared([&](const host::HostTable&, const TrafficStats& s) { got = s.pools; });
    EXPECT_EQ(got.at(1).traffic.bytes(), 0u) << what;
    EXPECT_TRUE(got.at(1).apps.empty()) << what;
    EXPECT_EQ(got.at(1).first_seen_s, first) << what;
    EXPECT_EQ(got.at(2).traffic.bytes(), want[2].bytes()) << what;
    e->resetPoolStats(std::nullopt);
    e->readShared([&](const host::HostTable&, const TrafficStats& s) { got = s.pools; });
    for (const auto& [id, p] : got) EXPECT_EQ(p.traffic.bytes(), 0u) << what << " pool " << id;
  }
}

}  // namespace
}  // namespace flowlens
