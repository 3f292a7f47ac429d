// BSD loopback (DLT_NULL: host-order family; DLT_LOOP: network order). AF_INET is 2
// everywhere; AF_INET6 is 24, 28 or 30 depending on the BSD, 10 on Linux.

#include "decode/layers.h"

namespace flowlens::decode {

Layer decodeNull(Cursor& c, DecodedPacket& p) {
  if (!c.has(4)) return fail(p, Reason::kTruncatedL2);
  const uint8_t* h = c.at();
  // Either byte order: the family is a small number in the first or the last byte.
  const uint32_t family = h[0] != 0 ? h[0] : h[3];
  c.offset += 4;
  switch (family) {
    case 2: return Layer::kIpv4;
    case 10: case 24: case 28: case 30: return Layer::kIpv6;
    default: return Layer::kNotIp;
  }
}

}  // namespace flowlens::decode
