// store::ValueCache, the section-32 in-memory cache: values by value, TTLs, LRU eviction within
// a byte budget, statistics, and concurrent use.

#include "store/value_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <climits>
#include <string>
#include <thread>
#include <vector>

#include "store/kv_store.h"

namespace flowlens::store {
namespace {

using std::chrono::milliseconds;

Value str(std::string s) {
  Value v;
  v.kind = Value::Kind::kString;
  v.s = std::move(s);
  return v;
}

Value integer(int64_t i) {
  Value v;
  v.kind = Value::Kind::kInt;
  v.i = i;
  return v;
}

// The bytes an entry of `v` under `key` is charged (the cache's own accounting).
size_t charged(const std::string& key, const Value& v) {
  ValueCache c;
  EXPECT_TRUE(c.set(key, v, 0));
  return c.stats().bytes;
}

TEST(ValueCache, MissingKeyIsNullAndCountsAMiss) {
  ValueCache c;
  EXPECT_EQ(c.get("nope"), nullptr);
  const auto s = c.stats();
  EXPECT_EQ(s.misses, 1u);
  EXPECT_EQ(s.hits, 0u);
  EXPECT_EQ(s.entries, 0u);
  EXPECT_EQ(s.bytes, 0u);
}

TEST(ValueCache, StoresEveryKindByValue) {
  ValueCache c;
  Value table;
  table.kind = Value::Kind::kTable;
  table.table.emplace_back(str("k"), integer(7));
  Value inner;
  inner.kind = Value::Kind::kTable;
  inner.table.emplace_back(integer(1), str("x\0y"));
  table.table.emplace_back(str("nested"), inner);
  Value b;
  b.kind = Value::Kind::kBool;
  b.b = true;
  Value d;
  d.kind = Value::Kind::kNumber;
  d.d = 2.5;
  ASSERT_TRUE(c.set("t", table, 0));
  ASSERT_TRUE(c.set("b", b, 0));
  ASSERT_TRUE(c.set("d", d, 0));
  ASSERT_TRUE(c.set("i", integer(INT64_MIN), 0));
  ASSERT_TRUE(c.set("nil", Value{}, 0));
  auto t = c.get("t");
  ASSERT_NE(t, nullptr);
  ASSERT_EQ(t->kind, Value::Kind::kTable);
  ASSERT_EQ(t->table.size(), 2u);
  EXPECT_EQ(t->table[0].first.s, "k");
  EXPECT_EQ(t->table[0].second.i, 7);
  EXPECT_EQ(t->table[1].second.table.at(0).second.s, "x\0y");
  EXPECT_TRUE(c.get("b")->b);
  EXPECT_EQ(c.get("d")->d, 2.5);
  EXPECT_EQ(c.get("i")->i, INT64_MIN);
  ASSERT_NE(c.get("nil"), nullptr);
  EXPECT_EQ(c.get("nil")->kind, Value::Kind::kNil);
  EXPECT_EQ(c.stats().entries, 5u);
  EXPECT_EQ(c.stats().hits, 6u);
}

TEST(ValueCache, AReaderKeepsItsSnapshotAcrossOverwriteAndErase) {
  ValueCache c;
  ASSERT_TRUE(c.set("k", str("first"), 0));
  auto held = c.get("k");
  ASSERT_TRUE(c.set("k", str("second"), 0));
  EXPECT_EQ(held->s, "first");
  EXPECT_EQ(c.get("k")->s, "second");
  c.erase("k");
  EXPECT_EQ(held->s, "first");
  EXPECT_EQ(c.get("k"), nullptr);
  EXPECT_EQ(c.stats().entries, 0u);
  EXPECT_EQ(c.stats().bytes, 0u);  // the accounting returns to zero
  c.erase("never-there");          // harmless
}

TEST(ValueCache, OverwriteIsChargedOnce) {
  ValueCache c;
  ASSERT_TRUE(c.set("k", str(std::string(1000, 'a')), 0));
  const size_t once = c.stats().bytes;
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(c.set("k", str(std::string(1000, 'a')), 0));
  EXPECT_EQ(c.stats().bytes, once);
  EXPECT_EQ(c.stats().entries, 1u);
}

TEST(ValueCache, TtlExpiresAndZeroOrNegativeMeanNever) {
  ValueCache c;
  ASSERT_TRUE(c.set("short", str("v"), 1));
  ASSERT_TRUE(c.set("zero", str("v"), 0));
  ASSERT_TRUE(c.set("negative", str("v"), -5));
  ASSERT_NE(c.get("short"), nullptr);
  std::this_thread::sleep_for(milliseconds(1200));
  EXPECT_EQ(c.get("short"), nullptr);
  EXPECT_NE(c.get("zero"), nullptr);
  EXPECT_NE(c.get("negative"), nullptr);
  const auto s = c.stats();
  EXPECT_EQ(s.expirations, 1u);
  EXPECT_EQ(s.entries, 2u);
}

TEST(ValueCache, SnapshotLeavesOutExpiredEntries) {
  ValueCache c;
  ASSERT_TRUE(c.set("short", str("v"), 1));
  ASSERT_TRUE(c.set("long", str("w"), 3600));
  EXPECT_EQ(c.snapshot().size(), 2u);
  std::this_thread::sleep_for(milliseconds(1200));
  const auto snap = c.snapshot();
  ASSERT_EQ(snap.size(), 1u);
  EXPECT_EQ(snap[0].first, "long");
  EXPECT_EQ(snap[0].second->s, "w");
}

// A TTL beyond what steady_clock can add (nanoseconds: ~292 years) must mean "very long",
// not an overflow into the past.
TEST(ValueCache, HugeTtlKeepsTheValue) {
  ValueCache c;
  const int64_t ttls[] = {kMaxTtlSeconds, 10'000'000'000LL, INT64_MAX / 1000, INT64_MAX};
  for (int64_t ttl : ttls) {
    const std::string key = "k" + std::to_string(ttl);
    ASSERT_TRUE(c.set(key, str("v"), ttl));
    auto v = c.get(key);
    EXPECT_NE(v, nullptr) << "ttl " << ttl;
  }
  EXPECT_EQ(c.snapshot().size(), std::size(ttls));
  EXPECT_EQ(c.stats().expirations, 0u);
}

TEST(ValueCache, EvictsTheLeastRecentlyUsedPastTheBudget) {
  const size_t one = charged("a", str(std::string(100, 'x')));
  ValueCache c(3 * one);  // room for exactly three entries
  ASSERT_TRUE(c.set("a", str(std::string(100, 'x')), 0));
  ASSERT_TRUE(c.set("b", str(std::string(100, 'x')), 0));
  ASSERT_TRUE(c.set("c", str(std::string(100, 'x')), 0));
  EXPECT_EQ(c.stats().evictions, 0u);
  ASSERT_NE(c.get("a"), nullptr);  // "b" is now the least recently used
  ASSERT_TRUE(c.set("d", str(std::string(100, 'x')), 0));
  EXPECT_EQ(c.get("b"), nullptr);
  EXPECT_NE(c.get("a"), nullptr);
  EXPECT_NE(c.get("c"), nullptr);
  EXPECT_NE(c.get("d"), nullptr);
  const auto s = c.stats();
  EXPECT_EQ(s.evictions, 1u);
  EXPECT_EQ(s.entries, 3u);
  EXPECT_LE(s.bytes, 3 * one);
}

TEST(ValueCache, AValueLargerThanTheBudgetIsRefusedAndEvictsNothing) {
  ValueCache c(10'000);
  ASSERT_TRUE(c.set("small", str("v"), 0));
  EXPECT_FALSE(c.set("huge", str(std::string(20'000, 'x')), 0));
  EXPECT_EQ(c.get("huge"), nullptr);
  EXPECT_NE(c.get("small"), nullptr);
  EXPECT_EQ(c.stats().evictions, 0u);
  // A big value that fits pushes the rest out, and stays within the budget.
  EXPECT_TRUE(c.set("big", str(std::string(9'000, 'x')), 0));
  EXPECT_NE(c.get("big"), nullptr);
  EXPECT_LE(c.stats().bytes, 10'000u);
}

TEST(ValueCache, BytesGrowWithContent) {
  Value small = str("x");
  Value big = str(std::string(1 << 20, 'x'));
  EXPECT_GE(big.bytes(), small.bytes() + (1u << 20) - 1);
  Value table;
  table.kind = Value::Kind::kTable;
  table.table.emplace_back(str("k"), big);
  EXPECT_GT(table.bytes(), big.bytes());
}

TEST(ValueCache, ConcurrentUseKeepsTheAccountingConsistent) {
  ValueCache c(200'000);
  std::atomic<bool> bad{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 3000; ++i) {
        const std::string key = "k" + std::to_string((i * 7 + t) % 300);
        switch (i % 4) {
          case 0:
            c.set(key, str(std::string(static_cast<size_t>(i % 500), 'x')), (i % 3) * 60);
            break;
          case 1: {
            auto v = c.get(key);
            if (v && v->kind != Value::Kind::kString) bad = true;
            break;
          }
          case 2:
            c.erase(key);
            break;
          case 3:
            c.snapshot();
            break;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_FALSE(bad);
  const auto s = c.stats();
  EXPECT_LE(s.bytes, 200'000u);
  EXPECT_EQ(c.snapshot().size(), s.entries);  // nothing expires (ttl 0 or >= 60 s)
  for (const auto& [k, v] : c.snapshot()) c.erase(k);
  EXPECT_EQ(c.stats().bytes, 0u);
  EXPECT_EQ(c.stats().entries, 0u);
}

}  // namespace
}  // namespace flowlens::store
