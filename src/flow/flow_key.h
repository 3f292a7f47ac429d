#pragma once
// The bidirectional flow key: VLAN, L4 protocol, and the two (address, port) endpoints in a
// canonical order, so both directions of a conversation find the same flow.

#include <array>
#include <cstdint>
#include <cstring>

#include "decode/packet.h"

namespace flowlens::flow {

struct Endpoint {
  std::array<uint8_t, 16> ip{};
  uint16_t port = 0;
};

struct FlowKey {
  Endpoint lo, hi;  // lo <= hi (address, then port)
  uint16_t vlan = 0;
  uint8_t proto = 0;
  uint8_t ip_version = 0;

  bool operator==(const FlowKey& o) const { return std::memcmp(this, &o, sizeof(*this)) == 0; }
};
static_assert(sizeof(FlowKey) == 40, "FlowKey must have no padding (compared with memcmp)");

// Builds the key of a decoded IP packet; `src_is_lo` tells which endpoint sent it.
inline FlowKey makeKey(const decode::DecodedPacket& p, bool* src_is_lo) {
  FlowKey k;  // every byte initialised: no padding (see the static_assert)
  Endpoint s{p.src_ip, p.src_port}, d{p.dst_ip, p.dst_port};
  const int c = std::memcmp(s.ip.data(), d.ip.data(), 16);
  *src_is_lo = c < 0 || (c == 0 && s.port <= d.port);
  k.lo = *src_is_lo ? s : d;
  k.hi = *src_is_lo ? d : s;
  k.vlan = p.vlan_id;
  k.proto = p.l4_proto;
  k.ip_version = p.ip_version;
  return k;
}

// 64-bit hash of a key (a multiply-xorshift mix of its words); stable across runs.
inline uint64_t hashKey(const FlowKey& k) {
  uint64_t w[5];
  std::memcpy(w, &k, sizeof(w));
  uint64_t h = 0x9E3779B97F4A7C15ull;
  for (uint64_t x : w) {
    h ^= x;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 32;
  }
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 29;
  return h;
}

}  // namespace flowlens::flow
