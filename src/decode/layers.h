#pragma once
// The decoder's layers. Each layer is one function in its own file: it reads its header at
// `cursor.offset`, fills the packet, advances the cursor and names the next layer. Which
// ethertype or IP protocol leads where is data (ethertype.cc), not a switch spread
// over files. No layer reads outside [data, data + length).

#include <cstdint>

#include "decode/packet.h"

namespace flowlens::decode {

enum class Layer : uint8_t {
  kEthernet, kVlan, kMpls, kPppoe, kPpp, kChdlc, kSll, kSll2, kNull, kRawIp,
  kIpv4, kIpv6, kTcp, kUdp, kIcmp, kIcmpv6, kSctp, kGre, kGtpU, kVxlan,
  kDone,   // decoded as far as we go (other IP protocols, ESP, ...)
  kNotIp,  // a frame without IP (ARP, LLDP, STP ...): counted, no flow
  kError,  // packet.reason says why
};

struct Cursor {
  const uint8_t* data;
  uint32_t length;  // bytes present in the capture
  uint32_t offset = 0;
  int tunnel_depth = 0;

  uint32_t remaining() const { return length - offset; }
  bool has(uint32_t n) const { return remaining() >= n; }
  const uint8_t* at(uint32_t rel = 0) const { return data + offset + rel; }
};

inline uint16_t be16(const uint8_t* p) { return uint16_t(p[0] << 8 | p[1]); }
inline uint32_t be32(const uint8_t* p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}

inline Layer fail(DecodedPacket& p, Reason r) {
  p.reason = r;
  return Layer::kError;
}

// Tables.
Layer layerForEthertype(uint16_t ethertype);
Layer layerForIpProto(uint8_t proto);
// A tunnel's inner IP packet: the version nibble picks the layer (kDone if neither).
Layer layerForIpVersion(const Cursor& c);

// Layers (one file each).
Layer decodeEthernet(Cursor& c, DecodedPacket& p);
Layer decodeVlan(Cursor& c, DecodedPacket& p);
Layer decodeMpls(Cursor& c, DecodedPacket& p);
Layer decodePppoe(Cursor& c, DecodedPacket& p);
Layer decodePpp(Cursor& c, DecodedPacket& p);  // DLT_PPP: [ff 03] protocol
Layer decodeChdlc(Cursor& c, DecodedPacket& p);
Layer decodeSll(Cursor& c, DecodedPacket& p);
Layer decodeSll2(Cursor& c, DecodedPacket& p);
Layer decodeNull(Cursor& c, DecodedPacket& p);
Layer decodeIpv4(Cursor& c, DecodedPacket& p);
Layer decodeIpv6(Cursor& c, DecodedPacket& p);
Layer decodeTcp(Cursor& c, DecodedPacket& p);
Layer decodeUdp(Cursor& c, DecodedPacket& p);
Layer decodeIcmp(Cursor& c, DecodedPacket& p);
Layer decodeSctp(Cursor& c, DecodedPacket& p);
Layer decodeGre(Cursor& c, DecodedPacket& p);
Layer decodeGtpU(Cursor& c, DecodedPacket& p);
Layer decodeVxlan(Cursor& c, DecodedPacket& p);

inline constexpr int kMaxTunnelDepth = 4;

}  // namespace flowlens::decode
