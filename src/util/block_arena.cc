#include "util/block_arena.h"

#include <atomic>
#include <bit>
#include <cassert>
#include <cstdlib>
#include <mutex>
#include <new>

#include <sanitizer/asan_interface.h>  // its macros do nothing without AddressSanitizer

#if defined(__SANITIZE_ADDRESS__)
#define FLOWLENS_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FLOWLENS_ASAN 1
#endif
#endif
#ifndef FLOWLENS_ASAN
#define FLOWLENS_ASAN 0
#endif

#include "util/huge_block.h"

namespace flowlens::util {
namespace {

// Which 2 MiB blocks belong to some arena, so that deallocate() tells their chunks from malloc's
// without a header on every allocation (nDPI's free hook sees ~100,000 small ones per module
// made at start-up). A two-level bitmap over a 48-bit user address space (x86-64's 47 bits,
// arm64's 48): lookups take no lock.
class BlockMap {
 public:
  constexpr BlockMap() = default;

  bool insert(const void* block) {
    const uintptr_t a = reinterpret_cast<uintptr_t>(block);
    if (a >> kAddressBits != 0) return false;
    std::atomic<Leaf*>& slot = root_[a >> (kBlockShift + kLeafBits)];
    Leaf* leaf = slot.load(std::memory_order_acquire);
    if (leaf == nullptr) {
      std::lock_guard<std::mutex> lock(mutex_);
      leaf = slot.load(std::memory_order_acquire);
      if (leaf == nullptr) {
        leaf = new (std::nothrow) Leaf();  // never freed: 1 KiB per 16 GiB of address space
        if (leaf == nullptr) return false;
        slot.store(leaf, std::memory_order_release);
      }
    }
    const uintptr_t bit = (a >> kBlockShift) & (kLeafBlocks - 1);
    leaf->words[bit / 64].fetch_or(uint64_t(1) << (bit % 64), std::memory_order_release);
    return true;
  }

  void erase(const void* block) {
    const uintptr_t a = reinterpret_cast<uintptr_t>(block);
    Leaf* leaf = root_[a >> (kBlockShift + kLeafBits)].load(std::memory_order_acquire);
    const uintptr_t bit = (a >> kBlockShift) & (kLeafBlocks - 1);
    leaf->words[bit / 64].fetch_and(~(uint64_t(1) << (bit % 64)), std::memory_order_release);
  }

  bool contains(const void* p) const {
    const uintptr_t a = reinterpret_cast<uintptr_t>(p);
    if (a >> kAddressBits != 0) return false;
    const Leaf* leaf = root_[a >> (kBlockShift + kLeafBits)].load(std::memory_order_acquire);
    if (leaf == nullptr) return false;
    const uintptr_t bit = (a >> kBlockShift) & (kLeafBlocks - 1);
    return (leaf->words[bit / 64].load(std::memory_order_acquire) >> (bit % 64)) & 1;
  }

