// util::BlockReserve: huge blocks faulted in by a thread of their own, handed out by
// allocateHugeBlock() while installed.

#include "util/block_reserve.h"

#include <gtest/gtest.h>
#include <sys/mman.h>

#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "util/huge_block.h"

namespace flowlens::util {
namespace {

const size_t kPage = size_t(sysconf(_SC_PAGESIZE));
const size_t kPagesPerBlock = kHugeBlockBytes / kPage;

// How many of the block's pages are mapped in (faulted), by mincore().
size_t residentPages(void* block) {
  std::vector<unsigned char> pages(kPagesPerBlock);
  if (mincore(block, kHugeBlockBytes, pages.data()) != 0) return SIZE_MAX;
  size_t n = 0;
  for (unsigned char p : pages) n += p & 1;
  return n;
}

// The process's private anonymous memory in KiB (RssAnon): pages written, not the shared zero
// page that a read maps (which mincore counts as resident too).
long rssAnonKiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("RssAnon:", 0) == 0) return std::stol(line.substr(8));
  }
  return -1;
}

bool zeroFilled(const void* block) {
  const auto* bytes = static_cast<const unsigned char*>(block);
  for (size_t i = 0; i < kHugeBlockBytes; ++i) {
    if (bytes[i] != 0) return false;
  }
  return true;
}

// Waits (up to 20 s, for sanitizer builds on a busy machine) for `spare` blocks to be ready.
bool waitForSpare(const BlockReserve& r, size_t spare) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (r.stats().spare != spare) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

TEST(BlockReserveTest, HandsOutBlocksAlreadyFaultedInAndRefills) {
  // What the reserve saves a taker: a block mapped the plain way has no page in yet.
  void* plain = allocateHuge(kHugeBlockBytes);
  ASSERT_NE(plain, nullptr);
  EXPECT_EQ(residentPages(plain), 0u);
  freeHuge(plain, kHugeBlockBytes);

  const long before = rssAnonKiB();
  BlockReserve r(3);
  ASSERT_TRUE(r.start());
  ASSERT_TRUE(waitForSpare(r, 3));
  // Written, not just mapped: 6 MiB more private memory (less a little for the kernel's batched
  // counting). Kernels without RssAnon skip this check.
  if (before >= 0) EXPECT_GE(rssAnonKiB() - before, long(3 * kHugeBlockBytes / 1024) - 512);
  std::vector<void*> taken;
  for (int i = 0; i < 3; ++i) {
    // take() does not wait for a lock the refilling thread holds: try again for a while.
    void* b = nullptr;
    for (int tries = 0; b == nullptr && tries < 1000; ++tries) {
      if ((b = r.take()) == nullptr) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(b) % kHugeBlockBytes, 0u);
    EXPECT_EQ(residentPages(b), kPagesPerBlock) << "block " << i << " not faulted in";
    EXPECT_TRUE(zeroFilled(b));
    taken.push_back(b);
  }
  EXPECT_EQ(r.stats().taken, 3u);
  EXPECT_EQ(r.stats().missed, 0u);
  ASSERT_TRUE(waitForSpare(r, 3)) << "the reserve did not refill";
  for (void* b : taken) {
    static_cast<unsigned char*>(b)[kHugeBlockBytes - 1] = 1;  // the taker's own
    freeHugeBlock(b);
  }
}

TEST(BlockReserveTest, InstalledItServesAllocateHugeBlock) {
  BlockReserve r(2);
  ASSERT_TRUE(r.start());
  ASSERT_TRUE(waitForSpare(r, 2));
  BlockReserve::install(&r);
  void* from_reserve = allocateHugeBlock();
  ASSERT_NE(from_reserve, nullptr);
  EXPECT_EQ(r.stats().taken, 1u);
  EXPECT_EQ(residentPages(from_reserve), kPagesPerBlock);

  BlockReserve::install(nullptr);
  void* mapped_here = allocateHugeBlock();
  ASSERT_NE(mapped_here, nullptr);
  EXPECT_EQ(r.stats().taken, 1u);
  EXPECT_EQ(residentPages(mapped_here), 0u);
  freeHugeBlock(from_reserve);
  freeHugeBlock(mapped_here);
}

// Nothing ready (the thread not started here, or behind a burst): the miss is counted and the
// caller maps its own block.
TEST(BlockReserveTest, EmptyItCountsAMissAndCallersMapTheirOwn) {
  BlockReserve r(2);
  BlockReserve::install(&r);
  EXPECT_EQ(r.take(), nullptr);
  void* b = allocateHugeBlock();
  ASSERT_NE(b, nullptr);
  EXPECT_TRUE(zeroFilled(b));
  const BlockReserve::Stats s = r.stats();
  EXPECT_EQ(s.taken, 0u);
  EXPECT_EQ(s.missed, 2u);
  BlockReserve::install(nullptr);
  freeHugeBlock(b);
}

TEST(BlockReserveTest, DestroyedItUninstallsItself) {
  {
    BlockReserve r(1);
    ASSERT_TRUE(r.start());
    BlockReserve::install(&r);
    EXPECT_EQ(BlockReserve::installed(), &r);
  }
  EXPECT_EQ(BlockReserve::installed(), nullptr);
  void* b = allocateHugeBlock();  // mapped here, as before any reserve
  ASSERT_NE(b, nullptr);
  freeHugeBlock(b);
}

}  // namespace
}  // namespace flowlens::util
