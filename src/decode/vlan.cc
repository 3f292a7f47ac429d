// 802.1Q / 802.1ad tags, stacked (QinQ). The flow's VLAN is the innermost tag's id, as ntopng
// and ndpiReader take it.

#include "decode/layers.h"

namespace flowlens::decode {

Layer decodeVlan(Cursor& c, DecodedPacket& p) {
  if (!c.has(4)) return fail(p, Reason::kTruncatedVlan);
  const uint16_t tci = be16(c.at());
  const uint16_t type = be16(c.at(2));
  p.vlan_id = tci & 0x0fff;
  c.offset += 4;
  p.ethertype = type;
  return layerForEthertype(type);
}

}  // namespace flowlens::decode
