// UDP: ports; the well-known tunnel ports (GTP-U 2152, VXLAN 4789) continue inside.

#include "decode/layers.h"

namespace flowlens::decode {

Layer decodeUdp(Cursor& c, DecodedPacket& p) {
  if (!c.has(8)) return fail(p, Reason::kTruncatedUdp);
  const uint8_t* h = c.at();
  p.has_l4 = true;
  p.src_port = be16(h);
  p.dst_port = be16(h + 2);
  p.payload_len = p.payload_len > 8 ? p.payload_len - 8 : 0;
  c.offset += 8;
  if (p.fragment) return Layer::kDone;  // the tunnelled packet is split: keep the outer flow
  if (p.dst_port == 2152 || p.src_port == 2152) return Layer::kGtpU;
  if (p.dst_port == 4789) return Layer::kVxlan;
  return Layer::kDone;
}

}  // namespace flowlens::decode
