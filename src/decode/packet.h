#pragma once
// What the decoder learns about one captured frame. Plain data, filled in place (no allocation);
// pointers refer into the capture buffer and live as long as it does.

#include <array>
#include <cstdint>

namespace flowlens::decode {

// Why a frame could not be decoded. Each is counted per interface; names in reasonName().
enum class Reason : uint8_t {
  kOk = 0,
  kTruncatedL2,        // shorter than its link-layer header
  kUnknownLinkType,
  kTruncatedVlan,
  kTruncatedMpls,
  kTruncatedPppoe,
  kTruncatedIpv4,      // shorter than the IPv4 header
  kBadIpv4Header,      // version or header length wrong
  kBadIpv4Length,      // total length below the header length
  kTruncatedIpv6,
  kBadIpv6Header,
  kTruncatedIpv6Ext,   // an extension header runs past the frame
  kTruncatedTcp,
  kBadTcpHeader,       // data offset below 5 words
  kTruncatedUdp,
  kTruncatedIcmp,
  kTruncatedSctp,
  kTruncatedTunnel,    // GRE, GTP-U or VXLAN header cut short
  kTunnelTooDeep,
  kTooManyHeaders,     // more stacked headers (VLAN tags, MPLS labels, tunnels) than decoded
  kCount
};
const char* reasonName(Reason r);

enum class Tunnel : uint8_t { kNone, kGre, kGtpU, kVxlan, kIpInIp };

struct DecodedPacket {
  // Capture facts.
  uint64_t ts_us = 0;
  uint32_t wire_len = 0;  // the frame's original length (pcap orig_len)
  uint32_t cap_len = 0;

  // Link layer (the innermost Ethernet header seen).
  bool has_mac = false;
  std::array<uint8_t, 6> src_mac{}, dst_mac{};
  uint16_t vlan_id = 0;  // innermost 802.1Q tag, 0 = none
  uint16_t ethertype = 0;

  // Network layer (the innermost IP header).
  uint8_t ip_version = 0;  // 0 = not IP (ARP, LLDP, ...)
  std::array<uint8_t, 16> src_ip{}, dst_ip{};  // IPv4 in the first 4 bytes
  uint8_t l4_proto = 0;
  uint8_t ttl = 0;
  uint8_t dscp = 0;
  uint16_t ip_id = 0;
  bool fragment = false;        // part of a fragmented datagram
  bool first_fragment = false;  // ... and the one carrying the L4 header
  const uint8_t* l3 = nullptr;  // innermost IP header, for nDPI
  uint32_t l3_len = 0;          // its datagram bytes present in the capture
  Tunnel tunnel = Tunnel::kNone;

  // Transport layer. Ports are 0 when the protocol has none (and for non-first fragments).
  bool has_l4 = false;
  uint16_t src_port = 0, dst_port = 0;
  uint8_t tcp_flags = 0;
  uint32_t tcp_seq = 0, tcp_ack = 0;
  uint16_t tcp_window = 0;
  uint8_t icmp_type = 0, icmp_code = 0;
  uint32_t payload_len = 0;  // L4 payload bytes (by the IP length, not the capture)

  Reason reason = Reason::kOk;
};

// TCP flag bits as on the wire.
inline constexpr uint8_t kTcpFin = 0x01, kTcpSyn = 0x02, kTcpRst = 0x04, kTcpPsh = 0x08,
                         kTcpAck = 0x10, kTcpUrg = 0x20, kTcpEce = 0x40, kTcpCwr = 0x80;

}  // namespace flowlens::decode
