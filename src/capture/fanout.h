#pragma once
// Linux packet fanout for live capture with several packet threads: their sockets join one
// fanout group, and the kernel hands each packet to one of them, chosen by a classic BPF
// program over the address pair (symmetric: both directions, and every fragment of a datagram,
// go to the same thread). Without it, every thread's socket receives every packet.

#include <linux/filter.h>

#include <cstdint>
#include <vector>

#include "core/result.h"

namespace flowlens::capture {

// The group's classic BPF program (returns a number the kernel takes modulo the sockets): a mix
// of the XOR of the source and destination address words, IPv4 or IPv6, of the inner header
// for IP-in-IP, 6in4, 4in6 and 6in6 (not fragmented; in IPv6 also behind one hop-by-hop or
// destination options header), as the decoder keys those flows; 0 (the first socket) for GRE,
// GTP-U (port 2152) and VXLAN (4789), whose inner flows the decoder also follows, for frames
// whose VLAN tag is still in them (QinQ) and for non-IP frames. Empty if it does not assemble.
std::vector<sock_filter> fanoutProgram();

// Joins the packet socket `fd` to fanout group `*group`; with *group == kNewFanoutGroup, makes a
// group (an id unique in the network namespace, written to *group) and gives it the program.
inline constexpr uint32_t kNewFanoutGroup = UINT32_MAX;
Status joinFanoutGroup(int fd, uint32_t* group);

}  // namespace flowlens::capture
