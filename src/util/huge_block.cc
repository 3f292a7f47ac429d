#include "util/huge_block.h"

#include <sys/mman.h>

#include <cstdint>

namespace flowlens::util {

// Straight from the kernel, not malloc: malloc serves even 2 MiB from its heaps once a large
// block was freed (its mmap threshold moves up), and there a block is neither zero-filled nor
// in a mapping a huge page can back.
void* allocateHugeBlock() {
  constexpr size_t kSpan = 2 * kHugeBlockBytes;  // room to cut an aligned block out of
  void* span = mmap(nullptr, kSpan, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (span == MAP_FAILED) return nullptr;
  const uintptr_t start = reinterpret_cast<uintptr_t>(span);
  const uintptr_t aligned = (start + kHugeBlockBytes - 1) & ~uintptr_t(kHugeBlockBytes - 1);
  if (aligned > start) munmap(span, aligned - start);
  if (const uintptr_t tail = start + kSpan - (aligned + kHugeBlockBytes); tail > 0) {
    munmap(reinterpret_cast<void*>(aligned + kHugeBlockBytes), tail);
  }
  void* block = reinterpret_cast<void*>(aligned);
  madvise(block, kHugeBlockBytes, MADV_HUGEPAGE);  // advice: fine if refused
  return block;
}

void freeHugeBlock(void* block) {
  if (block != nullptr) munmap(block, kHugeBlockBytes);
}

}  // namespace flowlens::util
