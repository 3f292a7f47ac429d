#include "lua/state_pool.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "test_env.h"

namespace flowlens::lua {
namespace {

using flowlens::testing::runLua;
using flowlens::testing::TestEnv;
using std::chrono::milliseconds;

// Runs an endless loop with a short deadline so that the state ends up poisoned.
void poison(LuaState& state) {
  ScriptContext ctx;
  ctx.services = &state.services();
  ctx.deadline = std::chrono::steady_clock::now() + milliseconds(50);
  EXPECT_FALSE(state.runString("while true do end", "poison", ctx).ok());
  EXPECT_TRUE(state.poisoned());
}

class StatePoolTest : public ::testing::Test {
 protected:
  TestEnv env_;
};

TEST_F(StatePoolTest, CreatesStatesOnDemand) {
  StatePool pool(&env_.services(), env_.engineConfig(), 3);
  EXPECT_EQ(pool.maxStates(), 3u);
  EXPECT_EQ(pool.liveStates(), 0u);
  {
    auto lease = pool.acquire(milliseconds(0));
    ASSERT_TRUE(lease.ok()) << lease.error();
    EXPECT_EQ(pool.liveStates(), 1u);
    EXPECT_TRUE(runLua(**lease, "assert(ntop ~= nil)").ok());
  }
  EXPECT_EQ(pool.liveStates(), 1u);  // returned to the pool, kept warm
}

TEST_F(StatePoolTest, ReusesAReleasedState) {
  StatePool pool(&env_.services(), env_.engineConfig(), 2);
  LuaState* first = nullptr;
  {
    auto lease = pool.acquire(milliseconds(0));
    ASSERT_TRUE(lease.ok());
    first = &**lease;
  }
  auto again = pool.acquire(milliseconds(0));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(&**again, first);
  EXPECT_EQ(pool.liveStates(), 1u);
}

TEST_F(StatePoolTest, WarmCreatesStatesUpToTheMaximum) {
  StatePool pool(&env_.services(), env_.engineConfig(), 2);
  ASSERT_TRUE(pool.warm(5).ok());
  EXPECT_EQ(pool.liveStates(), 2u);
  auto a = pool.acquire(milliseconds(0));
  auto b = pool.acquire(milliseconds(0));
  EXPECT_TRUE(a.ok());
  EXPECT_TRUE(b.ok());
  EXPECT_EQ(pool.liveStates(), 2u);
}

TEST_F(StatePoolTest, BusyWhenAllStatesAreLeased) {
  StatePool pool(&env_.services(), env_.engineConfig(), 2);
  auto a = pool.acquire(milliseconds(0));
  auto b = pool.acquire(milliseconds(0));
  ASSERT_TRUE(a.ok() && b.ok());
  auto c = pool.acquire(milliseconds(0));
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().find("busy"), std::string::npos) << c.error();
  const auto start = std::chrono::steady_clock::now();
  auto d = pool.acquire(milliseconds(100));
  EXPECT_FALSE(d.ok());
  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(90));  // it did wait
  EXPECT_EQ(pool.liveStates(), 2u);
}

TEST_F(StatePoolTest, WaiterGetsAStateReleasedByAnotherThread) {
  StatePool pool(&env_.services(), env_.engineConfig(), 1);
  auto held = pool.acquire(milliseconds(0));
  ASSERT_TRUE(held.ok());
  std::thread releaser([&] {
    std::this_thread::sleep_for(milliseconds(100));
    auto drop = std::move(held);
  });
  auto waited = pool.acquire(milliseconds(10000));
  releaser.join();
  ASSERT_TRUE(waited.ok()) << waited.error();
  EXPECT_EQ(pool.liveStates(), 1u);
}

