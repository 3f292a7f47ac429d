// MPLS label stack: labels up to bottom-of-stack, then IP by its version nibble.

#include "decode/layers.h"

namespace flowlens::decode {

Layer decodeMpls(Cursor& c, DecodedPacket& p) {
  for (;;) {
    if (!c.has(4)) return fail(p, Reason::kTruncatedMpls);
    const bool bottom = (c.at()[2] & 0x01) != 0;
    c.offset += 4;
    if (bottom) break;
  }
  const Layer next = layerForIpVersion(c);
  return next == Layer::kDone ? Layer::kNotIp : next;  // e.g. pseudowire Ethernet: not decoded
}

}  // namespace flowlens::decode
