// FlowMemory: nDPI's per-flow allocations from huge blocks in size classes, reused through free
// lists; everything else (large sizes, memory from malloc) goes to malloc.

#include "dpi/flow_memory.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <sanitizer/asan_interface.h>

#include "util/huge_block.h"

namespace flowlens::dpi {
namespace {

bool aligned16(const void* p) { return reinterpret_cast<uintptr_t>(p) % 16 == 0; }

TEST(FlowMemoryTest, ChunksComeFromOneBlockAndFreedOnesAreReused) {
  FlowMemory m;
  void* a = m.allocate(2048);  // nDPI's first TLS reassembly buffer
  ASSERT_NE(a, nullptr);
  EXPECT_TRUE(aligned16(a));
  EXPECT_EQ(m.bytesInUse(), 2048u);
  EXPECT_EQ(m.blocks(), 1u);
  std::memset(a, 0xab, 2048);
  FlowMemory::deallocate(a);
  EXPECT_EQ(m.bytesInUse(), 0u);
  void* b = m.allocate(1999);  // the same class: the freed chunk comes back
  EXPECT_EQ(b, a);
  FlowMemory::deallocate(b);
  EXPECT_EQ(m.blocks(), 1u);
}

// Every pooled size is rounded up to 16 bytes, or by at most an eighth above 256; each chunk is
// aligned, writable to its size, and apart from every other.
TEST(FlowMemoryTest, RoundingIsBoundedAndChunksDoNotOverlap) {
  FlowMemory m;
  std::vector<std::pair<unsigned char*, size_t>> chunks;
  for (size_t n = 1; n <= FlowMemory::kMaxPooled; n += n < 512 ? 1 : 97) {
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
  for (const auto& [p, n] : chunks) FlowMemory::deallocate(p);
  EXPECT_EQ(m.bytesInUse(), 0u);
  EXPECT_GT(m.blocks(), 1u);
}

TEST(FlowMemoryTest, LargeSizesAndMallocsMemoryGoToMalloc) {
  FlowMemory m;
  void* big = m.allocate(FlowMemory::kMaxPooled + 1);
  ASSERT_NE(big, nullptr);
  EXPECT_EQ(m.bytesInUse(), 0u);
  EXPECT_EQ(m.blocks(), 0u);
  std::memset(big, 1, FlowMemory::kMaxPooled + 1);
  FlowMemory::deallocate(big);  // AddressSanitizer checks these reach free()
  FlowMemory::deallocate(std::malloc(100));
  FlowMemory::deallocate(nullptr);
}

TEST(FlowMemoryTest, AChunkGoesBackToTheMemoryItCameFrom) {
  FlowMemory a, b;
  void* pa = a.allocate(300);
  void* pb = b.allocate(300);
  EXPECT_EQ(a.bytesInUse(), b.bytesInUse());
  FlowMemory::deallocate(pa);
  EXPECT_EQ(a.bytesInUse(), 0u);
  EXPECT_GT(b.bytesInUse(), 0u);
  void* pb2 = b.allocate(300);
  EXPECT_NE(pb2, pa) << "b reused a's chunk";
  FlowMemory::deallocate(pb);
  FlowMemory::deallocate(pb2);
  EXPECT_EQ(a.allocate(300), pa);
  FlowMemory::deallocate(pa);
}

#if defined(__SANITIZE_ADDRESS__)
// Under AddressSanitizer a chunk is addressable only up to the size asked for, and not at all
// once freed: nDPI's overflows and use-after-free are caught in the pool as in malloc.
TEST(FlowMemoryTest, AddressSanitizerSeesChunkBoundsAndFreedChunks) {
  FlowMemory m;
  auto* p = static_cast<char*>(m.allocate(100));
  EXPECT_FALSE(__asan_address_is_poisoned(p));
  EXPECT_FALSE(__asan_address_is_poisoned(p + 99));
  EXPECT_TRUE(__asan_address_is_poisoned(p + 100));
  EXPECT_TRUE(__asan_address_is_poisoned(p - 1));  // the header
  FlowMemory::deallocate(p);
  EXPECT_TRUE(__asan_address_is_poisoned(p));
}
#endif

}  // namespace
}  // namespace flowlens::dpi
