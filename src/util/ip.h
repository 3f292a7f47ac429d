#pragma once
// IP address and prefix parsing shared by options, Lua bindings and (later) host tables.
// Pure functions; thread-safe.

#include <netinet/in.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace flowlens::util {

struct IpAddress {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};  // IPv4 uses the first 4 bytes

  std::string toString() const;
  bool operator==(const IpAddress&) const = default;
};

struct IpPrefix {
  IpAddress network;  // masked
  int bits = 0;

  bool contains(const IpAddress& a) const;
  std::string toString() const;  // "10.0.0.0/8"
};

Result<IpAddress> parseIp(std::string_view text);
// "10.1.2.3/8" -> 10.0.0.0/8; a bare address becomes a host prefix (/32 or /128).
Result<IpPrefix> parsePrefix(std::string_view text);
// ntopng's "<address>[/<bits>][@<vlan>]" (host pool members, alert exclusions): the network and
// the VLAN (0 when none is given).
struct VlanPrefix {
  IpPrefix prefix;
  uint16_t vlan = 0;
};
Result<VlanPrefix> parseVlanPrefix(std::string_view text);
// Masks an address to `bits` (clamped to the family's width).
IpAddress maskAddress(const IpAddress& a, int bits);

// Total order: IPv4 before IPv6, then by bytes (memcmp); <0, 0, >0.
int compare(const IpAddress& a, const IpAddress& b);
// 224.0.0.0/4 and ff00::/8.
bool isMulticast(const IpAddress& a);
// 255.255.255.255.
bool isBroadcast(const IpAddress& a);
// RFC 1918 and fc00::/7 (unique local).
bool isPrivate(const IpAddress& a);

}  // namespace flowlens::util
