#include "util/huge_block.h"

#include <sys/mman.h>

#include <cstdint>

#include "util/block_reserve.h"

namespace flowlens::util {

// Straight from the kernel, not malloc: malloc serves even 2 MiB from its heaps once a large
// block was freed (its mmap threshold moves up), and there a block is neither zero-filled nor
// in a mapping a huge page can back.
void* allocateHuge(size_t bytes) {
  const size_t size = (bytes + kHugeBlockBytes - 1) & ~(kHugeBlockBytes - 1);
  if (size == 0 || size < bytes) return nullptr;
  const size_t span = size + kHugeBlockBytes;  // room to cut an aligned region out of
  void* mapped = mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mapped == MAP_FAILED) return nullptr;
  const uintptr_t start = reinterpret_cast<uintptr_t>(mapped);
  const uintptr_t aligned = (start + kHugeBlockBytes - 1) & ~uintptr_t(kHugeBlockBytes - 1);
  if (aligned > start) munmap(mapped, aligned - start);
  if (const uintptr_t tail = start + span - (aligned + size); tail > 0) {
    munmap(reinterpret_cast<void*>(aligned + size), tail);
  }
  void* memory = reinterpret_cast<void*>(aligned);
  madvise(memory, size, MADV_HUGEPAGE);  // advice: fine if refused
  return memory;
}

void freeHuge(void* memory, size_t bytes) {
  if (memory != nullptr) munmap(memory, (bytes + kHugeBlockBytes - 1) & ~(kHugeBlockBytes - 1));
}

void* allocateHugeBlock() {
  if (BlockReserve* reserve = BlockReserve::installed()) {
    if (void* block = reserve->take()) return block;
  }
  return allocateHuge(kHugeBlockBytes);
}

void freeHugeBlock(void* block) { freeHuge(block, kHugeBlockBytes); }

}  // namespace flowlens::util
