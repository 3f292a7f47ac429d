// util::allocateHugeBlock / allocateHuge and HugePageAllocator: 2 MiB-aligned, zero-filled
// memory straight from the kernel, for pools and large arrays.

#include "util/huge_block.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace flowlens::util {
namespace {

bool blockAligned(const void* p) { return reinterpret_cast<uintptr_t>(p) % kHugeBlockBytes == 0; }

TEST(HugeBlockTest, AlignedZeroFilledAndWritable) {
  std::vector<void*> blocks;
  for (int i = 0; i < 3; ++i) {
    void* b = allocateHugeBlock();
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(b) % kHugeBlockBytes, 0u);
    const auto* bytes = static_cast<const unsigned char*>(b);
    size_t nonzero = 0;
    for (size_t j = 0; j < kHugeBlockBytes; j += 4096) nonzero += bytes[j] != 0;
    EXPECT_EQ(nonzero, 0u);
    static_cast<unsigned char*>(b)[kHugeBlockBytes - 1] = 1;  // the whole block is ours
    blocks.push_back(b);
  }
  for (void* b : blocks) freeHugeBlock(b);
}

TEST(HugeBlockTest, LargerRegionsAreWholeBlocks) {
  const size_t bytes = 3 * kHugeBlockBytes + 5;  // four blocks' worth
  auto* p = static_cast<unsigned char*>(allocateHuge(bytes));
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(blockAligned(p));
  p[0] = 1;
  p[4 * kHugeBlockBytes - 1] = 1;  // the rounded-up end is ours too
  freeHuge(p, bytes);
}

// An index that doubles moves into huge blocks from kHugeThreshold on, contents kept.
TEST(HugeBlockTest, HugePageAllocatorSwitchesAtItsThreshold) {
  std::vector<uint32_t, HugePageAllocator<uint32_t>> v;
  constexpr size_t kBig = HugePageAllocator<uint32_t>::kHugeThreshold / sizeof(uint32_t);
  for (uint32_t i = 0; i < kBig * 2; ++i) {
    v.push_back(i);
    if (v.capacity() * sizeof(uint32_t) >= HugePageAllocator<uint32_t>::kHugeThreshold) {
      ASSERT_TRUE(blockAligned(v.data())) << "capacity " << v.capacity();
    }
  }
  for (uint32_t i = 0; i < kBig * 2; ++i) ASSERT_EQ(v[i], i);
  std::vector<uint32_t, HugePageAllocator<uint32_t>> small(100, 7);
  EXPECT_EQ(small[99], 7u);
}

}  // namespace
}  // namespace flowlens::util
