// The decoder on hand-built frames: each link layer, IPv4/IPv6 (options, fragments, extension
// headers) and each transport. Tunnels are in decoder_tunnel_test.cc, malformed frames in
// decoder_malformed_test.cc.

#include "decode/decoder.h"

#include <gtest/gtest.h>

#include "frame_builder.h"

namespace flowlens::decode {
namespace {

using namespace testing;  // NOLINT: the frame builder

// A TCP segment from 10.0.0.1:40000 to 10.0.0.2:443 with `payload_len` payload bytes.
Bytes tcpIpv4(size_t payload_len = 10, const TcpFields& t = {}) {
  return ipv4("10.0.0.1", "10.0.0.2", 6, tcp(40000, 443, filler(payload_len), t));
}
Bytes udpIpv6(size_t payload_len = 12) {
  return ipv6("2001:db8::1", "2001:db8::2", 17, udp(5353, 53, filler(payload_len)));
}

void expectTcpIpv4Flow(const DecodedPacket& p) {
  EXPECT_EQ(p.reason, Reason::kOk);
  EXPECT_EQ(p.ip_version, 4);
  EXPECT_EQ(ipText(p.src_ip, 4), "10.0.0.1");
  EXPECT_EQ(ipText(p.dst_ip, 4), "10.0.0.2");
  EXPECT_EQ(p.l4_proto, 6);
  EXPECT_TRUE(p.has_l4);
  EXPECT_EQ(p.src_port, 40000);
  EXPECT_EQ(p.dst_port, 443);
  EXPECT_EQ(p.tunnel, Tunnel::kNone);
}

void expectUdpIpv6Flow(const DecodedPacket& p) {
  EXPECT_EQ(p.reason, Reason::kOk);
  EXPECT_EQ(p.ip_version, 6);
  EXPECT_EQ(ipText(p.src_ip, 6), "2001:db8::1");
  EXPECT_EQ(ipText(p.dst_ip, 6), "2001:db8::2");
  EXPECT_EQ(p.l4_proto, 17);
  EXPECT_EQ(p.src_port, 5353);
  EXPECT_EQ(p.dst_port, 53);
  EXPECT_EQ(p.payload_len, 12u);
}

TEST(DecoderTest, EthernetTcpIpv4EveryField) {
  Ipv4Fields f;
  f.tos = 0xb8;  // DSCP 46 (EF)
  f.id = 0xbeef;
  f.ttl = 57;
  TcpFields t;
  t.seq = 0x01020304;
  t.ack = 0xa0b0c0d0;
  t.flags = kTcpPsh | kTcpAck;
  t.window = 2048;
  const Bytes l3 = ipv4("10.0.0.1", "10.0.0.2", 6, tcp(40000, 443, filler(100), t), f);
  const Bytes frame = ethernet(0x0800, l3);
  DecodedPacket p;
  ASSERT_TRUE(decodeBytes(kLinkEthernet, frame, p, 0, 123456789));
  expectTcpIpv4Flow(p);
  EXPECT_EQ(p.ts_us, 123456789u);
  EXPECT_EQ(p.cap_len, frame.size());
  EXPECT_EQ(p.wire_len, frame.size());
  EXPECT_TRUE(p.has_mac);
  EXPECT_EQ(p.src_mac, kMacA);
  EXPECT_EQ(p.dst_mac, kMacB);
  EXPECT_EQ(p.ethertype, 0x0800);
  EXPECT_EQ(p.vlan_id, 0);
  EXPECT_EQ(p.dscp, 46);
  EXPECT_EQ(p.ttl, 57);
  EXPECT_EQ(p.ip_id, 0xbeef);
  EXPECT_FALSE(p.fragment);
  EXPECT_FALSE(p.first_fragment);
  EXPECT_EQ(p.l3, frame.data() + 14);
  EXPECT_EQ(p.l3_len, l3.size());
  EXPECT_EQ(p.tcp_seq, 0x01020304u);
  EXPECT_EQ(p.tcp_ack, 0xa0b0c0d0u);
  EXPECT_EQ(p.tcp_flags, kTcpPsh | kTcpAck);
  EXPECT_EQ(p.tcp_window, 2048);
  EXPECT_EQ(p.payload_len, 100u);
}

TEST(DecoderTest, WireLengthAboveCaptureLengthIsKept) {
  const Bytes frame = ethernet(0x0800, tcpIpv4(0));
  DecodedPacket p;
  ASSERT_TRUE(decodeBytes(kLinkEthernet, frame, p, 1514));
  EXPECT_EQ(p.cap_len, frame.size());
  EXPECT_EQ(p.wire_len, 1514u);
}

TEST(DecoderTest, EthernetPaddingIsNotPayload) {
  Bytes frame = ethernet(0x0800, ipv4("10.0.0.1", "10.0.0.2", 17, udp(1000, 2000, filler(2))));
  frame.resize(60, 0);  // minimum Ethernet frame
  DecodedPacket p;
  ASSERT_TRUE(decodeBytes(kLinkEthernet, frame, p));
  EXPECT_EQ(p.l3_len, 20u + 8 + 2);
  EXPECT_EQ(p.payload_len, 2u);
  EXPECT_EQ(p.src_port, 1000);
  EXPECT_EQ(p.dst_port, 2000);
}

TEST(DecoderTest, NonIpFramesAreNotErrors) {
  DecodedPacket p;
  EXPECT_FALSE(decodeBytes(kLinkEthernet, ethernet(0x0806, filler(28)), p));  // ARP
  EXPECT_EQ(p.reason, Reason::kOk);
  EXPECT_EQ(p.ip_version, 0);
  EXPECT_EQ(p.ethertype, 0x0806);
  EXPECT_TRUE(p.has_mac);
  EXPECT_FALSE(decodeBytes(kLinkEthernet, ethernet(0x88cc, filler(30)), p));  // LLDP
  EXPECT_EQ(p.reason, Reason::kOk);
  // 802.3 with a length field (LLC/SNAP: STP, CDP).
  EXPECT_FALSE(decodeBytes(kLinkEthernet, ethernet(0x0026, filler(38)), p));
  EXPECT_EQ(p.reason, Reason::kOk);
  EXPECT_EQ(p.ip_version, 0);
}

TEST(DecoderTest, Vlan8021Q) {
  // PCP 5 and DEI set around VLAN 100: only the 12-bit id is the VLAN.
  const Bytes frame = ethernet(0x8100, vlan(0xb000 | 100, 0x0800, tcpIpv4()));
  DecodedPacket p;
  ASSERT_TRUE(decodeBytes(kLinkEthernet, frame, p));
  expectTcpIpv4Flow(p);
  EXPECT_EQ(p.vlan_id, 100);
  EXPECT_EQ(p.ethertype, 0x0800);
  EXPECT_EQ(p.l3, frame.data() + 18);
}

TEST(DecoderTest, QinQKeepsTheInnermostVlan) {
  for (uint16_t outer_tpid : {0x88a8, 0x9100, 0x8100}) {
    const Bytes frame = ethernet(outer_tpid, vlan(10, 0x8100, vlan(20, 0x86dd, udpIpv6())));
    DecodedPacket p;
    ASSERT_TRUE(decodeBytes(kLinkEthernet, frame, p)) << outer_tpid;
    expectUdpIpv6Flow(p);
    EXPECT_EQ(p.vlan_id, 20) << outer_tpid;
    EXPECT_EQ(p.l3, frame.data() + 22);
  }
  // Three tags.
  DecodedPacket p;
  ASSERT_TRUE(decodeBytes(
      kLinkEthernet, ethernet(0x88a8, vlan(1, 0x8100, vlan(2, 0x8100, vlan(3, 0x0800, tcpIpv4())))),
      p));
  EXPECT_EQ(p.vlan_id, 3);
  expectTcpIpv4Flow(p);
}

TEST(DecoderTest, MplsLabelStack) {
  const Bytes frame = ethernet(0x8847, mpls(16, false, mpls(17, false, mpls(18, true, tcpIpv4()))));
  DecodedPacket p;
  ASSERT_TRUE(decodeBytes(kLinkEthernet, frame, p));
  expectTcpIpv4Flow(p);
  EXPECT_EQ(p.l3, frame.data() + 14 + 12);
  ASSERT_TRUE(decodeBytes(kLinkEthernet, ethernet(0x8848, mpls(3, true, udpIpv6())), p));
  expectUdpIpv6Flow(p);
  // A pseudowire (control word 0x0000...): not IP, not an error.
  EXPECT_FALSE(decodeBytes(kLinkEthernet, ethernet(0x8847, mpls(5, true, Bytes(4, 0))), p));
  EXPECT_EQ(p.reason, Reason::kOk);
  // MPLS inside a VLAN.
  ASSERT_TRUE(
      decodeBytes(kLinkEthernet, ethernet(0x8100, vlan(7, 0x8847, mpls(1, true, tcpIpv4()))), p));
  expectTcpIpv4Flow(p);
  EXPECT_EQ(p.vlan_id, 7);
}

TEST(DecoderTest, PppoeSession) {
  DecodedPacket p;
  const Bytes frame = ethernet(0x8864, pppoeSession(0x0021, tcpIpv4()));
  ASSERT_TRUE(decodeBytes(kLinkEthernet, frame, p));
  expectTcpIpv4Flow(p);
  EXPECT_EQ(p.l3, frame.data() + 14 + 8);
  ASSERT_TRUE(decodeBytes(kLinkEthernet, ethernet(0x8864, pppoeSession(0x0057, udpIpv6())), p));
  expectUdpIpv6Flow(p);
  // LCP inside a session: not IP.
  EXPECT_FALSE(decodeBytes(kLinkEthernet, ethernet(0x8864, pppoeSession(0xc021, filler(10))), p));
  EXPECT_EQ(p.reason, Reason::kOk);
  // PPPoE discovery (0x8863): not IP.
  EXPECT_FALSE(decodeBytes(kLinkEthernet, ethernet(0x8863, filler(20)), p));
  EXPECT_EQ(p.reason, Reason::kOk);
}

TEST(DecoderTest, LinuxCookedSll) {
  const Bytes frame = sll(0x0800, tcpIpv4());
  DecodedPacket p;
  ASSERT_TRUE(decodeBytes(kLinkSll, frame, p));
  expectTcpIpv4Flow(p);
  EXPECT_TRUE(p.has_mac);
  EXPECT_EQ(p.src_mac, kMacA);
  EXPECT_EQ(p.l3, frame.data() + 16);
  ASSERT_TRUE(decodeBytes(kLinkSll, sll(0x86dd, udpIpv6()), p));
  expectUdpIpv6Flow(p);
  ASSERT_TRUE(decodeBytes(kLinkSll, sll(0x8100, vlan(42, 0x0800, tcpIpv4())), p));
  EXPECT_EQ(p.vlan_id, 42);
  expectTcpIpv4Flow(p);
}

TEST(DecoderTest, LinuxCookedSll2) {
  const Bytes frame = sll2(0x86dd, udpIpv6());
  DecodedPacket p;
  ASSERT_TRUE(decodeBytes(kLinkSll2, frame, p));
  expectUdpIpv6Flow(p);
  EXPECT_TRUE(p.has_mac);
  EXPECT_EQ(p.src_mac, kMacA);
  EXPECT_EQ(p.l3, frame.data() + 20);
  ASSERT_TRUE(decodeBytes(kLinkSll2, sll2(0x0800, tcpIpv4()), p));
  expectTcpIpv4Flow(p);
}

TEST(DecoderTest, NullLoopbackBothByteOrders) {
  for (bool little : {true, false}) {
    DecodedPacket p;
    ASSERT_TRUE(decodeBytes(kLinkNull, nullHeader(2, little, tcpIpv4()), p)) << little;
    expectTcpIpv4Flow(p);
    EXPECT_FALSE(p.has_mac);
    for (uint32_t af6 : {10u, 24u, 28u, 30u}) {  // Linux, NetBSD/OpenBSD, FreeBSD, macOS
      ASSERT_TRUE(decodeBytes(kLinkNull, nullHeader(af6, little, udpIpv6()), p)) << af6;
      expectUdpIpv6Flow(p);
    }
    // DLT_LOOP: the family in network order (the decoder takes either).
    ASSERT_TRUE(decodeBytes(kLinkLoop, nullHeader(2, little, tcpIpv4()), p));
    expectTcpIpv4Flow(p);
    // Another family (AF_APPLETALK 16): not IP.
    EXPECT_FALSE(decodeBytes(kLinkNull, nullHeader(16, little, filler(20)), p));
    EXPECT_EQ(p.reason, Reason::kOk);
  }
}

TEST(DecoderTest, RawIpEveryLinkTypeValue) {
  for (int link : {kLinkRaw, 14, 101}) {
    DecodedPacket p;
    const Bytes l3 = tcpIpv4();
    ASSERT_TRUE(decodeBytes(link, l3, p)) << link;
    expectTcpIpv4Flow(p);
    EXPECT_EQ(p.l3, l3.data());
    EXPECT_FALSE(p.has_mac);
    ASSERT_TRUE(decodeBytes(link, udpIpv6(), p)) << link;
    expectUdpIpv6Flow(p);
  }
}

TEST(DecoderTest, CiscoHdlc) {
  DecodedPacket p;
  const Bytes frame = chdlc(0x0800, tcpIpv4());
  ASSERT_TRUE(decodeBytes(kLinkChdlc, frame, p));
  expectTcpIpv4Flow(p);
  EXPECT_EQ(p.l3, frame.data() + 4);
  ASSERT_TRUE(decodeBytes(kLinkChdlc, chdlc(0x86dd, udpIpv6()), p));
  expectUdpIpv6Flow(p);
  EXPECT_FALSE(decodeBytes(kLinkChdlc, chdlc(0x8035, filler(20)), p));  // SLARP
  EXPECT_EQ(p.reason, Reason::kOk);
}

TEST(DecoderTest, Ppp) {
  DecodedPacket p;
  const Bytes frame = ppp(0x0021, tcpIpv4());
  ASSERT_TRUE(decodeBytes(kLinkPpp, frame, p));
  expectTcpIpv4Flow(p);
  EXPECT_EQ(p.l3, frame.data() + 4);
  // Address and control fields compressed away.
  ASSERT_TRUE(decodeBytes(kLinkPpp, ppp(0x0057, udpIpv6(), false), p));
  expectUdpIpv6Flow(p);
  EXPECT_FALSE(decodeBytes(kLinkPpp, ppp(0xc021, filler(12)), p));  // LCP
  EXPECT_EQ(p.reason, Reason::kOk);
}

TEST(DecoderTest, SupportedLinkTypes) {
  for (int link : {0, 1, 9, 12, 14, 101, 104, 108, 113, 276}) {
    EXPECT_TRUE(linkTypeSupported(link)) << link;
  }
  for (int link : {-1, 2, 105, 127, 147, 192}) EXPECT_FALSE(linkTypeSupported(link)) << link;
}

TEST(DecoderTest, Ipv4Options) {
  Ipv4Fields f;
  f.options = {0x94, 0x04, 0x00, 0x00,                  // router alert
               0x07, 0x07, 0x04, 10,   0, 0, 1, 0x01};  // record route (+ EOL padding)
  const Bytes l3 = ipv4("10.0.0.1", "10.0.0.2", 17, udp(1111, 2222, filler(30)), f);
  ASSERT_EQ(l3[0], 0x48);
  DecodedPacket p;
  ASSERT_TRUE(decodeBytes(kLinkRaw, l3, p));
  EXPECT_EQ(p.src_port, 1111);
  EXPECT_EQ(p.dst_port, 2222);
  EXPECT_EQ(p.payload_len, 30u);
  EXPECT_EQ(p.l3_len, l3.size());
  // The longest header (15 words: 40 option bytes), with TCP behind it.
  f.options = Bytes(40, 0x01);  // NOPs
  ASSERT_TRUE(
      decodeBytes(kLinkRaw, ipv4("10.0.0.1", "10.0.0.2", 6, tcp(40000, 443, filler(5)), f), p));
  expectTcpIpv4Flow(p);
  EXPECT_EQ(p.payload_len, 5u);
}

TEST(DecoderTest, Ipv4FirstFragmentHasPorts) {
  Ipv4Fields f;
  f.id = 0x4242;
  f.frag = 0x2000;  // more fragments, offset 0
  const Bytes frame =
      ethernet(0x0800, ipv4("10.0.0.1", "10.0.0.2", 17, udp(5000, 53, filler(1472)), f));
  DecodedPacket p;
  ASSERT_TRUE(decodeBytes(kLinkEthernet, frame, p));
  EXPECT_TRUE(p.fragment);
  EXPECT_TRUE(p.first_fragment);
  EXPECT_TRUE(p.has_l4);
  EXPECT_EQ(p.src_port, 5000);
  EXPECT_EQ(p.dst_port, 53);
  EXPECT_EQ(p.ip_id, 0x4242);
  EXPECT_EQ(p.l4_proto, 17);
}

TEST(DecoderTest, Ipv4LaterFragmentsHaveNoPorts) {
  for (uint16_t frag : {uint16_t(0x2000 | 185), uint16_t(370)}) {  // middle, last
    Ipv4Fields f;
    f.id = 0x4242;
    f.frag = frag;
    // The payload looks like a UDP header: it must not be read as one.
    const Bytes l3 = ipv4("10.0.0.1", "10.0.0.2", 17, udp(9999, 9999, filler(100)), f);
    DecodedPacket p;
    ASSERT_TRUE(decodeBytes(kLinkEthernet, ethernet(0x0800, l3), p)) << frag;
    EXPECT_TRUE(p.fragment);
    EXPECT_FALSE(p.first_fragment);
    EXPECT_FALSE(p.has_l4);
    EXPECT_EQ(p.src_port, 0);
    EXPECT_EQ(p.dst_port, 0);
    EXPECT_EQ(p.l4_proto, 17);
    EXPECT_EQ(p.ip_id, 0x4242);
    EXPECT_EQ(p.payload_len, 108u);
    EXPECT_EQ(p.l3_len, l3.size());
  }
}

TEST(DecoderTest, Ipv4DontFragmentIsNotAFragment) {
  Ipv4Fields f;
  f.frag = 0x4000;
  DecodedPacket p;
  ASSERT_TRUE(decodeBytes(kLinkRaw, ipv4("10.0.0.1", "10.0.0.2", 6, tcp(40000, 443, {}), f), p));
  EXPECT_FALSE(p.fragment);
  EXPECT_FALSE(p.first_fragment);
}

TEST(DecoderTest, Ipv6HopByHopAndFirstFragment) {
  // hop-by-hop (16 bytes) -> fragment (8) -> UDP.
  const Bytes payload =
      ipv6Ext(44, ipv6Fragment(17, 0, true, 0xabcd1234, udp(5353, 53, filler(12))), 1);
  const Bytes l3 = ipv6("2001:db8::1", "2001:db8::2", 0, payload);
  DecodedPacket p;
  ASSERT_TRUE(decodeBytes(kLinkEthernet, ethernet(0x86dd, l3), p));
  expectUdpIpv6Flow(p);
  EXPECT_TRUE(p.fragment);
  EXPECT_TRUE(p.first_fragment);
  EXPECT_TRUE(p.has_l4);
  EXPECT_EQ(p.ip_id, 0x1234);  // the low 16 bits of the identification
  EXPECT_EQ(p.l3_len, l3.size());
  EXPECT_EQ(p.ttl, 64);
}

TEST(DecoderTest, Ipv6LaterFragmentHasNoPorts) {
  const Bytes payload = ipv6Ext(44, ipv6Fragment(17, 181, false, 7, udp(1, 2, filler(40))));
  DecodedPacket p;
  ASSERT_TRUE(decodeBytes(kLinkRaw, ipv6("2001:db8::1", "2001:db8::2", 0, payload), p));
  EXPECT_TRUE(p.fragment);
  EXPECT_FALSE(p.first_fragment);
  EXPECT_FALSE(p.has_l4);
  EXPECT_EQ(p.src_port, 0);
  EXPECT_EQ(p.dst_port, 0);
  EXPECT_EQ(p.l4_proto, 17);
  EXPECT_EQ(p.ip_id, 7);
  EXPECT_EQ(p.payload_len, 48u);
}

TEST(DecoderTest, Ipv6RoutingAndDestinationOptions) {
  // destination options (8) -> routing (24) -> TCP.
  const Bytes payload = ipv6Ext(43, ipv6Ext(6, tcp(40000, 443, filler(9)), 2));
  DecodedPacket p;
  ASSERT_TRUE(decodeBytes(kLinkRaw, ipv6("2001:db8::1", "2001:db8::2", 60, payload), p));
  EXPECT_EQ(p.l4_proto, 6);
  EXPECT_EQ(p.src_port, 40000);
  EXPECT_EQ(p.dst_port, 443);
  EXPECT_EQ(p.payload_len, 9u);
  EXPECT_FALSE(p.fragment);
}

TEST(DecoderTest, Ipv6TrafficClassAndNoNextHeader) {
  Ipv6Fields f;
  f.traffic_class = 0x28;  // DSCP 10
  f.hop_limit = 3;
  DecodedPacket p;
  ASSERT_TRUE(decodeBytes(kLinkRaw, ipv6("::1", "::2", 59, {}, f), p));
  EXPECT_EQ(p.dscp, 10);
  EXPECT_EQ(p.ttl, 3);
  EXPECT_EQ(p.l4_proto, 59);
  EXPECT_FALSE(p.has_l4);
}

TEST(DecoderTest, TcpOptionsFlagsAndPayloadLength) {
  TcpFields t;
  t.flags = kTcpSyn | kTcpEce | kTcpCwr;
  t.options = {0x02, 0x04, 0x05, 0xb4, 0x01, 0x03, 0x03, 0x07,  // MSS, NOP, window scale
               0x04, 0x02, 0x01, 0x01};                         // SACK permitted, NOPs
  DecodedPacket p;
  ASSERT_TRUE(decodeBytes(kLinkEthernet, ethernet(0x0800, tcpIpv4(0, t)), p));
  EXPECT_EQ(p.tcp_flags, kTcpSyn | kTcpEce | kTcpCwr);
  EXPECT_EQ(p.payload_len, 0u);
  ASSERT_TRUE(decodeBytes(kLinkEthernet, ethernet(0x0800, tcpIpv4(1234, t)), p));
  EXPECT_EQ(p.payload_len, 1234u);
  t.flags = kTcpFin | kTcpRst | kTcpUrg;
  ASSERT_TRUE(decodeBytes(kLinkRaw, tcpIpv4(1, t), p));
  EXPECT_EQ(p.tcp_flags, kTcpFin | kTcpRst | kTcpUrg);
  // TCP over IPv6.
  ASSERT_TRUE(decodeBytes(kLinkRaw, ipv6("::1", "::2", 6, tcp(1, 2, filler(7), t)), p));
  EXPECT_EQ(p.payload_len, 7u);
  EXPECT_EQ(p.src_port, 1);
}

TEST(DecoderTest, Udp) {
  DecodedPacket p;
  ASSERT_TRUE(
      decodeBytes(kLinkRaw, ipv4("192.168.1.1", "8.8.8.8", 17, udp(33000, 53, filler(29))), p));
  EXPECT_TRUE(p.has_l4);
  EXPECT_EQ(p.src_port, 33000);
  EXPECT_EQ(p.dst_port, 53);
  EXPECT_EQ(p.payload_len, 29u);
  EXPECT_EQ(p.tunnel, Tunnel::kNone);
}

TEST(DecoderTest, IcmpAndIcmpv6) {
  DecodedPacket p;
  ASSERT_TRUE(decodeBytes(
      kLinkEthernet, ethernet(0x0800, ipv4("10.0.0.1", "10.0.0.2", 1, icmp(8, 0, filler(56)))), p));
  EXPECT_EQ(p.l4_proto, 1);
  EXPECT_TRUE(p.has_l4);
  EXPECT_EQ(p.icmp_type, 8);
  EXPECT_EQ(p.icmp_code, 0);
  EXPECT_EQ(p.src_port, 0);
  EXPECT_EQ(p.dst_port, 0);
  EXPECT_EQ(p.payload_len, 56u);
  ASSERT_TRUE(decodeBytes(kLinkRaw, ipv4("10.0.0.1", "10.0.0.2", 1, icmp(3, 3, filler(28))), p));
  EXPECT_EQ(p.icmp_type, 3);
  EXPECT_EQ(p.icmp_code, 3);
  ASSERT_TRUE(
      decodeBytes(kLinkEthernet,
                  ethernet(0x86dd, ipv6("fe80::1", "ff02::1", 58, icmp(135, 0, filler(16)))), p));
  EXPECT_EQ(p.l4_proto, 58);
  EXPECT_EQ(p.icmp_type, 135);
  EXPECT_EQ(p.payload_len, 16u);
  EXPECT_EQ(p.src_port, 0);
}

TEST(DecoderTest, Sctp) {
  DecodedPacket p;
  ASSERT_TRUE(decodeBytes(
      kLinkEthernet,
      ethernet(0x0800, ipv4("10.0.0.1", "10.0.0.2", 132, sctp(2905, 2905, filler(32)))), p));
  EXPECT_EQ(p.l4_proto, 132);
  EXPECT_TRUE(p.has_l4);
  EXPECT_EQ(p.src_port, 2905);
  EXPECT_EQ(p.dst_port, 2905);
  EXPECT_EQ(p.payload_len, 32u);
}

TEST(DecoderTest, OtherIpProtocolsAreFlowsWithoutPorts) {
  for (uint8_t proto : {2, 50, 89, 112, 255}) {  // IGMP, ESP, OSPF, VRRP, reserved
    DecodedPacket p;
    ASSERT_TRUE(decodeBytes(kLinkRaw, ipv4("10.0.0.1", "224.0.0.5", proto, filler(24)), p))
        << int(proto);
    EXPECT_EQ(p.l4_proto, proto);
    EXPECT_FALSE(p.has_l4);
    EXPECT_EQ(p.src_port, 0);
    EXPECT_EQ(p.payload_len, 24u);
  }
}

TEST(DecoderTest, ReusedPacketIsReset) {
  // One DecodedPacket serves every frame of a packet thread: nothing may leak between frames.
  DecodedPacket p;
  ASSERT_TRUE(decodeBytes(kLinkEthernet,
                          ethernet(0x8100, vlan(9, 0x0800, tcpIpv4(5, {.flags = kTcpRst}))), p));
  ASSERT_TRUE(decodeBytes(kLinkRaw, ipv4("10.0.0.3", "10.0.0.4", 50, {}), p));
  EXPECT_EQ(p.vlan_id, 0);
  EXPECT_FALSE(p.has_mac);
  EXPECT_EQ(p.tcp_flags, 0);
  EXPECT_EQ(p.src_port, 0);
  EXPECT_FALSE(p.has_l4);
}

}  // namespace
}  // namespace flowlens::decode
