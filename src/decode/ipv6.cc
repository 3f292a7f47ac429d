// IPv6 and its extension headers (hop-by-hop, routing, fragment, destination options, AH,
// mobility, HIP, shim6). ESP and "no next header" end decoding with that protocol as L4.

#include "decode/layers.h"

#include <cstring>

namespace flowlens::decode {
namespace {

bool isExtensionHeader(uint8_t next) {
  switch (next) {
    case 0: case 43: case 44: case 60: case 51: case 135: case 139: case 140: return true;
    default: return false;
  }
}

}  // namespace

Layer decodeIpv6(Cursor& c, DecodedPacket& p) {
  if (!c.has(40)) return fail(p, Reason::kTruncatedIpv6);
  const uint8_t* h = c.at();
  if ((h[0] >> 4) != 6) return fail(p, Reason::kBadIpv6Header);
  uint32_t payload_len = be16(h + 4);
  if (payload_len == 0) payload_len = c.remaining() - 40;  // jumbogram or offload
  const bool snapped = p.cap_len < p.wire_len;
  if (payload_len > c.remaining() - 40 && !snapped) return fail(p, Reason::kBadIpv6Header);

  if (p.ip_version != 0 && p.tunnel == Tunnel::kNone) p.tunnel = Tunnel::kIpInIp;
  p.ip_version = 6;
  std::memcpy(p.src_ip.data(), h + 8, 16);
  std::memcpy(p.dst_ip.data(), h + 24, 16);
  p.dscp = uint8_t((be16(h) >> 6) & 0x3f);
  p.ttl = h[7];
  p.l3 = h;
  p.l3_len = 40 + payload_len < c.remaining() ? 40 + payload_len : c.remaining();
  p.has_l4 = false;
  p.src_port = p.dst_port = 0;
  p.fragment = p.first_fragment = false;
  c.length = c.offset + p.l3_len;
  c.offset += 40;

  uint8_t next = h[6];
  uint32_t left = payload_len;
  bool later_fragment = false;
  while (isExtensionHeader(next)) {
    if (!c.has(8)) return fail(p, Reason::kTruncatedIpv6Ext);
    const uint8_t* e = c.at();
    uint32_t len;
    if (next == 44) {  // fragment header: fixed 8 bytes
      len = 8;
      const uint16_t off = be16(e + 2) >> 3;
      p.fragment = true;
      p.first_fragment = off == 0;
      p.ip_id = uint16_t(be32(e + 4));
      later_fragment = off != 0;
    } else if (next == 51) {  // AH: length in 4-byte units, minus 2
      len = (uint32_t(e[1]) + 2) * 4;
    } else {
      len = (uint32_t(e[1]) + 1) * 8;
    }
    if (!c.has(len)) return fail(p, Reason::kTruncatedIpv6Ext);
    next = e[0];
    c.offset += len;
    left = left > len ? left - len : 0;
    if (later_fragment) break;
  }
  p.l4_proto = next;
  p.payload_len = left;
  if (later_fragment || next == 59) return Layer::kDone;
  const Layer layer = layerForIpProto(next);
  const bool tunnel = layer == Layer::kIpv4 || layer == Layer::kIpv6 || layer == Layer::kGre;
  if (tunnel && p.fragment) return Layer::kDone;  // a split tunnelled packet: the outer flow
  if (layer == Layer::kIpv4 || layer == Layer::kIpv6) {
    if (++c.tunnel_depth > kMaxTunnelDepth) return fail(p, Reason::kTunnelTooDeep);
  }
  return layer;
}

}  // namespace flowlens::decode
