// IPv4: header and options, fragments (the L4 header only in the first one), tunnels by protocol.

#include "decode/layers.h"

#include <cstring>

namespace flowlens::decode {

Layer decodeIpv4(Cursor& c, DecodedPacket& p) {
  if (!c.has(20)) return fail(p, Reason::kTruncatedIpv4);
  const uint8_t* h = c.at();
  const uint32_t header_len = uint32_t(h[0] & 0x0f) * 4;
  if ((h[0] >> 4) != 4 || header_len < 20) return fail(p, Reason::kBadIpv4Header);
  if (!c.has(header_len)) return fail(p, Reason::kTruncatedIpv4);
  uint32_t total_len = be16(h + 2);
  if (total_len == 0) total_len = c.remaining();  // segmentation offload: length left to the NIC
  if (total_len < header_len) return fail(p, Reason::kBadIpv4Length);
  // A datagram longer than the frame is malformed unless the capture cut the frame (snaplen).
  const bool snapped = p.cap_len < p.wire_len;
  if (total_len > c.remaining() && !snapped) return fail(p, Reason::kBadIpv4Length);

  if (p.ip_version != 0 && p.tunnel == Tunnel::kNone) p.tunnel = Tunnel::kIpInIp;
  p.ip_version = 4;
  p.src_ip = {};
  p.dst_ip = {};
  std::memcpy(p.src_ip.data(), h + 12, 4);
  std::memcpy(p.dst_ip.data(), h + 16, 4);
  p.dscp = h[1] >> 2;
  p.ttl = h[8];
  p.ip_id = be16(h + 4);
  p.l4_proto = h[9];
  p.l3 = h;
  p.l3_len = total_len < c.remaining() ? total_len : c.remaining();
  p.has_l4 = false;
  p.src_port = p.dst_port = 0;

  const uint16_t frag = be16(h + 6);
  const bool more_fragments = (frag & 0x2000) != 0;
  const uint16_t frag_offset = frag & 0x1fff;
  p.fragment = more_fragments || frag_offset != 0;
  p.first_fragment = p.fragment && frag_offset == 0;

  c.length = c.offset + p.l3_len;  // Ethernet padding is not payload
  c.offset += header_len;
  p.payload_len = total_len - header_len;
  if (frag_offset != 0) return Layer::kDone;  // no L4 header in this fragment
  const Layer next = layerForIpProto(p.l4_proto);
  const bool tunnel = next == Layer::kIpv4 || next == Layer::kIpv6 || next == Layer::kGre;
  if (tunnel && p.fragment) return Layer::kDone;  // a split tunnelled packet: the outer flow
  if (next == Layer::kIpv4 || next == Layer::kIpv6) {
    if (++c.tunnel_depth > kMaxTunnelDepth) return fail(p, Reason::kTunnelTooDeep);
  }
  return next;
}

}  // namespace flowlens::decode
