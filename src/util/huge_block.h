#pragma once
// Memory in 2 MiB blocks, each backed by one transparent huge page where the kernel allows it
// (`madvise` mode included). For pools that grow with the traffic (flows, nDPI flow states): a
// block costs one page fault instead of 512, and page faults are dear on a virtual machine, the
// more so while another thread of the process runs on the other core.

#include <cstddef>

namespace flowlens::util {

inline constexpr size_t kHugeBlockBytes = size_t(2) << 20;

// A zero-filled, 2 MiB-aligned block; nullptr when memory runs out.
void* allocateHugeBlock();
void freeHugeBlock(void* block);

}  // namespace flowlens::util
