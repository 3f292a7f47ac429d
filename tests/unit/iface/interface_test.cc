// NetworkInterface's throughput: hosts' figures cover the same interval as the interface's.

#include "iface/interface.h"

#include <gtest/gtest.h>

#include <thread>

#include "capture_run.h"

namespace flowlens {
namespace {

struct HostThroughput {
  double bps = 0, pps = 0;
  size_t hosts = 0;
};

HostThroughput hostThroughput(const PacketEngine& e) {
  HostThroughput sum;
  e.readShared([&](const host::HostTable& hosts, const TrafficStats&) {
    hosts.forEach([&](const host::Host& h) {
      sum.bps += h.throughput_bps;
      sum.pps += h.throughput_pps;
      ++sum.hosts;
    });
  });
  return sum;
}

std::unique_ptr<NetworkInterface> attachedFile() {
  auto iface = std::make_unique<NetworkInterface>(0, "1kxun.pcap", NetworkInterface::Kind::kPcapFile);
  EngineConfig c;
  c.source.name = testing::pcapDir() + "/1kxun.pcap";
  c.source.file = true;
  c.limits.flow_idle_us = c.limits.flow_lifetime_us = c.limits.host_idle_us =
      c.limits.dpi_idle_us = UINT64_MAX / 4;
  const Status attached = iface->attach(c, {});
  EXPECT_TRUE(attached.ok()) << attached.error();
  return attached.ok() ? std::move(iface) : nullptr;
}

void readToTheEnd(NetworkInterface& iface) {
  iface.start();
  while (!iface.engine()->finished()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

// A file read to its end before the first sample: no sample after it sees traffic, neither in
// the interface nor in its hosts (the hosts once reported the whole file as one second's).
TEST(InterfaceThroughput, TrafficBeforeTheFirstSampleCountsInNoInterval) {
  auto iface = attachedFile();
  ASSERT_TRUE(iface);
  readToTheEnd(*iface);
  iface->sampleThroughput();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  iface->sampleThroughput();
  const HostThroughput h = hostThroughput(*iface->engine());
  EXPECT_GT(h.hosts, 0u);
  EXPECT_EQ(iface->throughputPps(), 0.0);
  EXPECT_EQ(h.pps, 0.0);
  EXPECT_EQ(h.bps, 0.0);
  iface->stop();
}

// Traffic between two samples shows in both: each packet has two ends, both hosts here.
TEST(InterfaceThroughput, HostsAndInterfaceShareTheInterval) {
  auto iface = attachedFile();
  ASSERT_TRUE(iface);
  iface->sampleThroughput();  // before any packet
  readToTheEnd(*iface);
  iface->sampleThroughput();
  const HostThroughput h = hostThroughput(*iface->engine());
  EXPECT_GT(iface->throughputPps(), 0.0);
  // Sent and received both count at a host: twice the interface's packets, when every packet
  // is IP between two hosts in the table (1kxun.pcap: all are).
  EXPECT_NEAR(h.pps, 2 * iface->throughputPps(), 1e-6 * h.pps);
  iface->stop();
}

}  // namespace
}  // namespace flowlens
