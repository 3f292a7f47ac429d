#pragma once
// Builds test frames layer by layer, innermost first: ethernet(0x0800, ipv4(..., tcp(...))).
// Lengths (IPv4 total length, IPv6 payload length, PPPoE length, GTP length) are filled in from
// the payload unless a test overrides them to make a malformed frame. No checksums: the decoder
// does not read them.

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "decode/decoder.h"
#include "decode/packet.h"
#include "util/ip.h"

namespace flowlens::decode::testing {

using Bytes = std::vector<uint8_t>;
using Mac = std::array<uint8_t, 6>;

inline constexpr Mac kMacA{0x02, 0x00, 0x00, 0x00, 0x00, 0x0a};
inline constexpr Mac kMacB{0x02, 0x00, 0x00, 0x00, 0x00, 0x0b};

inline void put8(Bytes& b, uint8_t v) { b.push_back(v); }
inline void put16(Bytes& b, uint16_t v) {
  b.push_back(uint8_t(v >> 8));
  b.push_back(uint8_t(v));
}
inline void put32(Bytes& b, uint32_t v) {
  put16(b, uint16_t(v >> 16));
  put16(b, uint16_t(v));
}
inline void append(Bytes& b, const Bytes& tail) { b.insert(b.end(), tail.begin(), tail.end()); }
inline Bytes filler(size_t n, uint8_t first = 0x41) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = uint8_t(first + i % 26);
  return b;
}

inline std::array<uint8_t, 4> v4(const char* text) {
  std::array<uint8_t, 4> a{};
  EXPECT_EQ(inet_pton(AF_INET, text, a.data()), 1) << text;
  return a;
}
inline std::array<uint8_t, 16> v6(const char* text) {
  std::array<uint8_t, 16> a{};
  EXPECT_EQ(inet_pton(AF_INET6, text, a.data()), 1) << text;
  return a;
}
// The decoded address as text ("10.0.0.1", "2001:db8::1").
inline std::string ipText(const std::array<uint8_t, 16>& ip, uint8_t version) {
  util::IpAddress a;
  a.v6 = version == 6;
  a.bytes = ip;
  return a.toString();
}

// ---- Link layers ----

inline Bytes ethernet(uint16_t type, const Bytes& payload, Mac dst = kMacB, Mac src = kMacA) {
  Bytes b(dst.begin(), dst.end());
  b.insert(b.end(), src.begin(), src.end());
  put16(b, type);
  append(b, payload);
  return b;
}
// An 802.1Q/802.1ad tag (TCI then the next ethertype): follows an Ethernet type 0x8100/0x88a8.
inline Bytes vlan(uint16_t tci, uint16_t type, const Bytes& payload) {
  Bytes b;
  put16(b, tci);
  put16(b, type);
  append(b, payload);
  return b;
}
inline Bytes mpls(uint32_t label, bool bottom, const Bytes& payload, uint8_t ttl = 64) {
  Bytes b;
  put32(b, label << 12 | (bottom ? 0x100u : 0u) | ttl);
  append(b, payload);
  return b;
}
inline Bytes pppoeSession(uint16_t ppp_protocol, const Bytes& payload, uint16_t session = 0x1234) {
  Bytes b{0x11, 0x00};  // version 1, type 1, code 0 (session data)
  put16(b, session);
  put16(b, uint16_t(payload.size() + 2));
  put16(b, ppp_protocol);
  append(b, payload);
  return b;
}
inline Bytes ppp(uint16_t protocol, const Bytes& payload, bool address_control = true) {
  Bytes b;
  if (address_control) b = {0xff, 0x03};
  put16(b, protocol);
  append(b, payload);
  return b;
}
inline Bytes chdlc(uint16_t type, const Bytes& payload) {
  Bytes b{0x0f, 0x00};
  put16(b, type);
  append(b, payload);
  return b;
}
// Linux cooked v1: packet type, ARPHRD type, address length, 8 address bytes, protocol.
inline Bytes sll(uint16_t protocol, const Bytes& payload, Mac src = kMacA) {
  Bytes b;
  put16(b, 0);  // sent to us
  put16(b, 1);  // ARPHRD_ETHER
  put16(b, 6);
  b.insert(b.end(), src.begin(), src.end());
  put16(b, 0);
  put16(b, protocol);
  append(b, payload);
  return b;
}
// Linux cooked v2: protocol, reserved, ifindex, ARPHRD type, packet type, address length, address.
inline Bytes sll2(uint16_t protocol, const Bytes& payload, Mac src = kMacA) {
  Bytes b;
  put16(b, protocol);
  put16(b, 0);
  put32(b, 3);
  put16(b, 1);  // ARPHRD_ETHER
  put8(b, 4);   // outgoing
  put8(b, 6);
  b.insert(b.end(), src.begin(), src.end());
  put16(b, 0);
  append(b, payload);
  return b;
}
// BSD loopback: the address family as a 4-byte word in either byte order.
inline Bytes nullHeader(uint32_t family, bool little_endian, const Bytes& payload) {
  Bytes b;
  if (little_endian) {
    for (int i = 0; i < 4; ++i) b.push_back(uint8_t(family >> (8 * i)));
  } else {
    put32(b, family);
  }
  append(b, payload);
  return b;
}

