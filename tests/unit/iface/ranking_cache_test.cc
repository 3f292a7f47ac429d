#include "iface/ranking_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

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

// Callers asking at once while a ranking is built wait for that one build and share its result.
TEST(RankingCache, ConcurrentCallersShareOneBuild) {
  RankingCache<HostRanking> cache;
  std::atomic<int> builds{0};
  const auto build = [&] {
    ++builds;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // every caller arrives
    return ranking(3);
  };
  std::vector<std::shared_ptr<const HostRanking>> got(8);
  std::vector<std::thread> callers;
  for (size_t i = 0; i < got.size(); ++i) {
    callers.emplace_back([&, i] { got[i] = cache.findOrBuild("q", build); });
  }
  for (auto& t : callers) t.join();
  EXPECT_EQ(builds.load(), 1);
  for (const auto& r : got) {
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r, got[0]);
  }
  EXPECT_EQ(cache.findOrBuild("q", build), got[0]) << "then served from the cache";
  EXPECT_EQ(builds.load(), 1);
  EXPECT_NE(cache.findOrBuild("other", build), got[0]);
  EXPECT_EQ(builds.load(), 2);
}

// A builder that throws leaves no waiter stranded: the next caller builds.
TEST(RankingCache, AFailedBuildLetsAnotherCallerBuild) {
  RankingCache<HostRanking> cache;
  std::atomic<bool> first_started{false};
  std::thread failing([&] {
    EXPECT_THROW(cache.findOrBuild("q",
                                   [&]() -> std::shared_ptr<HostRanking> {
                                     first_started = true;
                                     std::this_thread::sleep_for(std::chrono::milliseconds(300));
                                     throw std::runtime_error("scan failed");
                                   }),
                 std::runtime_error);
  });
  while (!first_started) std::this_thread::yield();
  const auto r = cache.findOrBuild("q", [&] { return ranking(5); });  // waits, then builds
  failing.join();
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->rows.size(), 5u);
  EXPECT_EQ(cache.find("q"), r);
}

// A reset (clear) during a build: the build's ranking is not kept, and callers after the reset
// rank anew instead of waiting for the old build.
TEST(RankingCache, ABuildOvertakenByClearIsNotKept) {
  RankingCache<HostRanking> cache;
  std::atomic<bool> started{false};
  std::shared_ptr<const HostRanking> old;
  std::thread before([&] {
    old = cache.findOrBuild("q", [&] {
      started = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      return ranking(1);
    });
  });
  while (!started) std::this_thread::yield();
  cache.clear();
  const auto fresh = cache.findOrBuild("q", [&] { return ranking(2); });  // not the old one
  before.join();
  ASSERT_NE(old, nullptr);
  EXPECT_EQ(old->rows.size(), 1u);
  EXPECT_EQ(fresh->rows.size(), 2u);
  EXPECT_EQ(cache.find("q"), fresh);
}

}  // namespace
}  // namespace flowlens
