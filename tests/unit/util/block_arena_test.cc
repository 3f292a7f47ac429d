// BlockArena: chunks from huge blocks in size classes, reused through free lists; large sizes go
// to malloc, and deallocate() frees malloc's memory too.

#include "util/block_arena.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <unordered_map>
#include <vector>

#include <sanitizer/asan_interface.h>


namespace flowlens::util {
namespace {

bool aligned16(const void* p) { return reinterpret_cast<uintptr_t>(p) % 16 == 0; }

TEST(BlockArenaTest, ChunksComeFromOneBlockAndFreedOnesAreReused) {
  BlockArena m;
  void* a = m.allocate(2048);  // nDPI's first TLS reassembly buffer
  ASSERT_NE(a, nullptr);
  EXPECT_TRUE(aligned16(a));
  EXPECT_EQ(m.bytesInUse(), 2048u);
  EXPECT_EQ(m.blocks(), 1u);
  std::memset(a, 0xab, 2048);
  BlockArena::deallocate(a);
  EXPECT_EQ(m.bytesInUse(), 0u);
  void* b = m.allocate(1999);  // the same class: the freed chunk comes back
  EXPECT_EQ(b, a);
  BlockArena::deallocate(b);
  EXPECT_EQ(m.blocks(), 1u);
}

// Every pooled size is rounded up to 16 bytes, or by at most an eighth above 256; each chunk is
// aligned, writable to its size, and apart from every other.
TEST(BlockArenaTest, RoundingIsBoundedAndChunksDoNotOverlap) {
  BlockArena m;
  std::vector<std::pair<unsigned char*, size_t>> chunks;
  for (size_t n = 1; n <= BlockArena::kMaxPooled; n += n < 512 ? 1 : 97) {
    const size_t before = m.bytesInUse();
    auto* p = static_cast<unsigned char*>(m.allocate(n));
    ASSERT_NE(p, nullptr);
    ASSERT_TRUE(aligned16(p)) << n;
    const size_t got = m.bytesInUse() - before;
    ASSERT_GE(got, n);
    ASSERT_LE(got, n <= 256 ? n + 15 : n + n / 8) << n;
    std::memset(p, int(n & 0xff), n);
    chunks.emplace_back(p, n);
  }
  for (const auto& [p, n] : chunks) {
    for (size_t i = 0; i < n; i += 61) ASSERT_EQ(p[i], n & 0xff) << "chunk of " << n << " overwritten";
  }
  for (const auto& [p, n] : chunks) BlockArena::deallocate(p);
  EXPECT_EQ(m.bytesInUse(), 0u);
  EXPECT_GT(m.blocks(), 1u);
}

TEST(BlockArenaTest, LargeSizesAndMallocsMemoryGoToMalloc) {
  BlockArena m;
  void* big = m.allocate(BlockArena::kMaxPooled + 1);
  ASSERT_NE(big, nullptr);
  EXPECT_EQ(m.bytesInUse(), 0u);
  EXPECT_EQ(m.blocks(), 0u);
  std::memset(big, 1, BlockArena::kMaxPooled + 1);
  BlockArena::deallocate(big);  // AddressSanitizer checks these reach free()
  BlockArena::deallocate(std::malloc(100));
  BlockArena::deallocate(nullptr);
}

TEST(BlockArenaTest, AChunkGoesBackToTheMemoryItCameFrom) {
  BlockArena a, b;
  void* pa = a.allocate(300);
  void* pb = b.allocate(300);
  EXPECT_EQ(a.bytesInUse(), b.bytesInUse());
  BlockArena::deallocate(pa);
  EXPECT_EQ(a.bytesInUse(), 0u);
  EXPECT_GT(b.bytesInUse(), 0u);
  void* pb2 = b.allocate(300);
  EXPECT_NE(pb2, pa) << "b reused a's chunk";
  BlockArena::deallocate(pb);
  BlockArena::deallocate(pb2);
  EXPECT_EQ(a.allocate(300), pa);
  BlockArena::deallocate(pa);
}

// Containers over an ArenaAllocator take their nodes from the arena and give them all back.
TEST(BlockArenaTest, ContainersUseTheArenaThroughItsAllocator) {
  BlockArena arena;
  {
    struct Big {
      char bytes[600];  // a deque keeps one per node
    };
    std::deque<Big, ArenaAllocator<Big>> deque{ArenaAllocator<Big>(&arena)};
    std::unordered_map<int, int, std::hash<int>, std::equal_to<int>,
                       ArenaAllocator<std::pair<const int, int>>>
        map(0, std::hash<int>{}, std::equal_to<int>{},
            ArenaAllocator<std::pair<const int, int>>(&arena));
    for (int i = 0; i < 5000; ++i) {
      deque.emplace_back().bytes[599] = char(i);
      map[i] = i;
    }
    EXPECT_GE(arena.bytesInUse(), 5000u * 600);
    EXPECT_GE(arena.blocks(), 2u);
    for (int i = 0; i < 5000; ++i) ASSERT_EQ(deque[size_t(i)].bytes[599], char(i));
    EXPECT_EQ(map.at(4321), 4321);
  }
  EXPECT_EQ(arena.bytesInUse(), 0u);
}

#if defined(__SANITIZE_ADDRESS__)
#define FLOWLENS_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FLOWLENS_TEST_ASAN 1
#endif
#endif

#ifdef FLOWLENS_TEST_ASAN
// Under AddressSanitizer a chunk is addressable only up to the size asked for, and not at all
// once freed: nDPI's overflows and use-after-free are caught in the pool as in malloc.
TEST(BlockArenaTest, AddressSanitizerSeesChunkBoundsAndFreedChunks) {
  BlockArena m;
  auto* p = static_cast<char*>(m.allocate(100));
  EXPECT_FALSE(__asan_address_is_poisoned(p));
  EXPECT_FALSE(__asan_address_is_poisoned(p + 99));
  EXPECT_TRUE(__asan_address_is_poisoned(p + 100));
  EXPECT_TRUE(__asan_address_is_poisoned(p - 1));  // the header
  BlockArena::deallocate(p);
  EXPECT_TRUE(__asan_address_is_poisoned(p));
  EXPECT_DEATH(BlockArena::deallocate(p), "AddressSanitizer") << "a double free went unseen";
}
#endif

}  // namespace
}  // namespace flowlens::util
