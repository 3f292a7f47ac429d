// GRE (RFC 2784/2890) and enhanced GRE (PPTP, version 1): the inner packet becomes the flow.

#include "decode/layers.h"

namespace flowlens::decode {

Layer decodeGre(Cursor& c, DecodedPacket& p) {
  if (!c.has(4)) return fail(p, Reason::kTruncatedTunnel);
  const uint8_t* h = c.at();
  const uint16_t flags = be16(h);
  const uint16_t protocol = be16(h + 2);
  const uint32_t version = flags & 0x7;
  uint32_t len = 4;
  if (flags & 0x8000) len += 4;  // checksum + reserved
  if (flags & 0x2000) len += 4;  // key (PPTP: payload length + call id)
  if (flags & 0x1000) len += 4;  // sequence number
  if (version == 1 && (flags & 0x0080)) len += 4;  // PPTP acknowledgement
  if (version > 1) return Layer::kDone;
  if (!c.has(len)) return fail(p, Reason::kTruncatedTunnel);
  if (++c.tunnel_depth > kMaxTunnelDepth) return fail(p, Reason::kTunnelTooDeep);
  const Cursor outer = c;
  c.offset += len;
  Layer next;
  switch (protocol) {
    case 0x0800: next = Layer::kIpv4; break;
    case 0x86DD: next = Layer::kIpv6; break;
    case 0x6558: next = Layer::kEthernet; break;  // transparent Ethernet bridging
    case 0x880B: next = Layer::kPpp; break;       // PPTP
    default: next = Layer::kDone; break;
  }
  if (next == Layer::kDone) {
    c = outer;  // not a tunnel we open: the GRE packet itself is the flow
    return Layer::kDone;
  }
  p.tunnel = Tunnel::kGre;
  return next;
}

}  // namespace flowlens::decode
