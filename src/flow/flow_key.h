#pragma once
// The bidirectional flow key: VLAN, L4 protocol, and the two (address, port) endpoints in a
// canonical order, so both directions of a conversation find the same flow.

#include <array>
#include <bit>
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

// Orders two addresses as memcmp does (byte by byte), in two 64-bit compares: every packet's
// key needs it, and a call to memcmp had cost 2% of the packet thread.
inline int compareAddresses(const std::array<uint8_t, 16>& a, const std::array<uint8_t, 16>& b) {
  uint64_t x[2], y[2];
  std::memcpy(x, a.data(), 16);
  std::memcpy(y, b.data(), 16);
  for (int i = 0; i < 2; ++i) {
    if constexpr (std::endian::native == std::endian::little) {
      x[i] = __builtin_bswap64(x[i]);
      y[i] = __builtin_bswap64(y[i]);
    }
    if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
  }
  return 0;
}

// Builds the key of a decoded IP packet; `src_is_lo` tells which endpoint sent it.
inline FlowKey makeKey(const decode::DecodedPacket& p, bool* src_is_lo) {
  FlowKey k;  // every byte initialised: no padding (see the static_assert)
  Endpoint s{p.src_ip, p.src_port}, d{p.dst_ip, p.dst_port};
  const int c = compareAddresses(s.ip, d.ip);
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