// ---- IP ----

struct Ipv4Fields {
  uint8_t tos = 0;
  uint16_t id = 0x1234;
  uint16_t frag = 0x4000;  // flags (DF) and fragment offset in 8-byte units
  uint8_t ttl = 64;
  Bytes options{};                      // a multiple of 4 bytes
  std::optional<uint16_t> total_len{};  // override (malformed frames)
  std::optional<uint8_t> version_ihl{};
};

inline Bytes ipv4(const char* src, const char* dst, uint8_t proto, const Bytes& payload,
                  const Ipv4Fields& f = {}) {
  Bytes b;
  const size_t header = 20 + f.options.size();
  put8(b, f.version_ihl ? *f.version_ihl : uint8_t(0x40 | header / 4));
  put8(b, f.tos);
  put16(b, f.total_len ? *f.total_len : uint16_t(header + payload.size()));
  put16(b, f.id);
  put16(b, f.frag);
  put8(b, f.ttl);
  put8(b, proto);
  put16(b, 0);  // checksum
  for (uint8_t x : v4(src)) b.push_back(x);
  for (uint8_t x : v4(dst)) b.push_back(x);
  append(b, f.options);
  append(b, payload);
  return b;
}

struct Ipv6Fields {
  uint8_t traffic_class = 0;
  uint8_t hop_limit = 64;
  std::optional<uint16_t> payload_len{};
  uint8_t version = 6;
};

// `payload` includes any extension headers; `next` names the first of them.
inline Bytes ipv6(const char* src, const char* dst, uint8_t next, const Bytes& payload,
                  const Ipv6Fields& f = {}) {
  Bytes b;
  put32(b, uint32_t(f.version) << 28 | uint32_t(f.traffic_class) << 20 | 0x12345);
  put16(b, f.payload_len ? *f.payload_len : uint16_t(payload.size()));
  put8(b, next);
  put8(b, f.hop_limit);
  for (uint8_t x : v6(src)) b.push_back(x);
  for (uint8_t x : v6(dst)) b.push_back(x);
  append(b, payload);
  return b;
}
// A generic extension header (hop-by-hop, routing, destination options): `units` 8-byte units
// beyond the first, padded with PadN.
inline Bytes ipv6Ext(uint8_t next, const Bytes& payload, uint8_t units = 0) {
  Bytes b{next, units, 0x01, uint8_t(4 + 8 * units)};
  b.resize(8 + 8 * size_t(units), 0);
  append(b, payload);
  return b;
}
inline Bytes ipv6Fragment(uint8_t next, uint16_t offset_units, bool more, uint32_t id,
                          const Bytes& payload) {
  Bytes b{next, 0};
  put16(b, uint16_t(offset_units << 3 | (more ? 1 : 0)));
  put32(b, id);
  append(b, payload);
  return b;
}

// ---- Transport ----

struct TcpFields {
  uint32_t seq = 1000, ack = 0;
  uint8_t flags = kTcpSyn;
  uint16_t window = 65535;
  Bytes options{};                       // a multiple of 4 bytes
  std::optional<uint8_t> data_offset{};  // override, in 4-byte words
};

