// RedisStore specifics beyond the conformance suite: the database number of the endpoint,
// its survival across a reconnect, and the connection pool under concurrent callers.

#include "store/redis_store.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "redis_server.h"
#include "store_test_util.h"

namespace flowlens::store {
namespace {

using std::chrono::milliseconds;

class RedisStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.ok()) << server_.error(); }
  std::unique_ptr<RedisStore> storeOnDb(int db) {
    RedisStore::Config config;
    config.endpoint = server_.endpoint();
    config.endpoint.db = db;
    return std::make_unique<RedisStore>(config);
  }
  flowlens::testing::RedisServer server_;
};

TEST_F(RedisStoreTest, TheEndpointsDatabaseIsSelectedAndFlushedAlone) {
  auto db0 = storeOnDb(0);
  auto db5 = storeOnDb(5);
  EXPECT_STATUS_OK(db0->set("k", "zero", 0));
  EXPECT_STATUS_OK(db5->set("k", "five", 0));
  EXPECT_EQ(KV_OK(db0->get("k")), "zero");
  EXPECT_EQ(KV_OK(db5->get("k")), "five");
  EXPECT_EQ(db5->info().keys, 1u);
  EXPECT_NE(db5->info().location.find("@5"), std::string::npos) << db5->info().location;
  EXPECT_STATUS_OK(db5->flushAll());
  EXPECT_EQ(KV_OK(db5->get("k")), std::nullopt);
  EXPECT_EQ(KV_OK(db0->get("k")), "zero");  // flushAll is FLUSHDB, not FLUSHALL
}

TEST_F(RedisStoreTest, TheDatabaseIsSelectedAgainAfterAReconnect) {
  auto db0 = storeOnDb(0);
  auto db7 = storeOnDb(7);
  EXPECT_STATUS_OK(db7->set("before", "1", 0));
  server_.stop();
  EXPECT_FALSE(db7->get("before").ok());
  ASSERT_TRUE(server_.start().ok()) << server_.error();
  const auto until = std::chrono::steady_clock::now() + milliseconds(8000);
  bool back = false;
  while (!back && std::chrono::steady_clock::now() < until) {
    back = db7->set("after", "7", 0).ok();
    if (!back) std::this_thread::sleep_for(milliseconds(20));
  }
  ASSERT_TRUE(back);
  for (int i = 0; i < 8; ++i) {  // through every pooled connection
    EXPECT_STATUS_OK(db7->set("after" + std::to_string(i), "7", 0));
  }
  EXPECT_TRUE(KV_OK(db0->keys("after*")).empty()) << "a reconnected connection wrote to db 0";
  EXPECT_EQ(KV_OK(db7->keys("after*")).size(), 9u);
}

TEST_F(RedisStoreTest, PingTellsWhetherTheServerAnswers) {
  auto store = storeOnDb(0);
  EXPECT_TRUE(store->ping());
  server_.stop();
  EXPECT_FALSE(store->ping());
}

TEST_F(RedisStoreTest, ConcurrentCallersShareThePool) {
  auto store = storeOnDb(0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&store, t] {
      for (int i = 0; i < 300; ++i) {
        (void)store->incrBy("counter", 1);
        (void)store->rpush("list", std::to_string(t));
        (void)store->hset("hash", std::to_string(t) + "." + std::to_string(i), "v");
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(KV_OK(store->get("counter")), "2400");
  EXPECT_EQ(KV_OK(store->llen("list")), 2400);
  EXPECT_EQ(KV_OK(store->hkeys("hash")).size(), 2400u);
  EXPECT_EQ(store->info().reconnects, 0u);
}

}  // namespace
}  // namespace flowlens::store
