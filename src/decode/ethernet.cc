// Ethernet II (and 802.3 frames, which carry no IP here).

#include "decode/layers.h"

#include <cstring>

namespace flowlens::decode {

Layer decodeEthernet(Cursor& c, DecodedPacket& p) {
  if (!c.has(14)) return fail(p, Reason::kTruncatedL2);
  const uint8_t* h = c.at();
  p.has_mac = true;
  std::memcpy(p.dst_mac.data(), h, 6);
  std::memcpy(p.src_mac.data(), h + 6, 6);
  const uint16_t type = be16(h + 12);
  c.offset += 14;
  if (type < 0x0600) return Layer::kNotIp;  // 802.3 length field: LLC/SNAP (STP, CDP ...)
  p.ethertype = type;
  return layerForEthertype(type);
}

}  // namespace flowlens::decode
