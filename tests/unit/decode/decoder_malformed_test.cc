// The decoder on malformed and truncated frames: every cut of a valid frame decodes or fails with
// a reason (never reading past the end: the frames are heap copies of their exact size, so
// AddressSanitizer catches any overread), and each malformation is counted under its reason.

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "decode/decoder.h"
#include "frame_builder.h"

namespace flowlens::decode {
namespace {

using namespace testing;  // NOLINT: the frame builder

Bytes tcpFrame() {
  return ethernet(0x0800, ipv4("10.0.0.1", "10.0.0.2", 6, tcp(40000, 443, filler(10))));
}

// What holds for any input: true exactly when an IP packet was decoded without error, and the
// IP datagram handed to nDPI lies inside the frame.
void expectConsistent(bool ok, const DecodedPacket& p, const Bytes& frame,
                      const std::string& what) {
  EXPECT_EQ(ok, p.reason == Reason::kOk && p.ip_version != 0) << what;
  if (!ok) return;
  EXPECT_TRUE(p.ip_version == 4 || p.ip_version == 6) << what;
  ASSERT_NE(p.l3, nullptr) << what;
  EXPECT_GE(p.l3, frame.data()) << what;
  EXPECT_LE(p.l3 + p.l3_len, frame.data() + frame.size()) << what;
}

TEST(DecoderMalformedTest, EveryCutOfATcpFrame) {
  const Bytes full = tcpFrame();
  ASSERT_EQ(full.size(), 64u);
  for (size_t n = 0; n <= full.size(); ++n) {
    const Bytes cut(full.begin(), full.begin() + long(n));
    DecodedPacket p;
    const bool ok = decodeBytes(kLinkEthernet, cut, p);
    expectConsistent(ok, p, cut, "cut at " + std::to_string(n));
    // cap_len == wire_len: a frame shorter than its IP length is malformed, not snapped.
    const Reason expected = n < 14   ? Reason::kTruncatedL2
                            : n < 34 ? Reason::kTruncatedIpv4
                            : n < 64 ? Reason::kBadIpv4Length
                                     : Reason::kOk;
    EXPECT_EQ(ok, n == full.size()) << n;
    EXPECT_EQ(p.reason, expected) << "cut at " << n << ": " << reasonName(p.reason);
  }
}

TEST(DecoderMalformedTest, EveryCutOfASnappedTcpFrame) {
  // The capture kept `n` bytes of a 64-byte frame (snaplen): the IP length may exceed the
  // capture, and the flow is known as soon as the ports are.
  const Bytes full = tcpFrame();
  for (size_t n = 0; n < full.size(); ++n) {
    const Bytes cut(full.begin(), full.begin() + long(n));
    DecodedPacket p;
    const bool ok = decodeBytes(kLinkEthernet, cut, p, uint32_t(full.size()));
    expectConsistent(ok, p, cut, "snapped at " + std::to_string(n));
    const Reason expected = n < 14   ? Reason::kTruncatedL2
                            : n < 34 ? Reason::kTruncatedIpv4
                            : n < 54 ? Reason::kTruncatedTcp
                                     : Reason::kOk;
    EXPECT_EQ(p.reason, expected) << "snapped at " << n << ": " << reasonName(p.reason);
    EXPECT_EQ(p.wire_len, full.size());
    if (ok) {
      EXPECT_EQ(p.src_port, 40000);
      EXPECT_EQ(p.dst_port, 443);
      EXPECT_EQ(p.payload_len, 10u);  // by the IP length, not the capture
      EXPECT_EQ(p.l3_len, n - 14);
    }
  }
}

// Frames of every layer and tunnel, for the truncation sweep below.
std::vector<std::pair<int, Bytes>> sampleFrames() {
  const Bytes t4 = ipv4("10.0.0.1", "10.0.0.2", 6, tcp(1, 2, filler(4)));
  const Bytes u6 = ipv6("::1", "::2", 17, udp(3, 4, filler(4)));
  const Bytes frag6 =
      ipv6("::1", "::2", 0, ipv6Ext(44, ipv6Fragment(17, 0, true, 9, udp(3, 4, filler(4))), 1));
  const std::vector<GtpExtension> ext = {{{0x00, 0x01}, 0x00}};
  return {
      {kLinkEthernet, ethernet(0x88a8, vlan(1, 0x8100, vlan(2, 0x0800, t4)))},
      {kLinkEthernet, ethernet(0x8847, mpls(1, false, mpls(2, true, u6)))},
      {kLinkEthernet, ethernet(0x8864, pppoeSession(0x0057, u6))},
      {kLinkEthernet, ethernet(0x86dd, frag6)},
      {kLinkEthernet, ethernet(0x0800, ipv4("10.0.0.1", "10.0.0.2", 1, icmp(8, 0, filler(4))))},
      {kLinkEthernet, ethernet(0x0800, ipv4("10.0.0.1", "10.0.0.2", 132, sctp(5, 6, filler(4))))},
      {kLinkEthernet, ethernet(0x0800, ipv4("1.1.1.1", "2.2.2.2", 47, gre(0x0800, t4, 0xb000)))},
      {kLinkEthernet,
       ethernet(0x0800, ipv4("1.1.1.1", "2.2.2.2", 47, gre(0x6558, ethernet(0x0800, t4))))},
      {kLinkEthernet,
       ethernet(0x0800, ipv4("1.1.1.1", "2.2.2.2", 47, gre(0x880b, ppp(0x0021, t4), 0x3081)))},
      {kLinkEthernet,
       ethernet(0x0800, ipv4("1.1.1.1", "2.2.2.2", 17, udp(2152, 2152, gtpu(1, u6, true, ext))))},
      {kLinkEthernet, ethernet(0x0800, ipv4("1.1.1.1", "2.2.2.2", 17,
                                            udp(9, 4789, vxlan(1, ethernet(0x0800, t4)))))},
      {kLinkEthernet, ethernet(0x0800, ipv4("1.1.1.1", "2.2.2.2", 41, u6))},
      {kLinkEthernet, ethernet(0x86dd, ipv6("::a", "::b", 4, t4))},
      {kLinkSll, sll(0x0800, t4)},
      {kLinkSll2, sll2(0x86dd, u6)},
      {kLinkNull, nullHeader(2, true, t4)},
      {kLinkLoop, nullHeader(30, false, u6)},
      {kLinkRaw, t4},
      {kLinkChdlc, chdlc(0x0800, t4)},
      {kLinkPpp, ppp(0x0057, u6)},
  };
}

TEST(DecoderMalformedTest, EveryCutOfEveryLayerStaysInBounds) {
  int frames = 0;
  for (const auto& [link, full] : sampleFrames()) {
    DecodedPacket whole;
    ASSERT_TRUE(decodeBytes(link, full, whole)) << "sample " << frames;
    for (size_t n = 0; n <= full.size(); ++n) {
      const Bytes cut(full.begin(), full.begin() + long(n));
      for (uint32_t wire : {0u, uint32_t(full.size())}) {
        DecodedPacket p;
        const bool ok = decodeBytes(link, cut, p, wire);
        expectConsistent(ok, p, cut,
                         "sample " + std::to_string(frames) + " cut at " + std::to_string(n));
      }
    }
    ++frames;
  }
  EXPECT_EQ(frames, 20);
}

struct Case {
  const char* name;
  int link;
  Bytes frame;
  Reason reason;
};

Bytes withByte(Bytes b, size_t at, uint8_t value) {
  b[at] = value;
  return b;
}
Bytes overIpv4(uint8_t proto, const Bytes& payload) {
  return ethernet(0x0800, ipv4("10.0.0.1", "10.0.0.2", proto, payload));
}

std::vector<Case> malformedCases() {
  const Bytes t4 = ipv4("10.0.0.1", "10.0.0.2", 6, tcp(1, 2, filler(4)));
  const Bytes u6 = ipv6("::1", "::2", 17, udp(3, 4, {}));
  const std::vector<GtpExtension> ext = {{{0x00, 0x01}, 0x00}};
  const Bytes gtp_ok = gtpu(1, t4, false, ext);
  const Bytes gtp_ext = withByte(gtp_ok, 12, 0);  // extension length 0
  const Bytes gtp_cut = Bytes(gtp_ok.begin(), gtp_ok.begin() + 14);
  Bytes gtp_long = gtpu(1, {}, false, ext);
  gtp_long[12] = 9;  // 36 bytes claimed, 4 present
  return {
      {"IPv4 total length below header length", kLinkEthernet,
       ethernet(0x0800, ipv4("10.0.0.1", "10.0.0.2", 6, tcp(1, 2, {}), {.total_len = 19})),
       Reason::kBadIpv4Length},
      {"IPv4 total length below a long header", kLinkRaw,
       ipv4("10.0.0.1", "10.0.0.2", 6, tcp(1, 2, {}), {.options = Bytes(8, 1), .total_len = 24}),
       Reason::kBadIpv4Length},
      {"IPv4 total length beyond the frame", kLinkEthernet,
       ethernet(0x0800, ipv4("10.0.0.1", "10.0.0.2", 6, tcp(1, 2, {}), {.total_len = 41})),
       Reason::kBadIpv4Length},
      {"IPv4 version 5", kLinkEthernet,
       ethernet(0x0800, ipv4("10.0.0.1", "10.0.0.2", 6, tcp(1, 2, {}), {.version_ihl = 0x55})),
       Reason::kBadIpv4Header},
      {"IPv4 header length 16", kLinkEthernet,
       ethernet(0x0800, ipv4("10.0.0.1", "10.0.0.2", 6, tcp(1, 2, {}), {.version_ihl = 0x44})),
       Reason::kBadIpv4Header},
      {"IPv4 options past the frame", kLinkRaw,
       ipv4("10.0.0.1", "10.0.0.2", 6, {}, {.version_ihl = 0x4f}), Reason::kTruncatedIpv4},
      {"IPv4 shorter than 20 bytes", kLinkRaw, Bytes(t4.begin(), t4.begin() + 19),
       Reason::kTruncatedIpv4},
      {"raw frame neither IPv4 nor IPv6", kLinkRaw, withByte(t4, 0, 0x50), Reason::kBadIpv4Header},
      {"IPv6 version 4 behind 0x86dd", kLinkEthernet,
       ethernet(0x86dd, ipv6("::1", "::2", 17, udp(3, 4, {}), {.version = 4})),
       Reason::kBadIpv6Header},
      {"IPv6 payload length beyond the frame", kLinkEthernet,
       ethernet(0x86dd, ipv6("::1", "::2", 17, udp(3, 4, {}), {.payload_len = 9})),
       Reason::kBadIpv6Header},
      {"IPv6 shorter than 40 bytes", kLinkRaw, Bytes(u6.begin(), u6.begin() + 39),
       Reason::kTruncatedIpv6},
      {"IPv6 extension header longer than the packet", kLinkRaw,
       ipv6("::1", "::2", 0, withByte(ipv6Ext(17, udp(3, 4, {})), 1, 4)),
       Reason::kTruncatedIpv6Ext},
      {"IPv6 extension header under 8 bytes", kLinkRaw, ipv6("::1", "::2", 60, {17, 0, 1, 0}),
       Reason::kTruncatedIpv6Ext},
      {"IPv6 fragment header cut", kLinkRaw, ipv6("::1", "::2", 44, {17, 0, 0, 1}),
       Reason::kTruncatedIpv6Ext},
      {"TCP data offset 4", kLinkEthernet, overIpv4(6, tcp(1, 2, {}, {.data_offset = 4})),
       Reason::kBadTcpHeader},
      {"TCP header cut by the IP length", kLinkEthernet,
       overIpv4(6, Bytes(t4.begin() + 20, t4.begin() + 30)), Reason::kTruncatedTcp},
      {"TCP inside padding only", kLinkEthernet,
       [] {
         Bytes b = ethernet(0x0800, ipv4("10.0.0.1", "10.0.0.2", 6, {}));
         b.resize(60, 0);  // Ethernet padding is not a TCP header
         return b;
       }(),
       Reason::kTruncatedTcp},
      {"UDP header of 4 bytes", kLinkEthernet, overIpv4(17, {0, 53, 0, 53}), Reason::kTruncatedUdp},
      {"ICMP header of 2 bytes", kLinkEthernet, overIpv4(1, {8, 0}), Reason::kTruncatedIcmp},
      {"ICMPv6 header of 3 bytes", kLinkRaw, ipv6("::1", "::2", 58, {128, 0, 0}),
       Reason::kTruncatedIcmp},
      {"SCTP header of 8 bytes", kLinkEthernet, overIpv4(132, filler(8)), Reason::kTruncatedSctp},
      {"GRE header of 2 bytes", kLinkEthernet, overIpv4(47, {0, 0}), Reason::kTruncatedTunnel},
      {"GRE key flag without the key", kLinkEthernet, overIpv4(47, {0x20, 0, 0x08, 0}),
       Reason::kTruncatedTunnel},
      {"GRE inner IPv4 length below its header", kLinkEthernet,
       overIpv4(47, gre(0x0800, ipv4("1.1.1.1", "2.2.2.2", 6, {}, {.total_len = 8}))),
       Reason::kBadIpv4Length},
      {"GTP-U optional fields cut", kLinkEthernet,
       overIpv4(17, udp(2152, 2152, {0x32, 0xff, 0, 0, 0, 0, 0, 1})), Reason::kTruncatedTunnel},
      {"GTP-U extension length 0", kLinkEthernet, overIpv4(17, udp(2152, 2152, gtp_ext)),
       Reason::kTruncatedTunnel},
      {"GTP-U extension header cut", kLinkEthernet, overIpv4(17, udp(2152, 2152, gtp_cut)),
       Reason::kTruncatedTunnel},
      {"GTP-U extension longer than the packet", kLinkEthernet,
       overIpv4(17, udp(2152, 2152, gtp_long)), Reason::kTruncatedTunnel},
      {"VXLAN inner frame with a bad IPv6 header", kLinkEthernet,
       overIpv4(17, udp(9, 4789, vxlan(1, ethernet(0x86dd, withByte(u6, 0, 0x40))))),
       Reason::kBadIpv6Header},
      {"VLAN tag cut", kLinkEthernet, ethernet(0x8100, {0, 1}), Reason::kTruncatedVlan},
      {"inner VLAN tag cut", kLinkEthernet, ethernet(0x88a8, vlan(1, 0x8100, {0, 2, 8})),
       Reason::kTruncatedVlan},
      {"MPLS stack without bottom of stack", kLinkEthernet,
       ethernet(0x8847, mpls(1, false, mpls(2, false, {}))), Reason::kTruncatedMpls},
      {"PPPoE header cut", kLinkEthernet, ethernet(0x8864, {0x11, 0, 0, 1, 0}),
       Reason::kTruncatedPppoe},
      {"Ethernet header cut", kLinkEthernet, filler(13), Reason::kTruncatedL2},
      {"SLL header cut", kLinkSll, filler(15), Reason::kTruncatedL2},
      {"SLL2 header cut", kLinkSll2, filler(19), Reason::kTruncatedL2},
      {"NULL header cut", kLinkNull, {2, 0, 0}, Reason::kTruncatedL2},
      {"C-HDLC header cut", kLinkChdlc, {0x0f, 0, 8}, Reason::kTruncatedL2},
      {"PPP protocol missing", kLinkPpp, {0xff, 0x03}, Reason::kTruncatedL2},
      {"PPP one byte", kLinkPpp, {0x21}, Reason::kTruncatedL2},
      {"unknown link type", 147, t4, Reason::kUnknownLinkType},
  };
}

TEST(DecoderMalformedTest, ReasonsAreTheExpectedOnes) {
  for (const Case& c : malformedCases()) {
    DecodedPacket p;
    const bool ok = decodeBytes(c.link, c.frame, p);
    EXPECT_FALSE(ok) << c.name;
    EXPECT_EQ(p.reason, c.reason) << c.name << ": got '" << reasonName(p.reason) << "', expected '"
                                  << reasonName(c.reason) << "'";
    expectConsistent(ok, p, c.frame, c.name);
  }
}

TEST(DecoderMalformedTest, ReasonNamesAreDistinct) {
  std::set<std::string> names;
  for (size_t r = 0; r < size_t(Reason::kCount); ++r) {
    const std::string name = reasonName(Reason(r));
    EXPECT_FALSE(name.empty()) << r;
    EXPECT_TRUE(names.insert(name).second) << name;
  }
  EXPECT_STREQ(reasonName(Reason::kOk), "ok");
  EXPECT_STREQ(reasonName(Reason::kBadIpv4Length), "bad IPv4 length");
}

}  // namespace
}  // namespace flowlens::decode

