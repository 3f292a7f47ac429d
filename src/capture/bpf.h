#pragma once
// libpcap (BPF) filters compiled for a link type, as a capture applies them to frames: one
// place for their bounds (live captures, ntop.checkFilterSyntax).

#include <pcap/pcap.h>

#include <string>

#include "core/result.h"

namespace flowlens::capture {

inline constexpr size_t kMaxFilterBytes = 4096;  // libpcap's optimiser runs on a request's thread

// Compiles `filter` for `link_type` into *program (the caller frees it with pcap_freecode); an
// error with libpcap's reason, or for a filter over `max_bytes` or with a NUL byte.
Status compileFilter(const std::string& filter, int link_type, bpf_program* program,
                     size_t max_bytes = kMaxFilterBytes);
// Whether `filter` compiles (the same rules), the program freed.
Status checkFilter(const std::string& filter, int link_type);

}  // namespace flowlens::capture
