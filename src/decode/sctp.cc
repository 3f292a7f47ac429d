// SCTP: the common header's ports.

#include "decode/layers.h"

namespace flowlens::decode {

Layer decodeSctp(Cursor& c, DecodedPacket& p) {
  if (!c.has(12)) return fail(p, Reason::kTruncatedSctp);
  p.has_l4 = true;
  p.src_port = be16(c.at());
  p.dst_port = be16(c.at(2));
  p.payload_len = p.payload_len > 12 ? p.payload_len - 12 : 0;
  c.offset += 12;
  return Layer::kDone;
}

}  // namespace flowlens::decode
