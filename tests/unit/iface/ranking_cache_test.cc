#include "iface/ranking_cache.h"

#include <gtest/gtest.h>

#include <thread>

namespace flowlens {
namespace {

std::shared_ptr<HostRanking> ranking(size_t n) {
  auto r = std::make_shared<HostRanking>();
  r->rows.resize(n);
  return r;
}

TEST(RankingCache, KeepsARankingForASecond) {
  RankingCache<HostRanking> cache;
  EXPECT_EQ(cache.find("a"), nullptr);
  cache.put("a", ranking(3));
  ASSERT_NE(cache.find("a"), nullptr);
  EXPECT_EQ(cache.find("a")->rows.size(), 3u);
  EXPECT_EQ(cache.find("b"), nullptr);
  std::this_thread::sleep_for(RankingCache<HostRanking>::kMaxAge + std::chrono::milliseconds(50));
  EXPECT_EQ(cache.find("a"), nullptr) << "older than kMaxAge: recomputed";
}

TEST(RankingCache, StaysBoundedAndClears) {
  RankingCache<HostRanking> cache;
  const size_t max = RankingCache<HostRanking>::kMaxEntries;
  for (size_t i = 0; i < 3 * max; ++i) cache.put("k" + std::to_string(i), ranking(1));
  size_t kept = 0;
  for (size_t i = 0; i < 3 * max; ++i) kept += cache.find("k" + std::to_string(i)) ? 1 : 0;
  EXPECT_LE(kept, max);
  EXPECT_NE(cache.find("k" + std::to_string(3 * max - 1)), nullptr) << "the newest stays";
  cache.clear();
  EXPECT_EQ(cache.find("k" + std::to_string(3 * max - 1)), nullptr);
}

}  // namespace
}  // namespace flowlens
