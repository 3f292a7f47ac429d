#pragma once
// Decodes one captured frame into a DecodedPacket. Stateless and allocation-free; safe to call
// from any thread. Link types are pcap's DLT numbers.

#include <cstdint>

#include "decode/packet.h"

namespace flowlens::decode {

inline constexpr int kLinkNull = 0;        // DLT_NULL (BSD loopback)
inline constexpr int kLinkEthernet = 1;    // DLT_EN10MB
inline constexpr int kLinkRaw = 12;        // DLT_RAW (Linux value 14 and 101 too)
inline constexpr int kLinkLoop = 108;      // DLT_LOOP (OpenBSD loopback)
inline constexpr int kLinkPpp = 9;         // DLT_PPP
inline constexpr int kLinkChdlc = 104;     // DLT_C_HDLC
inline constexpr int kLinkSll = 113;       // DLT_LINUX_SLL
inline constexpr int kLinkSll2 = 276;      // DLT_LINUX_SLL2

bool linkTypeSupported(int link_type);

// Returns true when the frame carries IP and `out` names its addresses (and ports); false for
// frames without IP (out.reason == kOk) and for malformed frames (out.reason says why).
bool decodeFrame(int link_type, const uint8_t* data, uint32_t cap_len, uint32_t wire_len,
                 uint64_t ts_us, DecodedPacket& out);

}  // namespace flowlens::decode