inline Bytes tcp(uint16_t sport, uint16_t dport, const Bytes& payload, const TcpFields& f = {}) {
  Bytes b;
  put16(b, sport);
  put16(b, dport);
  put32(b, f.seq);
  put32(b, f.ack);
  put8(b, uint8_t((f.data_offset ? *f.data_offset : (20 + f.options.size()) / 4) << 4));
  put8(b, f.flags);
  put16(b, f.window);
  put16(b, 0);  // checksum
  put16(b, 0);  // urgent pointer
  append(b, f.options);
  append(b, payload);
  return b;
}
inline Bytes udp(uint16_t sport, uint16_t dport, const Bytes& payload) {
  Bytes b;
  put16(b, sport);
  put16(b, dport);
  put16(b, uint16_t(8 + payload.size()));
  put16(b, 0);
  append(b, payload);
  return b;
}
inline Bytes icmp(uint8_t type, uint8_t code, const Bytes& payload) {
  Bytes b{type, code, 0, 0, 0x00, 0x01, 0x00, 0x07};  // checksum, identifier, sequence
  append(b, payload);
  return b;
}
inline Bytes sctp(uint16_t sport, uint16_t dport, const Bytes& payload) {
  Bytes b;
  put16(b, sport);
  put16(b, dport);
  put32(b, 0xcafef00d);  // verification tag
  put32(b, 0);           // checksum
  append(b, payload);
  return b;
}

// ---- Tunnels ----

// GRE: `flags` in the first 16 bits (C 0x8000, K 0x2000, S 0x1000, version in the low 3 bits);
// optional fields are filled with zeros.
inline Bytes gre(uint16_t protocol, const Bytes& payload, uint16_t flags = 0) {
  Bytes b;
  put16(b, flags);
  put16(b, protocol);
  if (flags & 0x8000) put32(b, 0);
  if (flags & 0x2000) put32(b, 0x00000042);
  if (flags & 0x1000) put32(b, 7);
  if ((flags & 7) == 1 && (flags & 0x0080)) put32(b, 6);
  append(b, payload);
  return b;
}

// A GTP-U extension header: its content (a multiple of 4 bytes minus 2) and the next type.
struct GtpExtension {
  Bytes content;
  uint8_t next_type;
};

// GTP-U G-PDU. With `sequence` or extension headers the 4-byte optional part is present.
inline Bytes gtpu(uint32_t teid, const Bytes& payload, bool sequence = false,
                  const std::vector<GtpExtension>& extensions = {}, uint8_t first_ext = 0x85,
                  uint8_t message = 0xff) {
  Bytes opt;
  uint8_t flags = 0x30;  // version 1, protocol type GTP
  if (sequence || !extensions.empty()) {
    if (sequence) flags |= 0x02;
    if (!extensions.empty()) flags |= 0x04;
    put16(opt, 0x0102);  // sequence number
    put8(opt, 0);        // N-PDU number
    put8(opt, extensions.empty() ? 0 : first_ext);
    for (const GtpExtension& e : extensions) {
      put8(opt, uint8_t((e.content.size() + 2) / 4));
      append(opt, e.content);
      put8(opt, e.next_type);
    }
  }
  Bytes b{flags, message};
  put16(b, uint16_t(opt.size() + payload.size()));
  put32(b, teid);
  append(b, opt);
  append(b, payload);
  return b;
}
inline Bytes vxlan(uint32_t vni, const Bytes& frame, uint8_t flags = 0x08) {
  Bytes b{flags, 0, 0, 0};
  put32(b, vni << 8);
  append(b, frame);
  return b;
}

// ---- Decoding ----

// Decodes `frame` from a heap copy of exactly its size (so AddressSanitizer flags any read past
// the end); `wire_len` 0 means the frame is whole (cap_len == wire_len).
inline bool decodeBytes(int link, const Bytes& frame, DecodedPacket& p, uint32_t wire_len = 0,
                        uint64_t ts_us = 1'700'000'000'000'000ull) {
  std::unique_ptr<uint8_t[]> copy(new uint8_t[frame.size()]);
  if (!frame.empty()) std::memcpy(copy.get(), frame.data(), frame.size());
  const uint32_t cap = uint32_t(frame.size());
  const bool ok = decodeFrame(link, copy.get(), cap, wire_len == 0 ? cap : wire_len, ts_us, p);
  // Pointers into the copy die with it: keep l3 as an offset for the tests.
  p.l3 = p.l3 == nullptr ? nullptr : frame.data() + (p.l3 - copy.get());
  return ok;
}

}  // namespace flowlens::decode::testing