namespace flowlens::decode {
namespace {

// Found by the fuzzer: a frame with more stacked headers than the decoder follows (here 70 VLAN
// tags, each only 4 bytes) is malformed, never half-decoded as IP.
TEST(DecoderMalformed, TooManyStackedHeadersIsMalformed) {
  std::vector<uint8_t> frame(12, 0x02);  // destination and source MACs
  for (int i = 0; i < 70; ++i) {
    for (uint8_t b : {0x81, 0x00, 0x00, 0x05}) frame.push_back(b);
  }
  for (uint8_t b : {0x08, 0x00, 0x45, 0x00, 0x00, 0x14, 0, 0, 0, 0, 64, 50, 0, 0, 10, 0, 0, 1,
                    10, 0, 0, 2}) {
    frame.push_back(b);
  }
  DecodedPacket p;
  EXPECT_FALSE(decodeFrame(kLinkEthernet, frame.data(), uint32_t(frame.size()),
                           uint32_t(frame.size()), 1, p));
  EXPECT_EQ(p.reason, Reason::kTooManyHeaders);
  EXPECT_STREQ(reasonName(p.reason), "too many headers");

  // 40 tags still decode: the limit is on headers, not on VLANs as such.
  frame.erase(frame.begin() + 12, frame.begin() + 12 + 30 * 4);
  EXPECT_TRUE(decodeFrame(kLinkEthernet, frame.data(), uint32_t(frame.size()),
                          uint32_t(frame.size()), 1, p));
  EXPECT_EQ(p.vlan_id, 5);
}

}  // namespace
}  // namespace flowlens::decode
