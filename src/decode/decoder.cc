// The decode loop: start at the link type's layer and follow each layer's answer.

#include "decode/decoder.h"

#include <cstddef>

#include "decode/layers.h"

namespace flowlens::decode {
namespace {

Layer firstLayer(int link_type) {
  switch (link_type) {
    case kLinkEthernet: return Layer::kEthernet;
    case kLinkNull: case kLinkLoop: return Layer::kNull;
    case kLinkRaw: case 14: case 101: return Layer::kRawIp;
    case kLinkPpp: return Layer::kPpp;
    case kLinkChdlc: return Layer::kChdlc;
    case kLinkSll: return Layer::kSll;
    case kLinkSll2: return Layer::kSll2;
    default: return Layer::kError;
  }
}

Layer step(Layer layer, Cursor& c, DecodedPacket& p) {
  switch (layer) {
    case Layer::kEthernet: return decodeEthernet(c, p);
    case Layer::kVlan: return decodeVlan(c, p);
    case Layer::kMpls: return decodeMpls(c, p);
    case Layer::kPppoe: return decodePppoe(c, p);
    case Layer::kPpp: return decodePpp(c, p);
    case Layer::kChdlc: return decodeChdlc(c, p);
    case Layer::kSll: return decodeSll(c, p);
    case Layer::kSll2: return decodeSll2(c, p);
    case Layer::kNull: return decodeNull(c, p);
    case Layer::kRawIp: {
      const Layer next = layerForIpVersion(c);
      return next == Layer::kDone ? fail(p, Reason::kBadIpv4Header) : next;
    }
    case Layer::kIpv4: return decodeIpv4(c, p);
    case Layer::kIpv6: return decodeIpv6(c, p);
    case Layer::kTcp: return decodeTcp(c, p);
    case Layer::kUdp: return decodeUdp(c, p);
    case Layer::kIcmp: case Layer::kIcmpv6: return decodeIcmp(c, p);
    case Layer::kSctp: return decodeSctp(c, p);
    case Layer::kGre: return decodeGre(c, p);
    case Layer::kGtpU: return decodeGtpU(c, p);
    case Layer::kVxlan: return decodeVxlan(c, p);
    default: return Layer::kError;
  }
}

}  // namespace

const char* reasonName(Reason r) {
  static const char* const kNames[] = {
      "ok", "truncated link header", "unknown link type", "truncated VLAN tag",
      "truncated MPLS label", "truncated PPPoE header", "truncated IPv4 header",
      "bad IPv4 header", "bad IPv4 length", "truncated IPv6 header", "bad IPv6 header",
      "truncated IPv6 extension header", "truncated TCP header", "bad TCP header",
      "truncated UDP header", "truncated ICMP header", "truncated SCTP header",
      "truncated tunnel header", "tunnels nested too deep", "too many headers",
  };
  static_assert(sizeof(kNames) / sizeof(kNames[0]) == size_t(Reason::kCount));
  return r < Reason::kCount ? kNames[size_t(r)] : "?";
}

bool linkTypeSupported(int link_type) { return firstLayer(link_type) != Layer::kError; }

bool decodeFrame(int link_type, const uint8_t* data, uint32_t cap_len, uint32_t wire_len,
                 uint64_t ts_us, DecodedPacket& out) {
  out = DecodedPacket{};
  out.ts_us = ts_us;
  out.cap_len = cap_len;
  out.wire_len = wire_len < cap_len ? cap_len : wire_len;
  Cursor c{data, cap_len};
  Layer layer = firstLayer(link_type);
  if (layer == Layer::kError) {
    out.reason = Reason::kUnknownLinkType;
    return false;
  }
  // Each step consumes a header or ends. A frame of 4-byte VLAN tags could stack up to
  // thousands: past kMaxSteps headers it is malformed.
  constexpr int kMaxSteps = 64;
  for (int steps = 0;; ++steps) {
    if (layer == Layer::kDone) return out.ip_version != 0;
    if (layer == Layer::kNotIp) {
      if (out.ip_version == 0) return false;
      return true;  // a tunnel led to something other than IP: keep the outer flow
    }
    if (layer == Layer::kError) return false;
    if (steps == kMaxSteps) {
      out.reason = Reason::kTooManyHeaders;
      return false;
    }
    layer = step(layer, c, out);
  }
}

}  // namespace flowlens::decode
