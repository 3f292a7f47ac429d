// Shard on hand-built packets: detection ends when a connection closes both ways or is reset
// (its nDPI state freed then, not at the idle give-up), and not at a half-close; a fragment read
// ahead finds its datagram's flow; new flows wait for a busy shared lock, within bounds.

#include "iface/shard.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "decode/decoder.h"
#include "frame_builder.h"

namespace flowlens {
namespace {

using namespace decode::testing;  // NOLINT: the frame builder
using decode::kTcpAck;
using decode::kTcpFin;
using decode::kTcpPsh;
using decode::kTcpRst;
using decode::kTcpSyn;

class ShardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dpi = dpi::DpiEngine::create(dpi::DpiConfig{});
    ASSERT_TRUE(dpi) << dpi.error();
    shared.hooks.on_new_host = [](host::Host&) {};
    shard = std::make_unique<Shard>(EngineLimits{}, 4096, std::move(*dpi), &shared);
  }

  // A segment of connection `port` (10.0.0.1:port <-> 10.0.0.2:5555), from the client or not.
  // `seq_off` moves the segment off the expected sequence number. `bind`: as at the end of a
  // batch, a new flow is bound to its hosts.
  void send(uint16_t port, bool from_client, uint8_t flags, size_t payload = 0,
            uint32_t seq_off = 0, bool bind = true) {
    const Bytes frame =
        from_client ? ethernet(0x0800, ipv4("10.0.0.1", "10.0.0.2", 6,
                                            tcp(port, 5555, Bytes(payload, 0x5a),
                                                {.seq = client_seq + seq_off, .ack = 1,
                                                 .flags = flags})))
                    : ethernet(0x0800, ipv4("10.0.0.2", "10.0.0.1", 6,
                                            tcp(5555, port, Bytes(payload, 0x5a),
                                                {.seq = server_seq + seq_off, .ack = 1,
                                                 .flags = flags})));
    (from_client ? client_seq : server_seq) += uint32_t(payload) + ((flags & kTcpSyn) ? 1 : 0);
    decode::DecodedPacket p;
    ts_us += 1000;
    ASSERT_TRUE(decode::decodeFrame(1, frame.data(), uint32_t(frame.size()),
                                    uint32_t(frame.size()), ts_us, p));
    std::lock_guard g(shard->mutex());
    shard->handle(p);
    if (bind) shard->bindNewFlows();
  }

  // A client's SYN of connection `port`, handled as in a batch whose hosts are not yet bound.
  void handleSyn(uint16_t port) { send(port, true, kTcpSyn, 0, 0, false); }

  // The flow of connection `port`, which must exist.
  const flow::Flow& flowOf(uint16_t port) {
    const flow::Flow* found = nullptr;
    shard->flows().forEach([&](const flow::Flow& f) {
      if (f.client().port == port) found = &f;
    });
    EXPECT_NE(found, nullptr) << "no flow for port " << port;
    static const flow::Flow none;
    return found ? *found : none;
  }

  // Handshake and a few segments nDPI cannot name: detection goes on.
  void open(uint16_t port) {
    send(port, true, kTcpSyn);
    send(port, false, kTcpSyn | kTcpAck);
    send(port, true, kTcpAck);
    for (int i = 0; i < 3; ++i) {
      send(port, true, kTcpPsh | kTcpAck, 30);
      send(port, false, kTcpPsh | kTcpAck, 30);
    }
    ASSERT_FALSE(flowOf(port).dpi_done) << "nDPI named the test's payload";
    ASSERT_NE(flowOf(port).dpi_state, nullptr);
  }

  SharedTables shared{1024};
  std::unique_ptr<Shard> shard;
  uint32_t client_seq = 1000, server_seq = 5000;
  uint64_t ts_us = 1'000'000;
};

TEST_F(ShardTest, DetectionEndsWhenBothSidesClose) {
  open(40000);
  send(40000, true, kTcpFin | kTcpAck);
  EXPECT_FALSE(flowOf(40000).dpi_done) << "a half-closed connection may still send";
  send(40000, false, kTcpPsh | kTcpAck, 30);
  send(40000, false, kTcpFin | kTcpAck);
  const flow::Flow& f = flowOf(40000);
  EXPECT_EQ(f.tcp_state, flow::TcpState::kClosed);
  EXPECT_TRUE(f.dpi_done);
  EXPECT_EQ(f.dpi_state, nullptr);
  EXPECT_GT(f.dpi_packets, 8);  // every segment until the close went to nDPI
}

