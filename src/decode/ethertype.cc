// Which layer follows an ethertype or an IP protocol number: the decoder's routing tables.

#include "decode/layers.h"

namespace flowlens::decode {

Layer layerForEthertype(uint16_t ethertype) {
  switch (ethertype) {
    case 0x0800: return Layer::kIpv4;
    case 0x86DD: return Layer::kIpv6;
    case 0x8100: case 0x88A8: case 0x9100: return Layer::kVlan;  // 802.1Q, 802.1ad, QinQ
    case 0x8847: case 0x8848: return Layer::kMpls;               // unicast, multicast
    case 0x8864: return Layer::kPppoe;                           // PPPoE session
    default: return Layer::kNotIp;
  }
}

Layer layerForIpProto(uint8_t proto) {
  switch (proto) {
    case 6: return Layer::kTcp;
    case 17: return Layer::kUdp;
    case 1: return Layer::kIcmp;
    case 58: return Layer::kIcmpv6;
    case 132: return Layer::kSctp;
    case 47: return Layer::kGre;
    case 4: return Layer::kIpv4;   // IP-in-IP, 4in6
    case 41: return Layer::kIpv6;  // 6in4, 6in6
    default: return Layer::kDone;
  }
}

Layer layerForIpVersion(const Cursor& c) {
  if (!c.has(1)) return Layer::kDone;
  switch (*c.at() >> 4) {
    case 4: return Layer::kIpv4;
    case 6: return Layer::kIpv6;
    default: return Layer::kDone;
  }
}

}  // namespace flowlens::decode
