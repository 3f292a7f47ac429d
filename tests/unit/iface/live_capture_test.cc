// Live capture (iface/live_capture.h, interface.liveCapture): the packet threads copy what a
// capture's host and BPF filter match into its buffer as pcap records. Checked against libpcap
// reading the same file through the equivalent BPF filter.

#include "iface/live_capture.h"

#include <gtest/gtest.h>
#include <pcap/pcap.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "capture/bpf.h"
#include "capture_run.h"
#include "iface/packet_engine.h"

namespace flowlens {
namespace {

struct Record {
  uint64_t ts_us = 0;
  uint32_t wire_len = 0;
  std::string data;
  auto operator<=>(const Record&) const = default;
};

// The records of a classic pcap file in the host's byte order, as LiveCapture writes it.
std::vector<Record> parse(const std::string& bytes, uint32_t* link_type) {
  std::vector<Record> out;
  if (bytes.size() < 24) {
    ADD_FAILURE() << "no pcap file header (" << bytes.size() << " bytes)";
    return out;
  }
  uint32_t magic, snaplen;
  std::memcpy(&magic, bytes.data(), 4);
  EXPECT_EQ(magic, 0xa1b2c3d4u);
  std::memcpy(&snaplen, bytes.data() + 16, 4);
  EXPECT_EQ(snaplen, LiveCapture::kSnaplen);
  std::memcpy(link_type, bytes.data() + 20, 4);
  size_t off = 24;
  while (off + 16 <= bytes.size()) {
    uint32_t h[4];
    std::memcpy(h, bytes.data() + off, 16);
    off += 16;
    if (off + h[2] > bytes.size()) {
      ADD_FAILURE() << "a record runs past the end";
      break;
    }
    out.push_back({uint64_t(h[0]) * 1000000 + h[1], h[3], bytes.substr(off, h[2])});
    off += h[2];
  }
  EXPECT_EQ(off, bytes.size()) << "bytes after the last record";
  return out;
}

// The packets of `path` that BPF `filter` matches, read by libpcap, in file order.
std::vector<Record> expected(const std::string& path, const std::string& filter) {
  std::vector<Record> out;
  char err[PCAP_ERRBUF_SIZE];
  pcap_t* p = pcap_open_offline(path.c_str(), err);
  if (p == nullptr) {
    ADD_FAILURE() << err;
    return out;
  }
  bpf_program prog;
  if (pcap_compile(p, &prog, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
    ADD_FAILURE() << pcap_geterr(p);
    pcap_close(p);
    return out;
  }
  pcap_pkthdr* h;
  const u_char* data;
  while (pcap_next_ex(p, &h, &data) == 1) {
    if (pcap_offline_filter(&prog, h, data) == 0) continue;
    out.push_back({uint64_t(h->ts.tv_sec) * 1000000 + uint64_t(h->ts.tv_usec), h->len,
                   std::string(reinterpret_cast<const char*>(data), h->caplen)});
  }
  pcap_freecode(&prog);
  pcap_close(p);
  return out;
}

std::string pcapPath(const std::string& name) { return testing::pcapDir() + "/" + name; }

// Runs `file` with `threads` packet threads and one capture of `spec`; what it kept.
std::vector<Record> capture(const std::string& file, int threads, LiveCaptureSpec spec,
                            std::shared_ptr<LiveCapture>* kept = nullptr) {
  std::shared_ptr<LiveCapture> cap;
  auto engine = testing::runCapture(pcapPath(file), threads, nullptr, "", {},
                                    [&](PacketEngine& e) {
                                      auto started = e.liveCaptureRegistry()->start(spec);
                                      ASSERT_TRUE(started) << started.error();
                                      cap = *started;
                                    });
  if (!engine || !cap) return {};
  std::string bytes;
  cap->take(&bytes);
  uint32_t link_type = 0;
  std::vector<Record> got = parse(bytes, &link_type);
  EXPECT_EQ(int(link_type), engine->linkType());
  if (kept) *kept = cap;
  return got;
}

struct HostCase {
  const char* file;
  const char* host;
  const char* bpf;  // the capture's filter; the host's is added for libpcap's
};

class LiveCaptureHostTest : public ::testing::TestWithParam<HostCase> {};

TEST_P(LiveCaptureHostTest, KeepsTheHostsPacketsThatTheFilterMatches) {
  const HostCase& c = GetParam();
  const std::vector<Record> want =
      expected(pcapPath(c.file), std::string("host ") + c.host + " and (" + c.bpf + ")");
  const std::vector<Record> every_host_packet = expected(pcapPath(c.file), std::string("host ") + c.host);
  ASSERT_FALSE(want.empty());
  ASSERT_LT(want.size(), every_host_packet.size()) << "the filter should leave some out";
  for (int threads : {1, 2}) {
    SCOPED_TRACE(std::to_string(threads) + " packet thread(s)");
    LiveCaptureSpec spec;
    spec.host = *util::parseIp(c.host);
    spec.bpf = c.bpf;
    std::shared_ptr<LiveCapture> cap;
    std::vector<Record> got = capture(c.file, threads, spec, &cap);
    if (threads == 1) {
      EXPECT_EQ(got, want);  // in file order
    } else {  // each thread appends its own packets: compare as sets
      std::vector<Record> sorted_want = want;
      std::sort(got.begin(), got.end());
      std::sort(sorted_want.begin(), sorted_want.end());
      EXPECT_EQ(got, sorted_want);
    }
    ASSERT_TRUE(cap);
    EXPECT_EQ(cap->packets(), want.size());
    EXPECT_EQ(cap->dropped(), 0u);
  }
}

INSTANTIATE_TEST_SUITE_P(Files, LiveCaptureHostTest,
                         ::testing::Values(HostCase{"1kxun.pcap", "192.168.2.126", "tcp port 80 and greater 100"},
                                           HostCase{"iphone.pcap", "fe80::823:3f17:8298:a29c",
                                                    "udp"}));

// A host is an address on a VLAN: the same address on another VLAN (or untagged) is another host.
TEST(LiveCaptureTest, AHostIsItsAddressOnItsVlan) {
  const std::vector<Record> want =
      expected(pcapPath("syslog.pcap"), "vlan 1506 and host 10.186.117.194");
  ASSERT_EQ(want.size(), 10u);
  LiveCaptureSpec spec;
  spec.host = *util::parseIp("10.186.117.194");
  spec.vlan = 1506;
  EXPECT_EQ(capture("syslog.pcap", 1, spec), want);
  for (uint16_t other : {0, 1505, 121}) {
    spec.vlan = other;
    EXPECT_TRUE(capture("syslog.pcap", 1, spec).empty()) << "VLAN " << other;
  }
}

// With neither host nor filter every frame comes once, IP or not, whichever thread keeps it.
TEST(LiveCaptureTest, EveryFrameOnceWithoutHostOrFilter) {
  for (const char* file : {"1kxun.pcap", "iphone.pcap", "badpackets.pcap"}) {
    SCOPED_TRACE(file);
    const std::vector<Record> want = expected(pcapPath(file), "");
    ASSERT_FALSE(want.empty());
    EXPECT_EQ(capture(file, 1, {}), want);
    std::vector<Record> got = capture(file, 2, {});
    std::vector<Record> sorted_want = want;
    std::sort(got.begin(), got.end());
    std::sort(sorted_want.begin(), sorted_want.end());
    EXPECT_EQ(got, sorted_want);
  }
}

// A user kept to networks captures only there, whatever the filter says: the networks are a
// program of their own, and a filter that would reopen a parenthesis does not compile alone.
TEST(LiveCaptureTest, AllowedNetworksHoldWhateverTheFilter) {
  const std::vector<Record> in_net = expected(pcapPath("1kxun.pcap"), "net 192.168.2.0/24");
  const std::vector<Record> all = expected(pcapPath("1kxun.pcap"), "");
  ASSERT_FALSE(in_net.empty());
  ASSERT_LT(in_net.size(), all.size());
  LiveCaptureSpec spec;
  spec.allowed = {*util::parsePrefix("192.168.2.0/24")};
  for (const char* filter : {"", "ip or not ip", "not net 192.168.2.0/24 or ip"}) {
    SCOPED_TRACE(filter);
    spec.bpf = filter;
    EXPECT_EQ(capture("1kxun.pcap", 1, spec), in_net);
  }
  spec.bpf = "tcp port 80";
  EXPECT_EQ(capture("1kxun.pcap", 1, spec),
            expected(pcapPath("1kxun.pcap"), "net 192.168.2.0/24 and tcp port 80"));

  LiveCaptures registry(1 /* DLT_EN10MB */);
  for (const char* escape : {"ip) or (ip", "ip or (ip"}) {
    spec.bpf = escape;
    auto refused = registry.start(spec);
    ASSERT_FALSE(refused) << escape;
    EXPECT_NE(refused.error().find("bad BPF filter"), std::string::npos) << refused.error();
  }
  spec.bpf = std::string(capture::kMaxFilterBytes / 4 + 1, ' ') + "ip" +
             std::string(capture::kMaxFilterBytes, ' ');
  auto too_long = registry.start(spec);
  ASSERT_FALSE(too_long);
  EXPECT_NE(too_long.error().find("over 4096 bytes"), std::string::npos) << too_long.error();
  EXPECT_TRUE(registry.list().empty());
}

// A buffer the reader does not empty fills up: what does not fit is counted, and what was kept
// is the file's packets in order, none cut.
TEST(LiveCaptureTest, AFullBufferCountsWhatItCouldNotKeep) {
  const std::vector<Record> all = expected(pcapPath("1kxun.pcap"), "");
  LiveCaptureSpec spec;
  spec.buffer_bytes = 24 + 16 * 1024;
  std::shared_ptr<LiveCapture> cap;
  const std::vector<Record> got = capture("1kxun.pcap", 1, spec, &cap);
  ASSERT_TRUE(cap);
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(cap->packets(), got.size());
  EXPECT_EQ(cap->packets() + cap->dropped(), all.size());
  EXPECT_GT(cap->dropped(), 0u);
  size_t bytes = 24, i = 0;
  for (const Record& r : got) {  // a subsequence of the file
    while (i < all.size() && all[i] != r) ++i;
    ASSERT_LT(i, all.size()) << "a kept packet is not the file's, or out of order";
    ++i;
    bytes += 16 + r.data.size();
  }
  EXPECT_LE(bytes, spec.buffer_bytes);
}

// The packet that reaches max_packets ends the capture.
TEST(LiveCaptureTest, EndsAtItsPacketLimit) {
  const std::vector<Record> all = expected(pcapPath("1kxun.pcap"), "tcp");
  LiveCaptureSpec spec;
  spec.bpf = "tcp";
  spec.max_packets = 10;
  std::shared_ptr<LiveCapture> cap;
  const std::vector<Record> got = capture("1kxun.pcap", 1, spec, &cap);
  ASSERT_TRUE(cap);
  EXPECT_TRUE(cap->ended());
  EXPECT_EQ(cap->packets(), 10u);
  ASSERT_GE(all.size(), 10u);
  EXPECT_EQ(got, std::vector<Record>(all.begin(), all.begin() + 10));
}

TEST(LiveCaptureTest, RegistryRefusesABadFilterAndAFifthCapture) {
  LiveCaptures registry(1 /* DLT_EN10MB */);
  LiveCaptureSpec bad;
  bad.bpf = "tcp and";
  auto refused = registry.start(bad);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().find("bad BPF filter 'tcp and'"), std::string::npos) << refused.error();

  std::vector<std::shared_ptr<LiveCapture>> running;
  for (size_t i = 0; i < LiveCaptures::kMaxCaptures; ++i) {
    auto c = registry.start({});
    ASSERT_TRUE(c) << c.error();
    running.push_back(*c);
  }
  auto fifth = registry.start({});
  ASSERT_FALSE(fifth);
  EXPECT_NE(fifth.error().find("too many live captures"), std::string::npos);
  EXPECT_EQ(registry.list().size(), LiveCaptures::kMaxCaptures);

  // stop() ends one (its reader then removes it); ids are never reused.
  EXPECT_FALSE(registry.stop(12345));
  EXPECT_TRUE(registry.stop(running[1]->id()));
  EXPECT_TRUE(running[1]->ended());
  EXPECT_FALSE(running[0]->ended());
  registry.remove(running[1]);
  EXPECT_EQ(registry.list().size(), LiveCaptures::kMaxCaptures - 1);
  auto again = registry.start({});
  ASSERT_TRUE(again) << again.error();
  for (const auto& c : running) EXPECT_NE((*again)->id(), c->id());

  // remove() frees the buffer at once (a packet thread may hold the capture a while yet).
  const uint8_t frame0[60] = {};
  running[2]->append(capture::CapturedPacket{frame0, sizeof(frame0), sizeof(frame0), 1});
  registry.remove(running[2]);
  EXPECT_TRUE(running[2]->ended());
  std::string left;
  running[2]->take(&left);
  EXPECT_TRUE(left.empty());

  // An ended capture keeps nothing more; its reader still gets what it had.
  std::string bytes;
  running[0]->take(&bytes);
  EXPECT_EQ(bytes.size(), 24u);  // the file header only
  const uint8_t frame[60] = {};
  capture::CapturedPacket p{frame, sizeof(frame), sizeof(frame), 1'000'000};
  running[0]->append(p);
  running[0]->stop();
  running[0]->append(p);
  running[0]->take(&bytes);
  EXPECT_EQ(bytes.size(), 16u + sizeof(frame));
  EXPECT_EQ(running[0]->packets(), 1u);
}

}  // namespace
}  // namespace flowlens
