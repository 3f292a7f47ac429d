// libFuzzer target for the decoder. The first input byte picks the link type (low 3 bits) and
// whether the capture was snapped (bit 3: the wire length exceeds the bytes present); the rest
// is the frame, in a buffer of exactly its size, so AddressSanitizer catches any read past it.
// Beyond "no crash, no undefined behaviour", it checks what the packet path relies on: the result
// agrees with the reason, the datagram handed to nDPI lies inside the frame, and both directions
// of a packet make one flow key.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <utility>

#include "decode/decoder.h"
#include "flow/flow_key.h"

namespace {

using namespace flowlens;

constexpr int kLinks[8] = {decode::kLinkEthernet, decode::kLinkNull, decode::kLinkLoop,
                           decode::kLinkRaw,      decode::kLinkPpp,  decode::kLinkChdlc,
                           decode::kLinkSll,      decode::kLinkSll2};

void check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 || size > 65536) return 0;
  const int link = kLinks[data[0] & 7];
  const bool snapped = (data[0] & 8) != 0;
  const uint8_t* frame = data + 1;
  const uint32_t len = uint32_t(size - 1);

  decode::DecodedPacket p;
  const bool ip = decode::decodeFrame(link, frame, len, snapped ? len + 100 : len, 1, p);
  check(ip == (p.reason == decode::Reason::kOk && p.ip_version != 0));
  check(p.reason < decode::Reason::kCount && decode::reasonName(p.reason)[0] != '?');
  if (!ip) return 0;
  check(p.ip_version == 4 || p.ip_version == 6);
  check(p.l3 != nullptr && p.l3 >= frame && p.l3_len <= len && p.l3 + p.l3_len <= frame + len);
  uint32_t sum = 0;  // nDPI reads all of it
  for (uint32_t i = 0; i < p.l3_len; ++i) sum += p.l3[i];
  check(sum <= 255u * p.l3_len);

  bool src_is_lo;
  const flow::FlowKey key = flow::makeKey(p, &src_is_lo);
  const uint64_t hash = flow::hashKey(key);
  decode::DecodedPacket reply = p;
  std::swap(reply.src_ip, reply.dst_ip);
  std::swap(reply.src_port, reply.dst_port);
  bool reply_src_is_lo;
  const flow::FlowKey reply_key = flow::makeKey(reply, &reply_src_is_lo);
  check(reply_key == key && flow::hashKey(reply_key) == hash);
  check(src_is_lo != reply_src_is_lo || (p.src_ip == p.dst_ip && p.src_port == p.dst_port));
  return 0;
}