 private:
  static constexpr int kAddressBits = 48;
  static constexpr int kBlockShift = 21;  // kHugeBlockBytes
  static constexpr int kLeafBits = 13;
  static constexpr uintptr_t kLeafBlocks = uintptr_t(1) << kLeafBits;
  static_assert(size_t(1) << kBlockShift == kHugeBlockBytes);
  struct Leaf {
    std::atomic<uint64_t> words[kLeafBlocks / 64] = {};
  };
  std::atomic<Leaf*> root_[size_t(1) << (kAddressBits - kBlockShift - kLeafBits)] = {};
  std::mutex mutex_;
};

constinit BlockMap g_blocks;

// Size classes (of the memory handed out; each chunk has a header in front): 16 to 256 bytes by
// 16, then eight per doubling up to 64 KiB: at most 12.5% rounding.
size_t classOf(size_t bytes) {
  if (bytes <= 256) return (bytes - 1) >> 4;
  const size_t m = bytes - 1;
  const int e = std::bit_width(m) - 1;  // m in [2^e, 2^(e+1)), e >= 8
  return 16 + size_t(e - 8) * 8 + ((m >> (e - 3)) & 7);
}

size_t classSize(size_t c) {
  if (c < 16) return (c + 1) * 16;
  const size_t e = 8 + (c - 16) / 8, q = (c - 16) % 8;
  return (8 + q + 1) << (e - 3);
}

}  // namespace

// In front of each chunk; while the chunk is free, `next` links it into its class's list.
struct BlockArena::Header {
  union {
    BlockArena* owner;
    void* next;
  };
  uint32_t size_class;
  uint32_t unused;
};
static_assert(sizeof(void*) == 8 && alignof(std::max_align_t) <= 16);

BlockArena::~BlockArena() {
  assert(in_use_ == 0 && "memory still in use when its arena goes");
  for (void* b : blocks_) {
    g_blocks.erase(b);
    ASAN_UNPOISON_MEMORY_REGION(b, kHugeBlockBytes);
    freeHugeBlock(b);
  }
}

void* BlockArena::carve(size_t bytes) {
  if (blocks_.empty() || carved_ + bytes > kHugeBlockBytes) {
    // Once no block could be had, allocate() goes to malloc for good rather than try (and map
    // and unmap 4 MiB) again on every call. Nothing here throws: nDPI's C code calls it.
    if (exhausted_) return nullptr;
    try {
      blocks_.reserve(blocks_.size() + 1);  // room first: keeping the block cannot throw
    } catch (const std::bad_alloc&) {
      exhausted_ = true;
      return nullptr;
    }
    void* block = allocateHugeBlock();
    if (block != nullptr && !g_blocks.insert(block)) {
      freeHugeBlock(block);
      block = nullptr;
    }
    if (block == nullptr) {
      exhausted_ = true;
      return nullptr;
    }
    blocks_.push_back(block);
    carved_ = 0;
    // Under AddressSanitizer only what allocate() hands out is addressable: reading past what
    // was asked for, or a freed chunk, is reported as it would be with malloc.
    ASAN_POISON_MEMORY_REGION(block, kHugeBlockBytes);
  }
  void* chunk = static_cast<std::byte*>(blocks_.back()) + carved_;
  carved_ += bytes;
  return chunk;
}

void* BlockArena::allocate(size_t bytes) {
  if (bytes > kMaxPooled) return std::malloc(bytes);
  const size_t c = classOf(bytes + (bytes == 0));
  const size_t size = classSize(c);
  auto* h = static_cast<Header*>(free_[c]);
  if (h != nullptr) {
    ASAN_UNPOISON_MEMORY_REGION(h, sizeof(Header));
    free_[c] = h->next;
  } else {
    h = static_cast<Header*>(carve(sizeof(Header) + size));
    if (h == nullptr) return std::malloc(bytes);  // no block to be had: malloc may still serve
    ASAN_UNPOISON_MEMORY_REGION(h, sizeof(Header));
  }
  h->owner = this;
  h->size_class = uint32_t(c);
  ASAN_POISON_MEMORY_REGION(h, sizeof(Header));
  ASAN_UNPOISON_MEMORY_REGION(h + 1, bytes == 0 ? 1 : bytes);  // (a freed chunk has no byte)
  in_use_ += size;
  return h + 1;
}

void BlockArena::deallocate(void* p) {
  if (p == nullptr) return;
  if (!g_blocks.contains(p)) {
    std::free(p);
    return;
  }
  Header* h = static_cast<Header*>(p) - 1;
#if FLOWLENS_ASAN
  // A chunk in use has its first byte addressable; a freed one (or a pointer into a chunk) not.
  if (__asan_address_is_poisoned(p)) {
    __asan_report_error(__builtin_return_address(0), __builtin_frame_address(0),
                        __builtin_frame_address(0), p, 1, /*is_write=*/1);
  }
#endif
  ASAN_UNPOISON_MEMORY_REGION(h, sizeof(Header));
  BlockArena* m = h->owner;
  const size_t c = h->size_class;
  m->in_use_ -= classSize(c);
  h->next = m->free_[c];
  m->free_[c] = h;
  ASAN_POISON_MEMORY_REGION(h, sizeof(Header) + classSize(c));
}

}  // namespace flowlens::util