// A reset at a sequence number the connection did not expect (stray, forged) proves nothing.
TEST_F(ShardTest, DetectionGoesOnAfterAnOutOfWindowReset) {
  open(40002);
  send(40002, false, kTcpRst, 0, 100000);
  const flow::Flow& f = flowOf(40002);
  EXPECT_FALSE(f.dpi_done);
  EXPECT_NE(f.dpi_state, nullptr);
  send(40002, true, kTcpPsh | kTcpAck, 30);
  EXPECT_GT(flowOf(40002).dpi_packets, 9) << "later segments still go to nDPI";
}

TEST_F(ShardTest, DetectionEndsAtAReset) {
  open(40001);
  send(40001, false, kTcpRst);
  const flow::Flow& f = flowOf(40001);
  EXPECT_EQ(f.tcp_state, flow::TcpState::kReset);
  EXPECT_TRUE(f.dpi_done);
  EXPECT_EQ(f.dpi_state, nullptr);
}

// The packet engine works out a packet's flow key while earlier packets are still to be
// handled (Shard::prepare). A non-first fragment's ports come from its first fragment, handled
// in between: its key waits for handle().
TEST_F(ShardTest, ANonFirstFragmentPreparedEarlyJoinsItsDatagramsFlow) {
  const Bytes datagram = udp(53000, 53, Bytes(40, 0x11));  // 8-byte header + 40 bytes
  const Bytes first(datagram.begin(), datagram.begin() + 24);
  const Bytes rest(datagram.begin() + 24, datagram.end());
  const Bytes frames[2] = {
      ethernet(0x0800, ipv4("10.0.0.1", "10.0.0.2", 17, first, {.id = 7, .frag = 0x2000})),
      ethernet(0x0800, ipv4("10.0.0.1", "10.0.0.2", 17, rest, {.id = 7, .frag = 3}))};
  decode::DecodedPacket p[2];
  Shard::Lookup lookup[2];
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(decode::decodeFrame(1, frames[i].data(), uint32_t(frames[i].size()),
                                    uint32_t(frames[i].size()), ts_us + i, p[i]));
    shard->prepare(p[i], &lookup[i]);  // both before either is handled, as when reading ahead
  }
  ASSERT_TRUE(p[1].fragment && !p[1].first_fragment);
  {
    std::lock_guard g(shard->mutex());
    for (int i = 0; i < 2; ++i) shard->handle(p[i], &lookup[i]);
    shard->bindNewFlows();
  }
  EXPECT_EQ(shard->flows().size(), 1u) << "the second fragment made a flow of its own";
  EXPECT_EQ(flowOf(53000).c2s.packets, 2u);
  EXPECT_EQ(flowOf(53000).server().port, 53);
}

