// Cisco HDLC (DLT_C_HDLC): address, control, then an ethertype.

#include "decode/layers.h"

namespace flowlens::decode {

Layer decodeChdlc(Cursor& c, DecodedPacket& p) {
  if (!c.has(4)) return fail(p, Reason::kTruncatedL2);
  const uint16_t type = be16(c.at(2));
  c.offset += 4;
  p.ethertype = type;
  return layerForEthertype(type);
}

}  // namespace flowlens::decode
