// RedisStore when its server goes away: calls fail within the command timeout, fail at once
// during the reconnect backoff, and succeed again once the server is back on the same port,
// without recreating the store. Each test starts its own redis-server.

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "redis_server.h"
#include "store/redis_store.h"
#include "store_test_util.h"

namespace flowlens::store {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;
using flowlens::testing::RedisServer;

milliseconds since(Clock::time_point t) {
  return std::chrono::duration_cast<milliseconds>(Clock::now() - t);
}

constexpr milliseconds kMargin{500};  // scheduling noise on a loaded machine
// A call that waited for the server: half its timeout or more. A call that failed at once
// and was then preempted on a loaded machine (sanitizers, parallel tests) stays below that.
bool waited(milliseconds took, milliseconds timeout) { return took >= timeout / 2; }

class RedisStoreFault : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.ok()) << server_.error(); }

  std::unique_ptr<RedisStore> makeStore(milliseconds command_timeout) {
    RedisStore::Config config;
    config.endpoint = server_.endpoint();
    config.command_timeout = command_timeout;
    config.connect_timeout = command_timeout;
    return std::make_unique<RedisStore>(config);
  }
  // Uses every connection of the pool once, so that each holds an open socket.
  static void warmUp(RedisStore& store) {
    for (int i = 0; i < 8; ++i) ASSERT_TRUE(store.set("warm", std::to_string(i), 0).ok());
  }
  // Calls until one succeeds, for at most `limit`; how long it took, or nullopt.
  static std::optional<milliseconds> waitForSuccess(RedisStore& store, milliseconds limit) {
    const auto start = Clock::now();
    while (since(start) < limit) {
      if (store.set("back", "1", 0).ok()) return since(start);
      std::this_thread::sleep_for(milliseconds(20));
    }
    return std::nullopt;
  }

  RedisServer server_;
};

TEST_F(RedisStoreFault, FailsFastWhileDownAndRecoversOnTheSamePort) {
  const milliseconds timeout{1000};
  auto store = makeStore(timeout);
  warmUp(*store);
  ASSERT_EQ(KV_OK(store->get("warm")), "7");
  StoreInfo before = store->info();
  EXPECT_TRUE(before.connected);
  EXPECT_EQ(before.reconnects, 0u);

  server_.stop();
  std::vector<milliseconds> took;
  const auto outage = Clock::now();
  while (since(outage) < milliseconds(1500)) {
    const auto t = Clock::now();
    auto r = (took.size() % 3 == 0)   ? Status(store->set("k", "v", 0))
             : (took.size() % 3 == 1) ? Status(store->hset("h", "f", "v"))
                                      : Status(store->del("k"));
    took.push_back(since(t));
    ASSERT_FALSE(r.ok()) << "call " << took.size() << " succeeded with the server down";
    EXPECT_TRUE(r.unavailable()) << r.error();
    EXPECT_LT(took.back(), timeout + kMargin) << "call " << took.size();
    std::this_thread::sleep_for(milliseconds(10));
  }
  ASSERT_GT(took.size(), 20u);
  size_t slow = 0;
  for (size_t i = 1; i < took.size(); ++i) slow += waited(took[i], timeout);
  EXPECT_LE(slow, 1u) << "of " << took.size() - 1 << " calls after the first failure, " << slow
                      << " waited for the timeout";
  auto g = store->get("k");
  EXPECT_FALSE(g.ok());
  EXPECT_FALSE(store->info().connected);
  EXPECT_FALSE(store->info().last_error.empty());

  ASSERT_TRUE(server_.start().ok()) << server_.error();
  // The backoff is at most 5 s: the store must be back well within that plus a margin.
  auto back = waitForSuccess(*store, milliseconds(8000));
  ASSERT_TRUE(back.has_value()) << "no successful call within 8 s of the restart";
  EXPECT_STATUS_OK(store->set("after", "restart", 0));
  EXPECT_EQ(KV_OK(store->get("after")), "restart");
  for (int i = 0; i < 8; ++i) EXPECT_STATUS_OK(store->set("pool", std::to_string(i), 0));
  const StoreInfo after = store->info();
  EXPECT_TRUE(after.connected);
  EXPECT_GT(after.reconnects, before.reconnects);
}

TEST_F(RedisStoreFault, AStoreCreatedWhileTheServerIsDownConnectsLater) {
  server_.stop();
  auto store = makeStore(milliseconds(500));
  const auto t = Clock::now();
  EXPECT_FALSE(store->get("k").ok());
  EXPECT_LT(since(t), milliseconds(500) + kMargin);
  ASSERT_TRUE(server_.start().ok()) << server_.error();
  ASSERT_TRUE(waitForSuccess(*store, milliseconds(8000)).has_value());
  EXPECT_EQ(KV_OK(store->get("back")), "1");
  EXPECT_TRUE(store->ping());
}

// A server that accepts connections but never answers: each call that waits gives up after
// the command timeout, the next call fails at once (backoff), and the attempts thin out
// exponentially. A connection that TCP accepts is not "reachable again" until it answers.
TEST_F(RedisStoreFault, AHungServerCostsOneTimeoutPerBackoffPeriod) {
  const milliseconds timeout{300};
  auto store = makeStore(timeout);
  warmUp(*store);
  const uint64_t reconnects = store->info().reconnects;

  server_.pause();
  std::vector<milliseconds> took;
  const auto start = Clock::now();
  while (since(start) < milliseconds(4000)) {
    const auto t = Clock::now();
    Status st = store->set("k", "v", 0);
    took.push_back(since(t));
    EXPECT_FALSE(st.ok());
    EXPECT_LT(took.back(), timeout + kMargin) << "call " << took.size();
    std::this_thread::sleep_for(milliseconds(5));
  }
  size_t slow = 0, slow_after_slow = 0;
  for (size_t i = 0; i < took.size(); ++i) {
    if (!waited(took[i], timeout)) continue;
    ++slow;
    if (i > 0 && waited(took[i - 1], timeout)) ++slow_after_slow;
  }
  std::string trace;
  for (auto d : took) trace += std::to_string(d.count()) + " ";
  // Right after a call timed out, the store is known down: the next call must not wait.
  EXPECT_EQ(slow_after_slow, 0u) << "durations (ms): " << trace;
  // Backoff 100, 200, 400, 800, 1600 ms (+ the timeout each): about 6 attempts in 4 s.
  EXPECT_LE(slow, 7u) << "durations (ms): " << trace;
  EXPECT_EQ(store->info().reconnects, reconnects) << "a hung server was counted as back";

  server_.resume();
  ASSERT_TRUE(waitForSuccess(*store, milliseconds(8000)).has_value());
  EXPECT_EQ(KV_OK(store->get("back")), "1");
}

// A restart between two calls (nothing called while the server was down): every pooled
// socket is stale. The server is reachable, so calls should not fail, nor should the store
// declare an outage that makes other callers fail at once.
TEST_F(RedisStoreFault, ARestartBetweenCallsFailsNoCall) {
  auto store = makeStore(milliseconds(1000));
  warmUp(*store);
  server_.stop();
  ASSERT_TRUE(server_.start().ok()) << server_.error();
  int failed = 0;
  std::string errors;
  for (int i = 0; i < 8; ++i) {
    Status st = store->set("k" + std::to_string(i), "v", 0);
    if (!st.ok()) {
      ++failed;
      errors += st.error() + "; ";
    }
  }
  EXPECT_EQ(failed, 0) << errors;
  EXPECT_TRUE(store->info().connected);
}

}  // namespace
}  // namespace flowlens::store
