// GTP-U (3GPP TS 29.281) on UDP 2152: G-PDU messages carry the subscriber's IP packet.

#include "decode/layers.h"

namespace flowlens::decode {

Layer decodeGtpU(Cursor& c, DecodedPacket& p) {
  if (!c.has(8)) return Layer::kDone;  // too short for GTP: an ordinary UDP flow on 2152
  const uint8_t* h = c.at();
  const uint8_t flags = h[0];
  if ((flags >> 5) != 1 || h[1] != 0xff) return Layer::kDone;  // version 1, G-PDU only
  uint32_t len = 8;
  if (flags & 0x07) {  // sequence, N-PDU or extension present: 4 more bytes
    len += 4;
    if (!c.has(len)) return fail(p, Reason::kTruncatedTunnel);
    uint8_t ext = (flags & 0x04) ? h[11] : 0;
    while (ext != 0) {  // extension headers: length in 4-byte units, next type in last byte
      if (!c.has(len + 1)) return fail(p, Reason::kTruncatedTunnel);
      const uint32_t ext_len = uint32_t(h[len]) * 4;
      if (ext_len == 0 || !c.has(len + ext_len)) return fail(p, Reason::kTruncatedTunnel);
      ext = h[len + ext_len - 1];
      len += ext_len;
    }
  }
  Cursor inner = c;
  inner.offset += len;
  const Layer next = layerForIpVersion(inner);
  if (next == Layer::kDone) return Layer::kDone;
  if (++c.tunnel_depth > kMaxTunnelDepth) return fail(p, Reason::kTunnelTooDeep);
  c.offset = inner.offset;
  p.tunnel = Tunnel::kGtpU;
  return next;
}

}  // namespace flowlens::decode
