// ICMP and ICMPv6: type and code (flows of these protocols have no ports).

#include "decode/layers.h"

namespace flowlens::decode {

Layer decodeIcmp(Cursor& c, DecodedPacket& p) {
  if (!c.has(4)) return fail(p, Reason::kTruncatedIcmp);
  p.has_l4 = true;
  p.icmp_type = c.at()[0];
  p.icmp_code = c.at()[1];
  p.payload_len = p.payload_len > 8 ? p.payload_len - 8 : 0;
  c.offset += 4;
  return Layer::kDone;
}

}  // namespace flowlens::decode
