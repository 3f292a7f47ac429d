// The packet engine over capture files: memory bounded by the caps, idle flows and hosts purged
// on schedule with their traffic kept in the hosts and interface totals, the same flows with one
// or two packet threads, and hosts' counters equal to their flows'. Expected figures come from
// libpcap and the decoder alone (pcap_facts.h), not from the engine.

#include "iface/packet_engine.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "capture_run.h"
#include "frame_builder.h"
#include "pcap_facts.h"

namespace flowlens {
namespace {

using testing::CaptureFacts;
using testing::HostKey;

constexpr uint64_t kSecond = 1'000'000;
constexpr uint64_t kNever = UINT64_MAX / 4;  // as runCapture: some captures span decades

EngineLimits noExpiry() {
  EngineLimits l;
  l.flow_idle_us = l.flow_lifetime_us = l.host_idle_us = kNever;
  return l;
}

std::string pcapPath(const std::string& name) { return testing::pcapDir() + "/" + name; }

std::map<HostKey, host::Host> hostsOf(const PacketEngine& e) {
  std::map<HostKey, host::Host> out;
  e.readShared([&](const host::HostTable& hosts, const TrafficStats&) {
    hosts.forEach([&](const host::Host& h) { out[{h.ip.toString(), h.vlan}] = h; });
  });
  return out;
}

// The interface's per-protocol totals (every flow ever synced, purged or not).
host::Traffic l4Total(const PacketEngine& e) {
  host::Traffic t;
  e.readShared([&](const host::HostTable&, const TrafficStats& stats) {
    for (const auto& [proto, s] : stats.l4) {
      t.packets_sent += s.traffic.packets_sent;
      t.packets_rcvd += s.traffic.packets_rcvd;
      t.bytes_sent += s.traffic.bytes_sent;
      t.bytes_rcvd += s.traffic.bytes_rcvd;
    }
  });
  return t;
}

void expectSameTraffic(const host::Traffic& a, const host::Traffic& b, const std::string& what) {
  EXPECT_EQ(a.packets_sent, b.packets_sent) << what;
  EXPECT_EQ(a.packets_rcvd, b.packets_rcvd) << what;
  EXPECT_EQ(a.bytes_sent, b.bytes_sent) << what;
  EXPECT_EQ(a.bytes_rcvd, b.bytes_rcvd) << what;
}

// Each host's active-flow counts equal the flows that name it (a flow whose host did not fit in
// the table names none).
void expectActiveFlowCounts(const PacketEngine& e, const std::vector<flow::Flow>& flows,
                            const std::string& what) {
  std::map<uint32_t, uint32_t> as_client, as_server;
  uint64_t with_client = 0, with_server = 0;
  for (const flow::Flow& f : flows) {
    if (f.client_host != UINT32_MAX) ++as_client[f.client_host], ++with_client;
    if (f.server_host != UINT32_MAX) ++as_server[f.server_host], ++with_server;
  }
  e.readShared([&](const host::HostTable& hosts, const TrafficStats&) {
    uint64_t active_client = 0, active_server = 0;
    hosts.forEach([&](const host::Host& h) {
      active_client += h.active_flows_as_client;
      active_server += h.active_flows_as_server;
    });
    EXPECT_EQ(active_client, with_client) << what;
    EXPECT_EQ(active_server, with_server) << what;
    for (const auto& [index, n] : as_client) {
      const host::Host* h = hosts.at(index);
      ASSERT_NE(h, nullptr) << what << ": a flow names a purged host";
      EXPECT_EQ(h->active_flows_as_client, n) << what << " " << h->ip.toString();
    }
    for (const auto& [index, n] : as_server) {
      const host::Host* h = hosts.at(index);
      ASSERT_NE(h, nullptr) << what << ": a flow names a purged host";
      EXPECT_EQ(h->active_flows_as_server, n) << what << " " << h->ip.toString();
    }
  });
}

// ---- (a) memory bounded by the caps ----

TEST(PacketEngineTest, FlowsStayWithinTheCapAndEveryPacketIsCounted) {
  const std::string name = "synscan.pcap";  // ~2,000 flows
  const uint64_t manifest = testing::manifestPackets(testing::pcapDir(), name);
  ASSERT_EQ(manifest, 2011u);
  for (int threads : {1, 2}) {
    EngineLimits limits = noExpiry();
    limits.max_flows = 100;
    auto e = testing::runCapture(pcapPath(name), threads, &limits);
    ASSERT_NE(e, nullptr);
    const EngineTotals t = e->totals();
    const auto flows = e->flows();
    const std::string what = std::to_string(threads) + " thread(s)";
    if (threads == 1) {
      EXPECT_EQ(flows.size(), 100u) << what;
    } else {
      EXPECT_LE(flows.size(), 100u) << what;  // each shard holds max_flows / threads
      EXPECT_GT(flows.size(), 0u) << what;
    }
    EXPECT_EQ(t.flows, flows.size()) << what;
    EXPECT_EQ(t.flows_created, flows.size()) << what;
    EXPECT_GT(t.flow_drops, 0u) << what;
    EXPECT_EQ(t.packets, manifest) << what;
    EXPECT_EQ(t.ip_packets + t.non_ip_packets + t.malformed, t.packets) << what;
    // A packet is in a flow or counted as a flow drop.
    uint64_t in_flows = 0, bytes_in_flows = 0;
    for (const flow::Flow& f : flows) {
      in_flows += f.packets();
      bytes_in_flows += f.bytes();
    }
    EXPECT_EQ(in_flows + t.flow_drops, t.ip_packets) << what;
    const host::Traffic l4 = l4Total(*e);
    EXPECT_EQ(l4.packets(), in_flows) << what;
    EXPECT_EQ(l4.bytes(), bytes_in_flows) << what;
  }
}

TEST(PacketEngineTest, HostsStayWithinTheCap) {
  const std::string name = "1kxun.pcap";
  const CaptureFacts facts = testing::captureFacts(pcapPath(name));
  ASSERT_GT(facts.hosts.size(), 40u);
  EngineLimits limits = noExpiry();
  limits.max_hosts = 20;
  auto e = testing::runCapture(pcapPath(name), 1, &limits);
  ASSERT_NE(e, nullptr);
  const EngineTotals t = e->totals();
  EXPECT_EQ(t.hosts, 20u);
  EXPECT_EQ(hostsOf(*e).size(), 20u);
  EXPECT_GT(t.host_drops, 0u);
  EXPECT_EQ(t.packets, facts.records);
  // Flows are kept even when a host is left out; the hosts that fit have their full traffic
  // (they got in at their first flow, and nothing is purged).
  EXPECT_EQ(t.flow_drops, 0u);
  for (const auto& [key, h] : hostsOf(*e)) {
    expectSameTraffic(h.traffic, facts.hosts.at(key), name + " host " + key.first);
  }
  expectActiveFlowCounts(*e, e->flows(), name);
}

// ---- (b) idle purge ----

// Real captures longer than the idle timeout: flows are purged, and the hosts and interface
// totals still hold every packet's bytes (the last deltas are synced before a flow goes).
TEST(PacketEngineTest, IdleFlowsArePurgedAndTheirTrafficKept) {
  for (const std::string name :
       {"webex.pcap", "tor.pcap", "bitcoin.pcap", "KakaoTalk_talk.pcap", "anyconnect-vpn.pcap"}) {
    const CaptureFacts facts = testing::captureFacts(pcapPath(name));
    ASSERT_GT(facts.last_us - facts.first_us, 40 * kSecond) << name;
    for (int threads : {1, 2}) {
      const std::string what = name + " with " + std::to_string(threads) + " thread(s)";
      EngineLimits limits = noExpiry();
      limits.flow_idle_us = 5 * kSecond;
      auto e = testing::runCapture(pcapPath(name), threads, &limits);
      ASSERT_NE(e, nullptr);
      const EngineTotals t = e->totals();
      const auto flows = e->flows();
      EXPECT_LT(flows.size(), t.flows_created) << what << ": no flow purged";
      EXPECT_EQ(t.packets, facts.records) << what;
      EXPECT_EQ(t.ip_packets, facts.ip_packets) << what;
      // Interface totals: every IP packet once.
      const host::Traffic l4 = l4Total(*e);
      EXPECT_EQ(l4.packets(), facts.ip_packets) << what;
      EXPECT_EQ(l4.bytes(), facts.ip_bytes) << what;
      // Hosts (none purged): each one's traffic is exactly what the capture says it sent and got,
      // so the summed sent bytes equal the IP bytes, and so do the received ones.
      const auto hosts = hostsOf(*e);
      EXPECT_EQ(hosts.size(), facts.hosts.size()) << what;
      uint64_t sent = 0, rcvd = 0, flows_as_client = 0;
      for (const auto& [key, h] : hosts) {
        sent += h.traffic.bytes_sent;
        rcvd += h.traffic.bytes_rcvd;
        flows_as_client += h.flows_as_client;
        auto it = facts.hosts.find(key);
        ASSERT_NE(it, facts.hosts.end()) << what << ": unexpected host " << key.first;
        expectSameTraffic(h.traffic, it->second, what + " host " + key.first);
      }
      EXPECT_EQ(sent, facts.ip_bytes) << what;
      EXPECT_EQ(rcvd, facts.ip_bytes) << what;
      EXPECT_EQ(flows_as_client, t.flows_created) << what;
      expectActiveFlowCounts(*e, flows, what);
    }
  }
}

TEST(PacketEngineTest, IdleHostsArePurgedAndInterfaceTotalsKept) {
  const std::string name = "webex.pcap";
  const CaptureFacts facts = testing::captureFacts(pcapPath(name));
  EngineLimits limits = noExpiry();
  limits.flow_idle_us = 5 * kSecond;
  limits.host_idle_us = 10 * kSecond;
  auto e = testing::runCapture(pcapPath(name), 1, &limits);
  ASSERT_NE(e, nullptr);
  const auto hosts = hostsOf(*e);
  EXPECT_LT(hosts.size(), facts.hosts.size()) << "no host purged";
  EXPECT_EQ(e->totals().hosts, hosts.size());
  for (const auto& [key, h] : hosts) {  // a purged host starts again from zero
    EXPECT_LE(h.traffic.bytes_sent, facts.hosts.at(key).bytes_sent) << key.first;
    EXPECT_LE(h.traffic.bytes_rcvd, facts.hosts.at(key).bytes_rcvd) << key.first;
  }
  const host::Traffic l4 = l4Total(*e);
  EXPECT_EQ(l4.bytes(), facts.ip_bytes);
  EXPECT_EQ(l4.packets(), facts.ip_packets);
  expectActiveFlowCounts(*e, e->flows(), name);
}

// A synthetic capture with a known timeline (flow idle 5 s, host idle 10 s):
//   t=0      flow A 10.0.0.1 -> 10.0.0.2 (TCP), flow B 10.0.0.3 -> 10.0.0.4 (UDP), once each
//   t=0.5..  flow C 10.0.1.1 <-> 10.0.1.2, a packet every 100 ms until the end
//   t=30     flow D 10.0.0.1 -> 10.0.1.2, once
// cut at several end times: what remains is what the timeouts say, within a housekeeping pass.
std::vector<testing::Record> timeline(uint64_t end_us) {
  using namespace decode::testing;  // NOLINT: the frame builder
  const uint64_t t0 = 1'700'000'000 * kSecond;
  std::vector<testing::Record> r;
  r.push_back({t0, ethernet(0x0800, ipv4("10.0.0.1", "10.0.0.2", 6, tcp(1000, 80, {})))});
  r.push_back(
      {t0 + 1000, ethernet(0x0800, ipv4("10.0.0.3", "10.0.0.4", 17, udp(2000, 53, filler(20))))});
  bool d_done = false;
  for (uint64_t t = t0 + kSecond / 2, i = 0; t <= t0 + end_us; t += kSecond / 10, ++i) {
    if (!d_done && t >= t0 + 30 * kSecond) {
      r.push_back(
          {t, ethernet(0x0800, ipv4("10.0.0.1", "10.0.1.2", 17, udp(1001, 53, filler(9))))});
      d_done = true;
    }
    r.push_back(
        {t, i % 2 == 0
                ? ethernet(0x0800, ipv4("10.0.1.1", "10.0.1.2", 17, udp(5000, 53, filler(30))))
                : ethernet(0x0800, ipv4("10.0.1.2", "10.0.1.1", 17, udp(53, 5000, filler(60))))});
  }
  return r;
}

TEST(PacketEngineTest, PurgeFollowsTheTimeouts) {
  struct Expect {
    uint64_t end_s;
    size_t flows;
    std::vector<std::string> hosts;
  };
  const std::vector<Expect> cases = {
      {3, 3, {"10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.1.1", "10.0.1.2"}},
      {8, 1, {"10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.1.1", "10.0.1.2"}},
      {20, 1, {"10.0.1.1", "10.0.1.2"}},
      {33, 2, {"10.0.0.1", "10.0.1.1", "10.0.1.2"}},
      {60, 1, {"10.0.1.1", "10.0.1.2"}},
  };
  for (const Expect& c : cases) {
    testing::TempFile file("timeline-" + std::to_string(c.end_s) + ".pcap");
    ASSERT_TRUE(
        testing::writePcap(file.path(), decode::kLinkEthernet, timeline(c.end_s * kSecond)));
    const CaptureFacts facts = testing::captureFacts(file.path());
    for (int threads : {1, 2}) {
      const std::string what =
          "end " + std::to_string(c.end_s) + " s, " + std::to_string(threads) + " thread(s)";
      EngineLimits limits = noExpiry();
      limits.flow_idle_us = 5 * kSecond;
      limits.host_idle_us = 10 * kSecond;
      auto e = testing::runCapture(file.path(), threads, &limits);
      ASSERT_NE(e, nullptr);
      const auto flows = e->flows();
      EXPECT_EQ(flows.size(), c.flows) << what;
      std::vector<std::string> hosts;
      for (const auto& [key, h] : hostsOf(*e)) hosts.push_back(key.first);
      EXPECT_EQ(hosts, c.hosts) << what;
      // Hosts never purged hold all their traffic; 10.0.0.1, purged at ~10 s and back at 30 s,
      // holds flow D's packet only. With two threads, the one behind in the file may still hold
      // flow A when the other creates D: the host is then kept (never purged early) with both.
      const auto now_hosts = hostsOf(*e);
      for (const char* ip : {"10.0.1.1", "10.0.1.2"}) {
        expectSameTraffic(now_hosts.at({ip, 0}).traffic, facts.hosts.at({ip, 0}), what + " " + ip);
      }
      if (c.end_s == 33) {
        const host::Traffic& t = now_hosts.at({"10.0.0.1", 0}).traffic;
        const uint64_t d = 14 + 20 + 8 + 9, a = 14 + 20 + 20;
        if (threads == 1) {
          EXPECT_EQ(t.packets_sent, 1u) << what;
          EXPECT_EQ(t.bytes_sent, d) << what;
        } else {
          EXPECT_TRUE(t.bytes_sent == d || t.bytes_sent == d + a) << what << ": " << t.bytes_sent;
        }
      }
      const host::Traffic l4 = l4Total(*e);
      EXPECT_EQ(l4.bytes(), facts.ip_bytes) << what;
      EXPECT_EQ(e->totals().flows_created, c.end_s >= 30 ? 4u : 3u) << what;
      expectActiveFlowCounts(*e, flows, what);
    }
  }
}

// ---- (c) one or two packet threads: the same flows ----

struct FlowFacts {
  uint64_t c2s_packets, c2s_bytes, s2c_packets, s2c_bytes;
  uint16_t master, app;
  bool lo_is_client;
  bool operator==(const FlowFacts&) const = default;
};

std::map<std::string, FlowFacts> flowFacts(const PacketEngine& e) {
  std::map<std::string, FlowFacts> out;
  for (const flow::Flow& f : e.flows()) {
    const std::string key(reinterpret_cast<const char*>(&f.key), sizeof(f.key));
    EXPECT_EQ(out.count(key), 0u) << "two flows with one key";
    out[key] = {f.c2s.packets,  f.c2s.bytes, f.s2c.packets, f.s2c.bytes,
                f.master_proto, f.app_proto, f.lo_is_client};
  }
  return out;
}

TEST(PacketEngineTest, TwoThreadsGiveTheSameFlowsAsOne) {
  for (const std::string name :
       {"1kxun.pcap", "webex.pcap", "netflix.pcap", "dns_fragmented.pcap",
        "ip_fragmented_garbage.pcap", "vxlan.pcap", "6in4tunnel.pcap", "KakaoTalk_talk.pcap",
        "ocs.pcap", "teams.pcap", "synscan.pcap", "badpackets.pcap"}) {
    auto one = testing::runCapture(pcapPath(name), 1);
    auto two = testing::runCapture(pcapPath(name), 2);
    ASSERT_NE(one, nullptr);
    ASSERT_NE(two, nullptr);
    const auto a = flowFacts(*one), b = flowFacts(*two);
    EXPECT_EQ(a.size(), b.size()) << name;
    size_t differ = 0;
    for (const auto& [key, fa] : a) {
      auto it = b.find(key);
      if (it == b.end() || !(it->second == fa)) ++differ;
    }
    EXPECT_EQ(differ, 0u) << name << ": flows differ between 1 and 2 threads";
    const EngineTotals ta = one->totals(), tb = two->totals();
    EXPECT_EQ(ta.packets, tb.packets) << name;
    EXPECT_EQ(ta.bytes, tb.bytes) << name;
    EXPECT_EQ(ta.ip_packets, tb.ip_packets) << name;
    EXPECT_EQ(ta.non_ip_packets, tb.non_ip_packets) << name;
    EXPECT_EQ(ta.fragments, tb.fragments) << name;
    EXPECT_EQ(ta.malformed_by_reason, tb.malformed_by_reason) << name;
    EXPECT_EQ(ta.flows_created, tb.flows_created) << name;
    EXPECT_EQ(ta.hosts, tb.hosts) << name;
    const auto ha = hostsOf(*one), hb = hostsOf(*two);
    ASSERT_EQ(ha.size(), hb.size()) << name;
    for (const auto& [key, h] : ha) {
      ASSERT_TRUE(hb.count(key)) << name << " " << key.first;
      expectSameTraffic(h.traffic, hb.at(key).traffic, name + " host " + key.first);
    }
  }
}

// A classic pcap file is read by flowlens's reader, which reads packets ahead of the one being
// handled (their flows prefetched) and keeps them across a buffer turn; through a filter,
// libpcap reads it a packet at a time. Both give the same flows, over many buffer turns
// (1kxun.pcap is ten 256 KiB blocks). (A fragment read ahead: ShardTest.)
TEST(PacketEngineTest, ReadingAheadGivesTheSameFlowsAsAPacketAtATime) {
  for (const int threads : {1, 2}) {
    for (const std::string name : {"1kxun.pcap", "dns_fragmented.pcap",
                                   "ip_fragmented_garbage.pcap", "synscan.pcap",
                                   "badpackets.pcap", "netflix.pcap"}) {
      const std::string what = name + ", " + std::to_string(threads) + " thread(s)";
      auto ahead = testing::runCapture(pcapPath(name), threads);
      auto one_by_one = testing::runCapture(pcapPath(name), threads, nullptr, "len >= 0");
      ASSERT_NE(ahead, nullptr);
      ASSERT_NE(one_by_one, nullptr);
      const EngineTotals ta = ahead->totals(), tb = one_by_one->totals();
      ASSERT_GT(ta.packets, 0u) << what;
      EXPECT_EQ(ta.packets, tb.packets) << what;
      EXPECT_EQ(ta.fragments, tb.fragments) << what;
      EXPECT_EQ(ta.malformed_by_reason, tb.malformed_by_reason) << what;
      EXPECT_EQ(ta.flows_created, tb.flows_created) << what;
      EXPECT_EQ(ta.hosts, tb.hosts) << what;
      EXPECT_EQ(flowFacts(*ahead), flowFacts(*one_by_one)) << what;
    }
  }
}

// Frames of 60 KiB (as GRO/TSO captures have): four fill a 256 KiB buffer, so the 8 packets a
// thread reads ahead span buffer turns, and the engine handles the packets read before the
// last turn before it reads on. Were it not to, nDPI would read another packet's bytes: each
// flow's one packet is an HTTP request naming its own host.
TEST(PacketEngineTest, ReadingAheadAcrossBufferTurnsKeepsEachPacketsBytes) {
  using namespace decode::testing;  // NOLINT: the frame builder
  std::vector<testing::Record> records;
  for (uint16_t i = 0; i < 64; ++i) {
    std::string request = "GET / HTTP/1.1\r\nHost: host" + std::to_string(i) +
                          ".example.org\r\nUser-Agent: test\r\n\r\n";
    request.resize(60 << 10, 'x');
    const Bytes payload(request.begin(), request.end());
    records.push_back({1'700'000'000 * kSecond + i,
                       ethernet(0x0800, ipv4("10.0.0.1", "10.0.0.2", 6,
                                             tcp(uint16_t(20000 + i), 80, payload,
                                                 {.seq = 1, .ack = 1, .flags = 0x18})))});
  }
  testing::TempFile file("read-ahead-60k.pcap");
  ASSERT_TRUE(testing::writePcap(file.path(), decode::kLinkEthernet, records));
  auto e = testing::runCapture(file.path());
  ASSERT_NE(e, nullptr);
  std::map<uint16_t, std::string> names;
  for (const flow::Flow& f : e->flows()) {
    names[f.client().port] = f.text ? f.text->server_name : "";
  }
  ASSERT_EQ(names.size(), 64u);
  for (const auto& [port, name] : names) {
    EXPECT_EQ(name, "host" + std::to_string(port - 20000) + ".example.org") << "port " << port;
  }
}

// ---- (d) hosts agree with their flows ----

TEST(PacketEngineTest, HostCountersEqualTheirFlows) {
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(testing::pcapDir())) {
    const std::string path = entry.path().string();
    const std::string name = entry.path().filename();
    if (!(path.ends_with(".pcap") || path.ends_with(".pcapng") || path.ends_with(".cap"))) continue;
    if (name == "someip_sd_sample.pcap") continue;  // 802.11 in PPI: not a supported link type
    ++files;
    auto e = testing::runCapture(path);
    ASSERT_NE(e, nullptr);
    const auto flows = e->flows();
    std::map<uint32_t, host::Traffic> from_flows;  // host index -> its flows' traffic
    for (const flow::Flow& f : flows) {
      from_flows[f.client_host].add(true, f.c2s.packets, f.c2s.bytes);
      from_flows[f.client_host].add(false, f.s2c.packets, f.s2c.bytes);
      from_flows[f.server_host].add(true, f.s2c.packets, f.s2c.bytes);
      from_flows[f.server_host].add(false, f.c2s.packets, f.c2s.bytes);
    }
    const CaptureFacts facts = testing::captureFacts(path);
    e->readShared([&](const host::HostTable& hosts, const TrafficStats&) {
      EXPECT_EQ(hosts.size(), from_flows.size()) << name;
      for (const auto& [index, t] : from_flows) {
        const host::Host* h = hosts.at(index);
        ASSERT_NE(h, nullptr) << name;
        expectSameTraffic(h->traffic, t, name + " host " + h->ip.toString());
        // ... and what the capture says, decoded without the engine.
        auto it = facts.hosts.find({h->ip.toString(), h->vlan});
        ASSERT_NE(it, facts.hosts.end()) << name << " " << h->ip.toString();
        expectSameTraffic(h->traffic, it->second, name + " capture, host " + h->ip.toString());
        host::Traffic l4_sum;
        for (const host::Traffic& l : h->l4) {
          l4_sum.add(true, l.packets_sent, l.bytes_sent);
          l4_sum.add(false, l.packets_rcvd, l.bytes_rcvd);
        }
        expectSameTraffic(l4_sum, h->traffic, name + " l4 of host " + h->ip.toString());
      }
    });
    EXPECT_EQ(facts.hosts.size(), from_flows.size()) << name;
    expectActiveFlowCounts(*e, flows, name);
  }
  EXPECT_GE(files, 60u);
}

}  // namespace
}  // namespace flowlens
