#pragma once
// Memory for many small objects that come and go with the traffic, carved from 2 MiB huge
// blocks (util::allocateHugeBlock) in size classes (at most 12.5% rounding above 256 bytes) and
// reused through per-class free lists. The memory stays with the arena until it goes.
//
// Why: from malloc, such objects (nDPI's TLS reassembly buffers, hosts) land in the packet
// thread's heap, 4 KiB pages that fault in one by one as it grows, and page faults are dear on
// a virtual machine; there a block costs one fault. Used by DpiEngine (what nDPI allocates
// while it inspects flows, through dpi::FlowMemory, and flows' deferred opening SYNs) and
// host::HostTable (hosts and their index). The cost: an arena holds at least one block (2 MiB
// once a huge page backs it), and a freed chunk serves only its own size class again, so an
// arena keeps about the sum of each class's peak.
//
// Not thread-safe: one thread at a time allocates from an arena and frees its chunks (the
// owning packet thread, or whoever holds the lock of the structure that owns it).

#include <array>
#include <cstddef>
#include <cstdint>
#include <new>
#include <vector>

namespace flowlens::util {

class BlockArena {
 public:
  BlockArena() = default;
  // Frees the blocks: everything allocated here must have been freed before.
  ~BlockArena();
  BlockArena(const BlockArena&) = delete;
  BlockArena& operator=(const BlockArena&) = delete;

  // `bytes` of 16-byte aligned memory, or nullptr when memory runs out. Sizes above kMaxPooled,
  // and any size once no block can be had, come from malloc. Never throws.
  void* allocate(size_t bytes);
  // Frees memory from allocate() of any arena, or from malloc. Under AddressSanitizer, freeing
  // an arena chunk twice is reported as malloc's double free is.
  static void deallocate(void* p);

  static constexpr size_t kMaxPooled = size_t(64) << 10;
  size_t bytesInUse() const { return in_use_; }  // allocated and not freed, with rounding
  size_t blocks() const { return blocks_.size(); }

 private:
  static constexpr size_t kClasses = 80;  // 16..256 by 16, then eight per doubling to 64 KiB
  struct Header;
  void* carve(size_t bytes);

  std::array<void*, kClasses> free_{};  // per class: freed chunks, linked through their headers
  std::vector<void*> blocks_;
  size_t carved_ = 0;                   // bytes of the last block handed out
  size_t in_use_ = 0;
  bool exhausted_ = false;              // no block could be had: malloc serves from then on
};

// A standard allocator over a BlockArena, for containers owned with it.
template <class T>
struct ArenaAllocator {
  static_assert(alignof(T) <= 16, "an arena's chunks are 16-byte aligned");
  using value_type = T;
  explicit ArenaAllocator(BlockArena* a) noexcept : arena(a) {}
  template <class U>
  ArenaAllocator(const ArenaAllocator<U>& o) noexcept : arena(o.arena) {}  // NOLINT: rebinding
  T* allocate(size_t n) {
    if (n > SIZE_MAX / sizeof(T)) throw std::bad_array_new_length();
    void* p = arena->allocate(n * sizeof(T));
    if (p == nullptr) throw std::bad_alloc();
    return static_cast<T*>(p);
  }
  void deallocate(T* p, size_t) noexcept { BlockArena::deallocate(p); }
  template <class U>
  bool operator==(const ArenaAllocator<U>& o) const noexcept { return arena == o.arena; }
  BlockArena* arena;
};

}  // namespace flowlens::util
