// VXLAN (RFC 7348) on UDP 4789: an 8-byte header, then the tenant's Ethernet frame.

#include "decode/layers.h"

namespace flowlens::decode {

Layer decodeVxlan(Cursor& c, DecodedPacket& p) {
  if (!c.has(8 + 14)) return Layer::kDone;  // not room for a frame: keep the UDP flow
  if ((c.at()[0] & 0x08) == 0) return Layer::kDone;  // VNI flag must be set
  if (++c.tunnel_depth > kMaxTunnelDepth) return fail(p, Reason::kTunnelTooDeep);
  c.offset += 8;
  p.tunnel = Tunnel::kVxlan;
  return Layer::kEthernet;
}

}  // namespace flowlens::decode
