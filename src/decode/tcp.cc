// TCP: ports, flags, sequence numbers, window; payload length from the IP length.

#include "decode/layers.h"

namespace flowlens::decode {

Layer decodeTcp(Cursor& c, DecodedPacket& p) {
  if (!c.has(20)) return fail(p, Reason::kTruncatedTcp);
  const uint8_t* h = c.at();
  const uint32_t header_len = uint32_t(h[12] >> 4) * 4;
  if (header_len < 20) return fail(p, Reason::kBadTcpHeader);
  p.has_l4 = true;
  p.src_port = be16(h);
  p.dst_port = be16(h + 2);
  p.tcp_seq = be32(h + 4);
  p.tcp_ack = be32(h + 8);
  p.tcp_flags = h[13];
  p.tcp_window = be16(h + 14);
  p.payload_len = p.payload_len > header_len ? p.payload_len - header_len : 0;
  c.offset += c.has(header_len) ? header_len : c.remaining();  // options may be snapped off
  return Layer::kDone;
}

}  // namespace flowlens::decode