// Holds the shared lock on another thread; let go() of it, it lets go `delay` later.
class SharedLockHolder {
 public:
  explicit SharedLockHolder(SharedTables& shared, std::chrono::milliseconds delay = {})
      : thread_([this, &shared, delay] {
          std::lock_guard g(shared.mutex);
          held_ = true;
          while (!go_) std::this_thread::yield();
          std::this_thread::sleep_for(delay);
        }) {
    while (!held_) std::this_thread::yield();
  }
  ~SharedLockHolder() { join(); }
  void letGo() { go_ = true; }
  void join() {
    letGo();
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::atomic<bool> held_ = false, go_ = false;
  std::thread thread_;
};

// After a batch, new flows are bound to their hosts under the shared lock; while another
// thread holds it, they wait for a later batch instead of the packet thread waiting.
TEST_F(ShardTest, NewFlowsWaitForABusySharedLock) {
  SharedLockHolder holder(shared);
  handleSyn(41000);
  {
    std::lock_guard g(shard->mutex());
    shard->bindNewFlowsUnlessBusy();
  }
  EXPECT_EQ(flowOf(41000).client_host, UINT32_MAX) << "bound while the shared lock was held";
  holder.join();
  {
    std::lock_guard g(shard->mutex());
    shard->bindNewFlowsUnlessBusy();
  }
  EXPECT_NE(flowOf(41000).client_host, UINT32_MAX);
  EXPECT_NE(flowOf(41000).server_host, UINT32_MAX);
  EXPECT_EQ(shared.hosts.size(), 2u);
}

// Housekeeping binds flows left waiting before it syncs or expires any.
TEST_F(ShardTest, HousekeepingBindsWaitingFlows) {
  SharedLockHolder holder(shared);
  handleSyn(41001);
  {
    std::lock_guard g(shard->mutex());
    shard->bindNewFlowsUnlessBusy();
  }
  ASSERT_EQ(flowOf(41001).client_host, UINT32_MAX);
  holder.join();
  {
    std::lock_guard g(shard->mutex());
    shard->housekeeping(ts_us, false);
  }
  EXPECT_NE(flowOf(41001).client_host, UINT32_MAX);
  const host::Host* client = shared.hosts.at(flowOf(41001).client_host);
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(client->flows_as_client, 1u);
}

// Up to 2,047 flows wait; with 2,048, the packet thread waits for the lock after all.
TEST_F(ShardTest, NoMoreThan2048FlowsWaitForHosts) {
  SharedLockHolder holder(shared);
  for (uint16_t port = 20000; port < 20000 + 2047; ++port) handleSyn(port);
  {
    std::lock_guard g(shard->mutex());
    shard->bindNewFlowsUnlessBusy();
  }
  size_t unbound = 0;
  shard->flows().forEach([&](const flow::Flow& f) { unbound += f.client_host == UINT32_MAX; });
  EXPECT_EQ(unbound, 2047u) << "2,047 waiting flows should still wait";

  handleSyn(20000 + 2047);
  std::atomic<bool> returned = false;
  std::thread packet_thread([&] {
    std::lock_guard g(shard->mutex());
    shard->bindNewFlowsUnlessBusy();
    returned = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(returned) << "with 2,048 waiting it should wait for the shared lock";
  holder.join();
  packet_thread.join();
  unbound = 0;
  shard->flows().forEach([&](const flow::Flow& f) { unbound += f.client_host == UINT32_MAX; });
  EXPECT_EQ(unbound, 0u);
}

// Idle hosts are not purged while a shard's new flows wait for their hosts: a waiting flow's
// host may be one of them.
TEST_F(ShardTest, IdleHostsStayWhileFlowsWait) {
  EngineLimits limits;
  limits.flow_idle_us = limits.host_idle_us = 1'000'000;
  shard.reset();
  shared.shard_clocks[0] = UINT64_MAX;  // the fixture's shard, gone: as a file's that ended
  auto dpi = dpi::DpiEngine::create(dpi::DpiConfig{});
  ASSERT_TRUE(dpi) << dpi.error();
  shard = std::make_unique<Shard>(limits, 4096, std::move(*dpi), &shared);
  auto other_dpi = dpi::DpiEngine::create(dpi::DpiConfig{});
  ASSERT_TRUE(other_dpi) << other_dpi.error();
  Shard other(limits, 4096, std::move(*other_dpi), &shared);
  const auto pass = [](Shard& s, uint64_t now_us) {
    std::lock_guard g(s.mutex());
    s.housekeeping(now_us, false);
  };

  send(42000, true, kTcpSyn);  // hosts 10.0.0.1 and 10.0.0.2
  const uint64_t t0 = ts_us;
  pass(*shard, t0 + 10'000'000);  // the flow expires; its hosts are idle
  ASSERT_EQ(shared.hosts.size(), 2u) << "purged while the other shard's clock lagged";
  ts_us = t0 + 10'000'000;
  {
    SharedLockHolder holder(shared);
    handleSyn(42001);  // a new flow of the same hosts, left waiting
    std::lock_guard g(shard->mutex());
    shard->bindNewFlowsUnlessBusy();
  }
  pass(other, t0 + 20'000'000);  // a purge falls due (the slowest clock: t0 + 10 s)
  EXPECT_EQ(shared.hosts.size(), 2u) << "the hosts of a waiting flow were purged";
  pass(*shard, t0 + 10'500'000);  // binds the waiting flow
  EXPECT_NE(flowOf(42001).client_host, UINT32_MAX);
  const host::Host* client = shared.hosts.at(flowOf(42001).client_host);
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(client->flows_as_client, 2u) << "the client's first flow was forgotten";
}

// A final pass (a capture file's end) goes in slices of Shard::kHousekeepingSlice flows, each
// taking the shared lock anew, and still syncs every flow to its hosts.
TEST_F(ShardTest, AFinalPassInSlicesSyncsEveryFlow) {
  constexpr uint16_t kFlows = 3 * Shard::kHousekeepingSlice + 100;
  shard.reset();
  auto dpi = dpi::DpiEngine::create(dpi::DpiConfig{});
  ASSERT_TRUE(dpi) << dpi.error();
  shard = std::make_unique<Shard>(EngineLimits{}, 4 * Shard::kHousekeepingSlice, std::move(*dpi),
                                  &shared);
  for (uint16_t i = 0; i < kFlows; ++i) send(uint16_t(20000 + i), true, kTcpSyn);
  {
    std::lock_guard g(shard->mutex());
    shard->housekeeping(ts_us, true);
  }
  ASSERT_EQ(shard->flows().size(), size_t(kFlows)) << "a final pass expires nothing";
  const host::Host* client = shared.hosts.at(flowOf(20000).client_host);
  const host::Host* server = shared.hosts.at(flowOf(20000).server_host);
  ASSERT_NE(client, nullptr);
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(client->flows_as_client, kFlows);
  EXPECT_EQ(client->traffic.packets_sent, kFlows) << "flows past the first slice were not synced";
  EXPECT_EQ(server->traffic.packets_rcvd, kFlows);
}

}  // namespace
}  // namespace flowlens