TEST_F(StatePoolTest, MaxStatesRespectedUnderConcurrency) {
  constexpr size_t kMax = 3;
  constexpr int kThreads = 8;
  constexpr int kRounds = 10;
  StatePool pool(&env_.services(), env_.engineConfig(), kMax);
  std::atomic<int> in_use{0}, peak{0}, failures{0}, runs{0};
  std::atomic<size_t> peak_live{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kRounds; ++i) {
        auto lease = pool.acquire(milliseconds(30000));
        if (!lease.ok()) {
          ++failures;
          continue;
        }
        const int now = ++in_use;
        int seen = peak.load();
        while (now > seen && !peak.compare_exchange_weak(seen, now)) {
        }
        size_t live = pool.liveStates(), seen_live = peak_live.load();
        while (live > seen_live && !peak_live.compare_exchange_weak(seen_live, live)) {
        }
        if (runLua(**lease, "local s = 0 for i = 1, 20000 do s = s + i end assert(s > 0)").ok()) {
          ++runs;
        }
        std::this_thread::sleep_for(milliseconds(2));
        --in_use;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(runs.load(), kThreads * kRounds);
  EXPECT_LE(peak.load(), static_cast<int>(kMax));
  EXPECT_GE(peak.load(), 1);
  EXPECT_LE(peak_live.load(), kMax);
  EXPECT_LE(pool.liveStates(), kMax);
}

TEST_F(StatePoolTest, PoisonedStateIsReplaced) {
  StatePool pool(&env_.services(), env_.engineConfig(), 1);
  {
    auto lease = pool.acquire(milliseconds(0));
    ASSERT_TRUE(lease.ok());
    poison(**lease);
  }
  EXPECT_EQ(pool.liveStates(), 0u);  // dropped, not returned
  auto fresh = pool.acquire(milliseconds(0));
  ASSERT_TRUE(fresh.ok()) << fresh.error();
  EXPECT_FALSE((*fresh)->poisoned());
  EXPECT_EQ((*fresh)->runs(), 0u);
  EXPECT_TRUE(runLua(**fresh, "assert(1 + 1 == 2)").ok());
}

TEST_F(StatePoolTest, RepeatedPoisoningKeepsLiveStatesBounded) {
  StatePool pool(&env_.services(), env_.engineConfig(), 2);
  for (int i = 0; i < 5; ++i) {
    auto a = pool.acquire(milliseconds(0));
    auto b = pool.acquire(milliseconds(0));
    ASSERT_TRUE(a.ok() && b.ok()) << "round " << i;
    poison(**a);
    EXPECT_LE(pool.liveStates(), 2u);
  }
  EXPECT_EQ(pool.liveStates(), 1u);  // the healthy one of the last round
  auto a = pool.acquire(milliseconds(0));
  auto b = pool.acquire(milliseconds(0));
  EXPECT_TRUE(a.ok() && b.ok());
}

TEST_F(StatePoolTest, MoveAssigningALeaseReturnsTheOverwrittenState) {
  // `lease = pool.acquire(...)` over a lease still holding a state must give that state back,
  // or the pool believes it is still leased and shrinks for ever.
  StatePool pool(&env_.services(), env_.engineConfig(), 2);
  {
    auto first = pool.acquire(milliseconds(0));
    ASSERT_TRUE(first.ok());
    auto second = pool.acquire(milliseconds(0));
    ASSERT_TRUE(second.ok());
    first = std::move(second);
  }
  EXPECT_LE(pool.liveStates(), 2u);
  auto a = pool.acquire(milliseconds(0));
  auto b = pool.acquire(milliseconds(0));
  EXPECT_TRUE(a.ok()) << a.error();
  EXPECT_TRUE(b.ok()) << b.error();
}

TEST_F(StatePoolTest, CreationFailureIsReportedAndNotCounted) {
  EngineConfig bad = env_.engineConfig();
  bad.preload = {"no_such_module_anywhere"};
  StatePool pool(&env_.services(), bad, 2);
  auto lease = pool.acquire(milliseconds(0));
  ASSERT_FALSE(lease.ok());
  EXPECT_NE(lease.error().find("no_such_module_anywhere"), std::string::npos) << lease.error();
  EXPECT_EQ(pool.liveStates(), 0u);
}

}  // namespace
}  // namespace flowlens::lua
