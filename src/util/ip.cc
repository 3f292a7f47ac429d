#include "util/ip.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace flowlens::util {

std::string IpAddress::toString() const {
  char buf[INET6_ADDRSTRLEN];
  if (!inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buf, sizeof(buf))) return "";
  return buf;
}

Result<IpAddress> parseIp(std::string_view text) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN ||
      text.find('\0') != std::string_view::npos) {
    return Error{"invalid IP address"};
  }
  char buf[INET6_ADDRSTRLEN];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  IpAddress a;
  if (inet_pton(AF_INET, buf, a.bytes.data()) == 1) return a;
  a.v6 = true;
  if (inet_pton(AF_INET6, buf, a.bytes.data()) == 1) return a;
  return Error{"invalid IP address '" + std::string(text) + "'"};
}

IpAddress maskAddress(const IpAddress& a, int bits) {
  const int width = a.v6 ? 128 : 32;
  bits = std::clamp(bits, 0, width);
  IpAddress m = a;
  for (int i = 0; i < width / 8; ++i) {
    const int keep = std::clamp(bits - i * 8, 0, 8);
    m.bytes[i] &= static_cast<uint8_t>(keep == 0 ? 0 : (0xFF << (8 - keep)) & 0xFF);
  }
  return m;
}

Result<IpPrefix> parsePrefix(std::string_view text) {
  const auto slash = text.find('/');
  auto addr = parseIp(text.substr(0, slash));
  if (!addr) return Error{"invalid network '" + std::string(text) + "'"};
  const int width = addr->v6 ? 128 : 32;
  int bits = width;
  if (slash != std::string_view::npos) {
    auto digits = text.substr(slash + 1);
    if (digits.empty() || digits.front() == '-') {  // from_chars would take "-0"
      return Error{"invalid prefix length in '" + std::string(text) + "'"};
    }
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), bits);
    if (ec != std::errc() || p != digits.data() + digits.size() || bits < 0 || bits > width) {
      return Error{"invalid prefix length in '" + std::string(text) + "'"};
    }
  }
  return IpPrefix{maskAddress(*addr, bits), bits};
}

Result<VlanPrefix> parseVlanPrefix(std::string_view text) {
  VlanPrefix out;
  std::string_view address = text;
  if (const size_t at = text.rfind('@'); at != std::string_view::npos) {
    const std::string_view v = text.substr(at + 1);
    unsigned vlan = 0;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), vlan);
    if (ec != std::errc() || end != v.data() + v.size() || vlan > 4095) {
      return Error{"bad VLAN in '" + std::string(text) + "'"};
    }
    out.vlan = uint16_t(vlan);
    address = text.substr(0, at);
  }
  auto prefix = parsePrefix(address);
  if (!prefix) return Error{"'" + std::string(address) + "' is not an address or a network"};
  out.prefix = *prefix;
  return out;
}

bool IpPrefix::contains(const IpAddress& a) const {
  return a.v6 == network.v6 && maskAddress(a, bits) == network;
}

std::string IpPrefix::toString() const { return network.toString() + "/" + std::to_string(bits); }

int compare(const IpAddress& a, const IpAddress& b) {
  if (a.v6 != b.v6) return a.v6 ? 1 : -1;
  return std::memcmp(a.bytes.data(), b.bytes.data(), 16);
}

bool isMulticast(const IpAddress& a) {
  return a.v6 ? a.bytes[0] == 0xff : (a.bytes[0] & 0xf0) == 0xe0;
}

bool isBroadcast(const IpAddress& a) {
  return !a.v6 && a.bytes[0] == 255 && a.bytes[1] == 255 && a.bytes[2] == 255 && a.bytes[3] == 255;
}

bool isPrivate(const IpAddress& a) {
  const auto& b = a.bytes;
  if (a.v6) return (b[0] & 0xfe) == 0xfc;  // fc00::/7
  return b[0] == 10 || (b[0] == 172 && (b[1] & 0xf0) == 16) || (b[0] == 192 && b[1] == 168);
}

}  // namespace flowlens::util
