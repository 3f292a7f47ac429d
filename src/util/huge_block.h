#pragma once
// Memory in 2 MiB blocks, each backed by one transparent huge page where the kernel allows it
// (`madvise` mode included). For pools that grow with the traffic (flows, nDPI flow states) and
// large arrays (the flow index): a
// block costs one page fault instead of 512, and page faults are dear on a virtual machine, the
// more so while another thread of the process runs on the other core.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>

namespace flowlens::util {

inline constexpr size_t kHugeBlockBytes = size_t(2) << 20;

// A zero-filled, 2 MiB-aligned block; nullptr when memory runs out. From the installed
// BlockReserve when it has one ready (already faulted in), else mapped here.
void* allocateHugeBlock();
void freeHugeBlock(void* block);

// The same for `bytes` rounded up to whole blocks, freed with the same `bytes`.
void* allocateHuge(size_t bytes);
void freeHuge(void* memory, size_t bytes);

// A standard allocator for large arrays (a hash index): at least kHugeThreshold bytes come as
// huge blocks, a page fault per 2 MiB instead of per 4 KiB; smaller ones from malloc. Up to half
// a block may go unused, so it suits arrays that double as they grow.
template <class T>
struct HugePageAllocator {
  static constexpr size_t kHugeThreshold = kHugeBlockBytes / 2;
  using value_type = T;
  HugePageAllocator() noexcept = default;
  template <class U>
  HugePageAllocator(const HugePageAllocator<U>&) noexcept {}  // NOLINT: rebinding
  T* allocate(size_t n) {
    if (n > SIZE_MAX / sizeof(T)) throw std::bad_array_new_length();
    const size_t bytes = n * sizeof(T);
    void* p = bytes >= kHugeThreshold ? allocateHuge(bytes) : std::malloc(bytes);
    if (p == nullptr) throw std::bad_alloc();
    return static_cast<T*>(p);
  }
  void deallocate(T* p, size_t n) noexcept {
    if (n * sizeof(T) >= kHugeThreshold) {
      freeHuge(p, n * sizeof(T));
    } else {
      std::free(p);
    }
  }
  template <class U>
  bool operator==(const HugePageAllocator<U>&) const noexcept { return true; }
};

}  // namespace flowlens::util
