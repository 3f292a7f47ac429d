// PacketEngine::walkHosts / walkFlows (ntopng's begin_slot / nextSlot walks): in batches, with
// one or two packet threads, every host and flow once, and a filter applied.

#include <gtest/gtest.h>

#include <set>

#include "capture_run.h"
#include "iface/packet_engine.h"

namespace flowlens {
namespace {

TEST(Walks, EveryFlowOnceInBatches) {
  for (int threads : {1, 2}) {
    auto e = testing::runCapture(testing::pcapDir() + "/1kxun.pcap", threads);
    ASSERT_TRUE(e);
    const size_t total = e->flows().size();
    std::set<std::tuple<uint32_t, uint32_t, uint16_t>> seen;  // serial, hash, vlan
    uint64_t slot = 0;
    size_t batches = 0;
    do {
      std::vector<flow::Flow> batch;
      slot = e->walkFlows(slot, 7, [](const flow::Flow&) { return true; }, &batch);
      EXPECT_LE(batch.size(), 7u);
      for (const flow::Flow& f : batch) {
        EXPECT_TRUE(seen.insert({f.serial, f.hash, f.key.vlan}).second) << "flow seen twice";
        EXPECT_EQ(f.dpi_state, nullptr) << "a reader's copy";
      }
      ASSERT_LT(++batches, 1000u);
    } while (slot != 0);
    EXPECT_EQ(seen.size(), total) << threads << " threads";
    // A filter: only UDP flows, and all of them.
    size_t udp = 0;
    for (const flow::Flow& f : e->flows()) udp += f.key.proto == 17;
    size_t walked = 0;
    slot = 0;
    do {
      std::vector<flow::Flow> batch;
      slot = e->walkFlows(slot, 10, [](const flow::Flow& f) { return f.key.proto == 17; }, &batch);
      for (const flow::Flow& f : batch) EXPECT_EQ(f.key.proto, 17);
      walked += batch.size();
    } while (slot != 0);
    EXPECT_EQ(walked, udp);
  }
}

TEST(Walks, EveryHostOnceInBatches) {
  auto e = testing::runCapture(testing::pcapDir() + "/1kxun.pcap");
  ASSERT_TRUE(e);
  const uint64_t total = e->totals().hosts;
  ASSERT_GT(total, 10u);
  std::set<std::string> seen;
  uint64_t slot = 0;
  do {
    std::vector<host::Host> batch;
    slot = e->walkHosts(slot, 5, [](const host::Host&) { return true; }, &batch);
    EXPECT_LE(batch.size(), 5u);
    for (const host::Host& h : batch) {
      EXPECT_TRUE(seen.insert(h.ip.toString() + "@" + std::to_string(h.vlan)).second);
    }
  } while (slot != 0);
  EXPECT_EQ(seen.size(), total);
  std::vector<host::Host> none;
  EXPECT_EQ(e->walkHosts(0, 5, [](const host::Host&) { return false; }, &none), 0u);
  EXPECT_TRUE(none.empty());
}

}  // namespace
}  // namespace flowlens
