#pragma once
// Linux packet fanout for live capture with several packet threads: their sockets join one
// fanout group, and the kernel hands each packet to one of them, chosen by a classic BPF
// program over the address pair (symmetric: both directions, and every fragment of a datagram,
// go to the same thread). Without it, every thread's socket receives every packet.

#include <cstdint>

#include "core/result.h"

namespace flowlens::capture {

// Joins the packet socket `fd` to fanout group `*group`; with *group == kNewFanoutGroup, makes a
// group (an id unique in the network namespace, written to *group) and gives it the program.
inline constexpr uint32_t kNewFanoutGroup = UINT32_MAX;
Status joinFanoutGroup(int fd, uint32_t* group);

}  // namespace flowlens::capture
