#pragma once
// Binding threads to CPU cores: ntopng's -g/--core-affinity (packet threads, one core each in
// turn) and -y/--other-core-affinity (every other thread). Linux only; thread-safe.

#include <cstddef>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace flowlens::affinity {

// "0,2,4-6" -> {0, 2, 4, 5, 6}: core ids, comma separated, ranges allowed, each once. Every core
// must be one of processCores().
Result<std::vector<int>> parseCoreList(std::string_view text);

// The cores of the calling thread's affinity mask.
std::vector<int> usableCores();
// The cores the process could run on when it started (taskset or a cgroup's cpuset): the first
// call's usableCores(), kept. flowlens calls it while parsing its options, before binding any
// thread, so a later check (a SIGHUP reload, from a thread bound by -y) sees the same cores.
const std::vector<int>& processCores();

// Binds the calling thread (and the threads it starts afterwards) to `cores`.
Status bindThisThread(const std::vector<int>& cores);

}  // namespace flowlens::affinity
