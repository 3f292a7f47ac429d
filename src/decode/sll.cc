// Linux cooked captures (-i any): SLL (16-byte header) and SLL2 (20 bytes).

#include "decode/layers.h"

#include <cstring>

namespace flowlens::decode {
namespace {

// ARPHRD_ETHER addresses are MACs; keep them when the header carries a 6-byte address.
void sourceMac(const uint8_t* addr, uint16_t hatype, uint8_t addr_len, DecodedPacket& p) {
  if (hatype == 1 && addr_len == 6) {
    p.has_mac = true;
    std::memcpy(p.src_mac.data(), addr, 6);
  }
}

}  // namespace

Layer decodeSll(Cursor& c, DecodedPacket& p) {
  if (!c.has(16)) return fail(p, Reason::kTruncatedL2);
  const uint8_t* h = c.at();
  sourceMac(h + 6, be16(h + 2), uint8_t(be16(h + 4)), p);
  const uint16_t type = be16(h + 14);
  c.offset += 16;
  p.ethertype = type;
  return layerForEthertype(type);
}

Layer decodeSll2(Cursor& c, DecodedPacket& p) {
  if (!c.has(20)) return fail(p, Reason::kTruncatedL2);
  const uint8_t* h = c.at();
  const uint16_t type = be16(h);
  sourceMac(h + 12, be16(h + 8), h[11], p);
  c.offset += 20;
  p.ethertype = type;
  return layerForEthertype(type);
}

}  // namespace flowlens::decode
