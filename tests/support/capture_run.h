#pragma once
// Runs the packet engine over a capture file to its end, for tests: no daemon, no HTTP.

#include <functional>
#include <memory>
#include <string>

#include "iface/packet_engine.h"

namespace flowlens::testing {

// The directory of the test captures (tests/data/pcap).
std::string pcapDir();

// Reads `path` with `threads` packet threads; flows and hosts never expire unless `limits`
// says so. A `bpf_filter` makes libpcap read the file (else flowlens's own reader does, for a
// classic pcap file). `hooks`: what the daemon adds to new hosts (none by default).
// `before_start` runs once the engine exists, before its threads start. Fails the calling test
// (and returns nullptr) when the file cannot be read.
std::unique_ptr<PacketEngine> runCapture(
    const std::string& path, int threads = 1, const EngineLimits* limits = nullptr,
    const std::string& bpf_filter = "", HostHooks hooks = {},
    const std::function<void(PacketEngine&)>& before_start = {});

}  // namespace flowlens::testing
