// The decoder on tunnels: GRE, GTP-U, VXLAN, IP-in-IP, 6in4, 4in6. The flow fields (addresses,
// protocol, ports, l3) are the innermost packet's, as ntopng keys tunnelled traffic.

#include <gtest/gtest.h>

#include "decode/decoder.h"
#include "decode/layers.h"
#include "frame_builder.h"

namespace flowlens::decode {
namespace {

using namespace testing;  // NOLINT: the frame builder

// The inner packet every tunnel below carries (unless said otherwise).
Bytes innerTcp() {
  return ipv4("172.16.0.1", "172.16.0.2", 6, tcp(1025, 80, filler(20), {.flags = kTcpAck}));
}
Bytes innerUdp6() { return ipv6("2001:db8:1::1", "2001:db8:1::2", 17, udp(4000, 5000, filler(8))); }

void expectInnerTcp(const DecodedPacket& p, Tunnel tunnel, const Bytes& frame) {
  EXPECT_EQ(p.reason, Reason::kOk);
  EXPECT_EQ(p.tunnel, tunnel);
  EXPECT_EQ(p.ip_version, 4);
  EXPECT_EQ(ipText(p.src_ip, 4), "172.16.0.1");
  EXPECT_EQ(ipText(p.dst_ip, 4), "172.16.0.2");
  EXPECT_EQ(p.l4_proto, 6);
  EXPECT_EQ(p.src_port, 1025);
  EXPECT_EQ(p.dst_port, 80);
  EXPECT_EQ(p.tcp_flags, kTcpAck);
  EXPECT_EQ(p.payload_len, 20u);
  // l3 is the inner header: nDPI inspects the inner packet.
  const Bytes inner = innerTcp();
  ASSERT_NE(p.l3, nullptr);
  ASSERT_GE(p.l3, frame.data());
  ASSERT_LE(p.l3 + inner.size(), frame.data() + frame.size());
  EXPECT_EQ(Bytes(p.l3, p.l3 + inner.size()), inner);
  EXPECT_EQ(p.l3_len, inner.size());
  // The frame's length stays the outer frame's: flows count bytes on the wire.
  EXPECT_EQ(p.wire_len, frame.size());
}

void expectInnerUdp6(const DecodedPacket& p, Tunnel tunnel) {
  EXPECT_EQ(p.reason, Reason::kOk);
  EXPECT_EQ(p.tunnel, tunnel);
  EXPECT_EQ(p.ip_version, 6);
  EXPECT_EQ(ipText(p.src_ip, 6), "2001:db8:1::1");
  EXPECT_EQ(ipText(p.dst_ip, 6), "2001:db8:1::2");
  EXPECT_EQ(p.l4_proto, 17);
  EXPECT_EQ(p.src_port, 4000);
  EXPECT_EQ(p.dst_port, 5000);
  EXPECT_EQ(p.payload_len, 8u);
}

Bytes overIpv4(uint8_t proto, const Bytes& payload) {
  return ethernet(0x0800, ipv4("192.0.2.1", "192.0.2.2", proto, payload));
}

TEST(DecoderTunnelTest, GreWithIpv4Inside) {
  const Bytes frame = overIpv4(47, gre(0x0800, innerTcp()));
  DecodedPacket p;
  ASSERT_TRUE(decodeBytes(kLinkEthernet, frame, p));
  expectInnerTcp(p, Tunnel::kGre, frame);
}

TEST(DecoderTunnelTest, GreOptionalFields) {
  // Checksum, key and sequence number present: 16 bytes of GRE header.
  for (uint16_t flags : {0x8000, 0x2000, 0x1000, 0xb000}) {
    const Bytes frame = overIpv4(47, gre(0x0800, innerTcp(), flags));
    DecodedPacket p;
    ASSERT_TRUE(decodeBytes(kLinkEthernet, frame, p)) << flags;
    expectInnerTcp(p, Tunnel::kGre, frame);
  }
  DecodedPacket p;
  ASSERT_TRUE(decodeBytes(kLinkEthernet, overIpv4(47, gre(0x86dd, innerUdp6(), 0x2000)), p));
  expectInnerUdp6(p, Tunnel::kGre);
}

TEST(DecoderTunnelTest, GreTransparentEthernet) {
  const Mac inner_src{0x0a, 1, 2, 3, 4, 5}, inner_dst{0x0a, 6, 7, 8, 9, 10};
  const Bytes frame = overIpv4(
      47, gre(0x6558, ethernet(0x8100, vlan(33, 0x0800, innerTcp()), inner_dst, inner_src)));
  DecodedPacket p;
  ASSERT_TRUE(decodeBytes(kLinkEthernet, frame, p));
  expectInnerTcp(p, Tunnel::kGre, frame);
  EXPECT_EQ(p.src_mac, inner_src);
  EXPECT_EQ(p.dst_mac, inner_dst);
  EXPECT_EQ(p.vlan_id, 33);
}

TEST(DecoderTunnelTest, PptpEnhancedGre) {
  // Version 1, key present (payload length + call id), sequence and acknowledgement numbers.
  const Bytes frame = overIpv4(47, gre(0x880b, ppp(0x0021, innerTcp()), 0x3081));
  DecodedPacket p;
  ASSERT_TRUE(decodeBytes(kLinkEthernet, frame, p));
  expectInnerTcp(p, Tunnel::kGre, frame);
}

TEST(DecoderTunnelTest, GreWeDoNotOpenIsTheFlow) {
  // ERSPAN (0x88be) and GRE version 2+: the GRE packet itself is the flow.
  for (auto [protocol, flags] : {std::pair<uint16_t, uint16_t>{0x88be, 0x1000}, {0x0800, 0x0002}}) {
    DecodedPacket p;
    ASSERT_TRUE(decodeBytes(kLinkEthernet, overIpv4(47, gre(protocol, innerTcp(), flags)), p));
    EXPECT_EQ(p.tunnel, Tunnel::kNone);
    EXPECT_EQ(ipText(p.src_ip, 4), "192.0.2.1");
    EXPECT_EQ(p.l4_proto, 47);
    EXPECT_EQ(p.src_port, 0);
  }
}

TEST(DecoderTunnelTest, GtpUWithoutExtensionHeaders) {
  const Bytes frame = overIpv4(17, udp(2152, 2152, gtpu(0x11223344, innerTcp())));
  DecodedPacket p;
  ASSERT_TRUE(decodeBytes(kLinkEthernet, frame, p));
  expectInnerTcp(p, Tunnel::kGtpU, frame);
  // With the sequence number field (the optional 4 bytes), IPv6 inside, one side on 2152.
  ASSERT_TRUE(
      decodeBytes(kLinkEthernet, overIpv4(17, udp(40000, 2152, gtpu(1, innerUdp6(), true))), p));
  expectInnerUdp6(p, Tunnel::kGtpU);
  ASSERT_TRUE(decodeBytes(kLinkEthernet, overIpv4(17, udp(2152, 40000, gtpu(1, innerUdp6()))), p));
  expectInnerUdp6(p, Tunnel::kGtpU);
}

TEST(DecoderTunnelTest, GtpUWithExtensionHeaders) {
  // PDU session container (0x85), then a second extension (UDP port, 0x40), then none.
  const std::vector<GtpExtension> two = {{{0x10, 0x09}, 0x40},
                                         {{0x08, 0x68, 0x00, 0x00, 0x00, 0x00}, 0x00}};
  const Bytes frame = overIpv4(17, udp(2152, 2152, gtpu(7, innerTcp(), false, two)));
  DecodedPacket p;
  ASSERT_TRUE(decodeBytes(kLinkEthernet, frame, p));
  expectInnerTcp(p, Tunnel::kGtpU, frame);
  const std::vector<GtpExtension> one = {{{0x00, 0x01}, 0x00}};
  ASSERT_TRUE(decodeBytes(kLinkEthernet,
                          overIpv4(17, udp(2152, 2152, gtpu(7, innerUdp6(), true, one))), p));
  expectInnerUdp6(p, Tunnel::kGtpU);
}

TEST(DecoderTunnelTest, GtpUOtherMessagesAreUdpFlows) {
  DecodedPacket p;
  // Echo request (type 1): no user packet inside.
  ASSERT_TRUE(decodeBytes(kLinkEthernet,
                          overIpv4(17, udp(2152, 2152, gtpu(0, filler(4), true, {}, 0, 1))), p));
  EXPECT_EQ(p.tunnel, Tunnel::kNone);
  EXPECT_EQ(p.src_port, 2152);
  EXPECT_EQ(ipText(p.src_ip, 4), "192.0.2.1");
  // Too short to be GTP.
  ASSERT_TRUE(decodeBytes(kLinkEthernet, overIpv4(17, udp(3000, 2152, filler(5))), p));
  EXPECT_EQ(p.tunnel, Tunnel::kNone);
  EXPECT_EQ(p.dst_port, 2152);
  // A G-PDU whose payload is not IP.
  ASSERT_TRUE(decodeBytes(kLinkEthernet, overIpv4(17, udp(2152, 2152, gtpu(0, Bytes(20, 0)))), p));
  EXPECT_EQ(p.tunnel, Tunnel::kNone);
  EXPECT_EQ(p.l4_proto, 17);
}

TEST(DecoderTunnelTest, Vxlan) {
  const Mac inner_src{0x0a, 1, 2, 3, 4, 5}, inner_dst{0x0a, 6, 7, 8, 9, 10};
  const Bytes frame = overIpv4(
      17, udp(51000, 4789, vxlan(5000, ethernet(0x0800, innerTcp(), inner_dst, inner_src))));
  DecodedPacket p;
  ASSERT_TRUE(decodeBytes(kLinkEthernet, frame, p));
  expectInnerTcp(p, Tunnel::kVxlan, frame);
  EXPECT_EQ(p.src_mac, inner_src);
  EXPECT_EQ(p.dst_mac, inner_dst);
  ASSERT_TRUE(decodeBytes(
      kLinkEthernet, overIpv4(17, udp(51000, 4789, vxlan(1, ethernet(0x86dd, innerUdp6())))), p));
  expectInnerUdp6(p, Tunnel::kVxlan);
}

TEST(DecoderTunnelTest, VxlanWithoutVniFlagIsAUdpFlow) {
  DecodedPacket p;
  ASSERT_TRUE(decodeBytes(
      kLinkEthernet, overIpv4(17, udp(51000, 4789, vxlan(1, ethernet(0x0800, innerTcp()), 0))), p));
  EXPECT_EQ(p.tunnel, Tunnel::kNone);
  EXPECT_EQ(p.dst_port, 4789);
  EXPECT_EQ(ipText(p.dst_ip, 4), "192.0.2.2");
}

TEST(DecoderTunnelTest, VxlanCarryingArpKeepsTheOuterFlow) {
  DecodedPacket p;
  ASSERT_TRUE(decodeBytes(
      kLinkEthernet, overIpv4(17, udp(51000, 4789, vxlan(1, ethernet(0x0806, filler(28))))), p));
  EXPECT_EQ(p.ip_version, 4);
  EXPECT_EQ(ipText(p.src_ip, 4), "192.0.2.1");
  EXPECT_EQ(p.src_port, 51000);
  EXPECT_EQ(p.dst_port, 4789);
}

TEST(DecoderTunnelTest, IpInIp) {
  const Bytes frame = overIpv4(4, innerTcp());
  DecodedPacket p;
  ASSERT_TRUE(decodeBytes(kLinkEthernet, frame, p));
  expectInnerTcp(p, Tunnel::kIpInIp, frame);
}

TEST(DecoderTunnelTest, SixInFour) {
  DecodedPacket p;
  ASSERT_TRUE(decodeBytes(kLinkEthernet, overIpv4(41, innerUdp6()), p));
  expectInnerUdp6(p, Tunnel::kIpInIp);
}

TEST(DecoderTunnelTest, FourInSix) {
  const Bytes frame = ethernet(0x86dd, ipv6("2001:db8::a", "2001:db8::b", 4, innerTcp()));
  DecodedPacket p;
  ASSERT_TRUE(decodeBytes(kLinkEthernet, frame, p));
  expectInnerTcp(p, Tunnel::kIpInIp, frame);
}

TEST(DecoderTunnelTest, FourInSixAfterExtensionHeader) {
  const Bytes frame =
      ethernet(0x86dd, ipv6("2001:db8::a", "2001:db8::b", 60, ipv6Ext(4, innerTcp())));
  DecodedPacket p;
  ASSERT_TRUE(decodeBytes(kLinkEthernet, frame, p));
  expectInnerTcp(p, Tunnel::kIpInIp, frame);
}

TEST(DecoderTunnelTest, FragmentedTunnelKeepsTheOuterFlow) {
  // The first fragment of a GTP-U datagram: the tunnelled packet is split, keep the UDP flow.
  Ipv4Fields f;
  f.frag = 0x2000;
  DecodedPacket p;
  ASSERT_TRUE(decodeBytes(
      kLinkEthernet,
      ethernet(0x0800, ipv4("192.0.2.1", "192.0.2.2", 17, udp(2152, 2152, gtpu(1, innerTcp())), f)),
      p));
  EXPECT_EQ(p.tunnel, Tunnel::kNone);
  EXPECT_EQ(p.src_port, 2152);
  EXPECT_TRUE(p.first_fragment);
}

TEST(DecoderTunnelTest, FragmentedIpTunnelsKeepTheOuterFlow) {
  // The first fragment of an IP-in-IP, 6in4 or GRE datagram: the inner packet is incomplete.
  Ipv4Fields f;
  f.frag = 0x2000;
  for (auto [proto, payload] : {std::pair<uint8_t, Bytes>{4, innerTcp()},
                                {41, innerUdp6()},
                                {47, gre(0x0800, innerTcp())}}) {
    DecodedPacket p;
    ASSERT_TRUE(decodeBytes(kLinkEthernet,
                            ethernet(0x0800, ipv4("192.0.2.1", "192.0.2.2", proto, payload, f)), p))
        << int(proto);
    EXPECT_EQ(p.tunnel, Tunnel::kNone) << int(proto);
    EXPECT_EQ(p.ip_version, 4);
    EXPECT_EQ(ipText(p.src_ip, 4), "192.0.2.1");
    EXPECT_EQ(p.l4_proto, proto);
    EXPECT_TRUE(p.first_fragment);
  }
  // 4in6 behind an IPv6 fragment header.
  DecodedPacket p;
  ASSERT_TRUE(decodeBytes(
      kLinkRaw, ipv6("2001:db8::a", "2001:db8::b", 44, ipv6Fragment(4, 0, true, 1, innerTcp())),
      p));
  EXPECT_EQ(p.tunnel, Tunnel::kNone);
  EXPECT_EQ(p.ip_version, 6);
  EXPECT_EQ(p.l4_proto, 4);
  EXPECT_TRUE(p.first_fragment);
}

TEST(DecoderTunnelTest, NestedTunnels) {
  // VXLAN inside GRE inside MPLS: the innermost packet is the flow.
  const Bytes vx = udp(51000, 4789, vxlan(9, ethernet(0x0800, innerTcp())));
  const Bytes frame =
      ethernet(0x8847, mpls(100, true,
                            ipv4("192.0.2.1", "192.0.2.2", 47,
                                 gre(0x0800, ipv4("198.51.100.1", "198.51.100.2", 17, vx)))));
  DecodedPacket p;
  ASSERT_TRUE(decodeBytes(kLinkEthernet, frame, p));
  expectInnerTcp(p, Tunnel::kVxlan, frame);
}

// IP-in-IP `depth` times around the TCP packet.
Bytes ipInIp(int depth) {
  Bytes b = innerTcp();
  for (int i = 0; i < depth; ++i) b = ipv4("192.0.2.1", "192.0.2.2", 4, b);
  return b;
}

TEST(DecoderTunnelTest, TunnelDepthIsBounded) {
  DecodedPacket p;
  const Bytes ok = ipInIp(kMaxTunnelDepth);
  ASSERT_TRUE(decodeBytes(kLinkRaw, ok, p));
  expectInnerTcp(p, Tunnel::kIpInIp, ok);
  EXPECT_FALSE(decodeBytes(kLinkRaw, ipInIp(kMaxTunnelDepth + 1), p));
  EXPECT_EQ(p.reason, Reason::kTunnelTooDeep);
  // GRE counts too.
  Bytes b = innerTcp();
  for (int i = 0; i <= kMaxTunnelDepth; ++i) b = ipv4("192.0.2.1", "192.0.2.2", 47, gre(0x0800, b));
  EXPECT_FALSE(decodeBytes(kLinkRaw, b, p));
  EXPECT_EQ(p.reason, Reason::kTunnelTooDeep);
}

}  // namespace
}  // namespace flowlens::decode
