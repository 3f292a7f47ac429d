// Readers (queries, totals, snapshots) running while packet threads work: every answer is
// well-formed and the counters only grow. Run under AddressSanitizer in make test.

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "capture_run.h"
#include "iface/queries.h"

namespace flowlens {
namespace {

TEST(ConcurrentReaders, QueriesWhilePacketThreadsRun) {
  for (int threads : {1, 2}) {
    EngineConfig c;
    c.source.name = testing::pcapDir() + "/1kxun.pcap";
    c.source.file = true;
    c.packet_threads = threads;
    c.original_speed = false;
    c.limits.flow_idle_us = c.limits.flow_lifetime_us = c.limits.host_idle_us =
        c.limits.dpi_idle_us = UINT64_MAX / 4;
    auto engine = PacketEngine::create(c, {});
    ASSERT_TRUE(engine.ok()) << engine.error();
    PacketEngine& e = **engine;
    e.start();
    uint64_t last_packets = 0, rounds = 0;
    do {
      const EngineTotals t = e.totals();
      EXPECT_GE(t.packets, last_packets) << "counters only grow";
      last_packets = t.packets;
      FlowQuery fq;
      fq.max_hits = 5;
      const FlowPage fp = queryFlows(e, fq);
      EXPECT_LE(fp.flows.size(), 5u);
      EXPECT_GE(fp.total, fp.flows.size());
      for (size_t i = 1; i < fp.flows.size(); ++i) {
        EXPECT_GE(fp.flows[i - 1].bytes(), fp.flows[i].bytes()) << "largest first";
      }
      HostQuery hq;
      hq.max_hits = 5;
      const HostPage hp = queryHosts(e, hq);
      EXPECT_LE(hp.hosts.size(), 5u);
      ++rounds;
    } while (!e.finished());
    e.stop();
    const EngineTotals t = e.totals();
    EXPECT_EQ(t.packets, 1723u) << threads << " packet threads";
    EXPECT_EQ(t.bytes, 2527774u);
    EXPECT_EQ(queryFlows(e, FlowQuery{}).total, 197u);
    EXPECT_GT(rounds, 0u);
  }
}

}  // namespace
}  // namespace flowlens
