// PPPoE session frames and bare PPP (DLT_PPP): the PPP protocol field picks IPv4 or IPv6.

#include "decode/layers.h"

namespace flowlens::decode {
namespace {

Layer layerForPppProtocol(uint16_t protocol) {
  switch (protocol) {
    case 0x0021: return Layer::kIpv4;
    case 0x0057: return Layer::kIpv6;
    default: return Layer::kNotIp;  // LCP, IPCP, CHAP ...
  }
}

}  // namespace

Layer decodePppoe(Cursor& c, DecodedPacket& p) {
  if (!c.has(8)) return fail(p, Reason::kTruncatedPppoe);
  const uint16_t protocol = be16(c.at(6));  // 6-byte PPPoE header, then PPP protocol
  c.offset += 8;
  return layerForPppProtocol(protocol);
}

Layer decodePpp(Cursor& c, DecodedPacket& p) {
  if (!c.has(2)) return fail(p, Reason::kTruncatedL2);
  if (c.at()[0] == 0xff && c.at()[1] == 0x03) {  // HDLC address and control
    c.offset += 2;
    if (!c.has(2)) return fail(p, Reason::kTruncatedL2);
  }
  const uint16_t protocol = be16(c.at());
  c.offset += 2;
  return layerForPppProtocol(protocol);
}

}  // namespace flowlens::decode
