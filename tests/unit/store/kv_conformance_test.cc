// The KvStore conformance suite: one set of tests, run against both backends (EmbeddedStore in a
// temporary directory, RedisStore on a redis-server this process starts). Redis is the
// reference: where the two could differ, the expectations are what Redis 7 does.
// kv_side_by_side_test.cc runs the same operations on both at once and compares the answers.

#include <gtest/gtest.h>

#include <chrono>
#include <climits>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "store/kv_store.h"
#include "store_test_util.h"

namespace flowlens::store {
namespace {

using namespace std::string_literals;  // NOLINT(build/namespaces): "a\0b"s
using testutil::Backend;
using testutil::BackendUnderTest;
using testutil::failsWith;
using testutil::sorted;

class KvConformanceTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    backend_ = std::make_unique<BackendUnderTest>(GetParam());
    ASSERT_TRUE(backend_->error.empty()) << backend_->error;
  }
  KvStore& kv() { return *backend_->kv; }

  // Builds list `key` from `items` (after deleting it).
  void makeList(const std::string& key, const StringList& items) {
    EXPECT_STATUS_OK(kv().del(key));
    for (const auto& i : items) EXPECT_STATUS_OK(kv().rpush(key, i));
  }
  StringList all(const std::string& key) { return KV_OK(kv().lrange(key, 0, -1)); }

  std::unique_ptr<BackendUnderTest> backend_;
};

// ---- strings -------------------------------------------------------------------------------

TEST_P(KvConformanceTest, GetSetOverwriteAndMissing) {
  EXPECT_EQ(KV_OK(kv().get("missing")), std::nullopt);
  EXPECT_STATUS_OK(kv().set("k", "v1", 0));
  EXPECT_EQ(KV_OK(kv().get("k")), "v1");
  EXPECT_STATUS_OK(kv().set("k", "v2", 0));
  EXPECT_EQ(KV_OK(kv().get("k")), "v2");
  EXPECT_TRUE(KV_OK(kv().exists("k")));
  EXPECT_FALSE(KV_OK(kv().exists("missing")));
}

TEST_P(KvConformanceTest, SetnxOnlyWritesAbsentKeys) {
  EXPECT_TRUE(KV_OK(kv().setnx("k", "first")));
  EXPECT_FALSE(KV_OK(kv().setnx("k", "second")));
  EXPECT_EQ(KV_OK(kv().get("k")), "first");
  // A key of another type is present too: no write, no error.
  EXPECT_STATUS_OK(kv().hset("h", "f", "v"));
  EXPECT_FALSE(KV_OK(kv().setnx("h", "x")));
  EXPECT_EQ(KV_OK(kv().hget("h", "f")), "v");
  EXPECT_TRUE(KV_OK(kv().setnx("", "")));
  EXPECT_EQ(KV_OK(kv().get("")), "");
}

TEST_P(KvConformanceTest, SetReplacesAKeyOfAnotherType) {
  EXPECT_STATUS_OK(kv().rpush("l", "a"));
  EXPECT_STATUS_OK(kv().set("l", "now a string", 0));
  EXPECT_EQ(KV_OK(kv().get("l")), "now a string");
  EXPECT_WRONGTYPE(kv().llen("l"));
}

TEST_P(KvConformanceTest, DelRemovesEveryTypeAndIgnoresMissingKeys) {
  EXPECT_STATUS_OK(kv().set("s", "v", 0));
  EXPECT_STATUS_OK(kv().hset("h", "f", "v"));
  EXPECT_STATUS_OK(kv().rpush("l", "v"));
  EXPECT_STATUS_OK(kv().sadd("z", "v"));
  for (const char* k : {"s", "h", "l", "z", "never-existed"}) {
    EXPECT_STATUS_OK(kv().del(k));
    EXPECT_FALSE(KV_OK(kv().exists(k))) << k;
  }
  EXPECT_TRUE(KV_OK(kv().keys("*")).empty());
}

TEST_P(KvConformanceTest, RenameMovesTheValueAndOverwritesTheTarget) {
  EXPECT_STATUS_OK(kv().set("from", "v", 0));
  EXPECT_STATUS_OK(kv().rename("from", "to"));
  EXPECT_EQ(KV_OK(kv().get("to")), "v");
  EXPECT_FALSE(KV_OK(kv().exists("from")));
  // The target is replaced whatever its type; a hash moves whole.
  EXPECT_STATUS_OK(kv().hset("h", "f1", "1"));
  EXPECT_STATUS_OK(kv().hset("h", "f2", "2"));
  EXPECT_STATUS_OK(kv().rename("h", "to"));
  EXPECT_EQ(KV_OK(kv().hgetall("to")), (StringMap{{"f1", "1"}, {"f2", "2"}}));
  // Renaming a key to itself keeps it.
  EXPECT_STATUS_OK(kv().rename("to", "to"));
  EXPECT_EQ(KV_OK(kv().hget("to", "f2")), "2");
}

TEST_P(KvConformanceTest, RenameOfAMissingKeyIsAnError) {
  EXPECT_TRUE(failsWith(kv().rename("missing", "to"), "no such key"));
  EXPECT_STATUS_OK(kv().set("to", "kept", 0));
  EXPECT_TRUE(failsWith(kv().rename("missing", "to"), "no such key"));
  EXPECT_EQ(KV_OK(kv().get("to")), "kept");
}

TEST_P(KvConformanceTest, IncrByCountsFromZero) {
  EXPECT_EQ(KV_OK(kv().incrBy("n", 1)), 1);
  EXPECT_EQ(KV_OK(kv().incrBy("n", 41)), 42);
  EXPECT_EQ(KV_OK(kv().incrBy("n", -50)), -8);
  EXPECT_EQ(KV_OK(kv().get("n")), "-8");
  EXPECT_STATUS_OK(kv().set("m", "-9223372036854775807", 0));
  EXPECT_EQ(KV_OK(kv().incrBy("m", -1)), INT64_MIN);
  EXPECT_EQ(KV_OK(kv().incrBy("fresh", INT64_MIN)), INT64_MIN);
  EXPECT_EQ(KV_OK(kv().incrBy("zero", 0)), 0);
  EXPECT_EQ(KV_OK(kv().get("zero")), "0");
}

TEST_P(KvConformanceTest, IncrByOfANonIntegerIsAnErrorAndLeavesTheValue) {
  for (const char* v : {"abc", "1.5", "1e3", "0x10", " 5", "5 ", "12abc"}) {
    EXPECT_STATUS_OK(kv().set("k", v, 0));
    EXPECT_TRUE(failsWith(kv().incrBy("k", 1), "not an integer")) << v;
    EXPECT_EQ(KV_OK(kv().get("k")), v);
  }
  EXPECT_STATUS_OK(kv().hset("h", "f", "1"));
  EXPECT_WRONGTYPE(kv().incrBy("h", 1));
}

// Redis parses integers strictly (string2ll): no sign '+', no leading zeros, no "-0",
// and the empty string is not 0.
TEST_P(KvConformanceTest, IncrByParsesIntegersAsStrictlyAsRedis) {
  for (const std::string v : {"007", "", "-0", "+5", "00", "-01"}) {
    EXPECT_STATUS_OK(kv().set("k", v, 0));
    EXPECT_TRUE(failsWith(kv().incrBy("k", 1), "not an integer")) << testutil::quote(v);
    EXPECT_EQ(KV_OK(kv().get("k")), v);
  }
}

TEST_P(KvConformanceTest, IncrByOverflowIsAnErrorAndLeavesTheValue) {
  EXPECT_STATUS_OK(kv().set("k", "9223372036854775807", 0));
  EXPECT_TRUE(failsWith(kv().incrBy("k", 1), "overflow"));
  EXPECT_EQ(KV_OK(kv().get("k")), "9223372036854775807");
  EXPECT_STATUS_OK(kv().set("k", "-9223372036854775808", 0));
  EXPECT_TRUE(failsWith(kv().incrBy("k", -1), "overflow"));
  EXPECT_EQ(KV_OK(kv().get("k")), "-9223372036854775808");
  // One past the range is not an integer at all.
  EXPECT_STATUS_OK(kv().set("k", "9223372036854775808", 0));
  EXPECT_TRUE(failsWith(kv().incrBy("k", 0), "not an integer"));
}

// ---- TTL -----------------------------------------------------------------------------------

TEST_P(KvConformanceTest, TtlExpiresAfterOneSecondAndZeroMeansNever) {
  EXPECT_STATUS_OK(kv().set("forever", "v", 0));
  EXPECT_STATUS_OK(kv().set("short", "v", 1));
  EXPECT_STATUS_OK(kv().set("renamed_src", "v", 1));
  EXPECT_STATUS_OK(kv().rename("renamed_src", "renamed"));  // RENAME keeps the TTL
  EXPECT_STATUS_OK(kv().set("counter", "5", 1));
  EXPECT_EQ(KV_OK(kv().incrBy("counter", 1)), 6);  // INCR keeps the TTL
  EXPECT_STATUS_OK(kv().set("reset", "v", 1));
  EXPECT_STATUS_OK(kv().set("reset", "v2", 0));  // a plain SET drops the TTL
  EXPECT_EQ(KV_OK(kv().get("short")), "v");
  EXPECT_EQ(sorted(KV_OK(kv().keys("*"))),
            (StringList{"counter", "forever", "renamed", "reset", "short"}));

  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  EXPECT_EQ(KV_OK(kv().get("short")), std::nullopt);
  EXPECT_FALSE(KV_OK(kv().exists("short")));
  EXPECT_FALSE(KV_OK(kv().exists("renamed")));
  EXPECT_EQ(KV_OK(kv().get("counter")), std::nullopt);
  EXPECT_EQ(KV_OK(kv().get("forever")), "v");
  EXPECT_EQ(KV_OK(kv().get("reset")), "v2");
  EXPECT_EQ(sorted(KV_OK(kv().keys("*"))), (StringList{"forever", "reset"}));
  // An expired key is absent for every operation.
  EXPECT_EQ(KV_OK(kv().dump("short")), std::nullopt);
  EXPECT_TRUE(KV_OK(kv().setnx("short", "again")));
  EXPECT_TRUE(failsWith(kv().rename("renamed", "x"), "no such key"));
  EXPECT_EQ(KV_OK(kv().get("short")), "again");
}

TEST_P(KvConformanceTest, HugeTtlsAreClampedNotRefused) {
  const int64_t ttls[] = {kMaxTtlSeconds, kMaxTtlSeconds + 1, 9'223'372'036'854'775LL,
                          INT64_MAX / 1000, INT64_MAX};
  int i = 0;
  for (int64_t ttl : ttls) {
    const std::string key = "k" + std::to_string(i++);
    EXPECT_STATUS_OK(kv().set(key, "v", ttl));
    EXPECT_EQ(KV_OK(kv().get(key)), "v") << ttl;
  }
  EXPECT_EQ(KV_OK(kv().keys("k*")).size(), std::size(ttls));
}

// ---- key patterns --------------------------------------------------------------------------

TEST_P(KvConformanceTest, KeysMatchRedisGlobPatterns) {
  for (const char* k : {"user.1", "user.2", "user.10", "useR.3", "a", "b", "c", "d", "a*b", "axb",
                        "a?b", "[x]", "x", "back\\slash"}) {
    EXPECT_STATUS_OK(kv().set(k, "v", 0));
  }
  auto keys = [&](std::string_view p) { return sorted(KV_OK(kv().keys(p))); };
  EXPECT_EQ(keys("*").size(), 14u);
  EXPECT_EQ(keys("user.*"), (StringList{"user.1", "user.10", "user.2"}));
  EXPECT_EQ(keys("user.?"), (StringList{"user.1", "user.2"}));
  EXPECT_EQ(keys("use?.*"), (StringList{"useR.3", "user.1", "user.10", "user.2"}));
  EXPECT_EQ(keys("[a-c]"), (StringList{"a", "b", "c"}));
  EXPECT_EQ(keys("[c-a]"), (StringList{"a", "b", "c"}));  // a reversed range still matches
  EXPECT_EQ(keys("[^a]"), (StringList{"b", "c", "d", "x"}));
  EXPECT_EQ(keys("[ad]"), (StringList{"a", "d"}));
  EXPECT_EQ(keys("a\\*b"), (StringList{"a*b"}));
  EXPECT_EQ(keys("a\\?b"), (StringList{"a?b"}));
  EXPECT_EQ(keys("a*b"), (StringList{"a*b", "a?b", "axb"}));
  EXPECT_EQ(keys("a?b"), (StringList{"a*b", "a?b", "axb"}));
  EXPECT_EQ(keys("\\[x\\]"), (StringList{"[x]"}));
  EXPECT_EQ(keys("[[]x]"), (StringList{"[x]"}));
  EXPECT_EQ(keys("back\\\\slash"), (StringList{"back\\slash"}));
  EXPECT_EQ(keys("user.[0-9]"), (StringList{"user.1", "user.2"}));
  EXPECT_EQ(keys("user.[0-9]*"), (StringList{"user.1", "user.10", "user.2"}));
  EXPECT_EQ(keys("USER.*"), StringList{});  // case-sensitive
  EXPECT_EQ(keys("nothing*"), StringList{});
}

// ---- unusual content -----------------------------------------------------------------------

TEST_P(KvConformanceTest, EmptyStringsAreValuesNotAbsence) {
  EXPECT_STATUS_OK(kv().set("empty", "", 0));
  EXPECT_EQ(KV_OK(kv().get("empty")), "");
  EXPECT_TRUE(KV_OK(kv().exists("empty")));
  EXPECT_STATUS_OK(kv().set("", "empty key", 0));
  EXPECT_EQ(KV_OK(kv().get("")), "empty key");
  EXPECT_STATUS_OK(kv().hset("h", "", ""));
  EXPECT_EQ(KV_OK(kv().hget("h", "")), "");
  EXPECT_EQ(KV_OK(kv().hkeys("h")), StringList{""});
  EXPECT_STATUS_OK(kv().rpush("l", ""));
  EXPECT_EQ(KV_OK(kv().llen("l")), 1);
  EXPECT_EQ(KV_OK(kv().lindex("l", 0)), "");
  EXPECT_STATUS_OK(kv().sadd("s", ""));
  EXPECT_EQ(KV_OK(kv().smembers("s")), StringList{""});
  EXPECT_EQ(sorted(KV_OK(kv().keys("*"))), (StringList{"", "empty", "h", "l", "s"}));
}

TEST_P(KvConformanceTest, NulBytesSurviveInKeysValuesFieldsAndMembers) {
  const std::string key = "k\0ey"s, value = "\0v\0a\0l\0"s, field = "f\0"s;
  EXPECT_STATUS_OK(kv().set(key, value, 0));
  EXPECT_EQ(KV_OK(kv().get(key)), value);
  EXPECT_EQ(KV_OK(kv().get("k")), std::nullopt);  // not truncated at the NUL
  EXPECT_EQ(KV_OK(kv().keys("k?ey")), StringList{key});
  EXPECT_STATUS_OK(kv().hset("h\0"s, field, value));
  EXPECT_EQ(KV_OK(kv().hgetall("h\0"s)), (StringMap{{field, value}}));
  EXPECT_EQ(KV_OK(kv().hget("h\0"s, "f")), std::nullopt);
  EXPECT_STATUS_OK(kv().rpush("l", value));
  EXPECT_STATUS_OK(kv().rpush("l", "\0"s));
  EXPECT_EQ(KV_OK(kv().lrem("l", 0, "\0"s)), 1);
  EXPECT_EQ(all("l"), StringList{value});
  EXPECT_STATUS_OK(kv().sadd("s", value));
  EXPECT_STATUS_OK(kv().sadd("s", "\0v"s));
  EXPECT_EQ(sorted(KV_OK(kv().smembers("s"))), (StringList{"\0v"s, value}));
}

TEST_P(KvConformanceTest, OneMegabyteValuesRoundTrip) {
  std::string big(1 << 20, '\0');
  std::mt19937 rng(7);
  for (auto& c : big) c = static_cast<char>(rng());
  EXPECT_STATUS_OK(kv().set("big", big, 0));
  EXPECT_EQ(KV_OK(kv().get("big")), big);
  EXPECT_STATUS_OK(kv().hset("h", "big", big));
  EXPECT_EQ(KV_OK(kv().hget("h", "big")), big);
  EXPECT_STATUS_OK(kv().rpush("l", big));
  EXPECT_EQ(KV_OK(kv().rpop("l")), big);
  EXPECT_STATUS_OK(kv().sadd("s", big));
  EXPECT_EQ(KV_OK(kv().smembers("s")), StringList{big});
  auto dump = KV_OK(kv().dump("big"));
  ASSERT_TRUE(dump.has_value());
  EXPECT_TRUE(KV_OK(kv().restore("big2", *dump)));
  EXPECT_EQ(KV_OK(kv().get("big2")), big);
}

TEST_P(KvConformanceTest, NonAsciiKeysAreBytes) {
  const std::string keys[] = {"clé", "ключ", "键", "emoji.\xF0\x9F\x98\x80", "\xff\xfe"};
  for (const auto& k : keys) EXPECT_STATUS_OK(kv().set(k, "v:" + k, 0));
  for (const auto& k : keys) EXPECT_EQ(KV_OK(kv().get(k)), "v:" + k);
  // '?' is one byte, as in Redis: "é" takes two.
  EXPECT_EQ(KV_OK(kv().keys("cl?")), StringList{});
  EXPECT_EQ(KV_OK(kv().keys("cl??")), StringList{"clé"});
  EXPECT_EQ(KV_OK(kv().keys("emoji.*")), StringList{"emoji.\xF0\x9F\x98\x80"});
  EXPECT_EQ(KV_OK(kv().keys("\xff*")), StringList{"\xff\xfe"});
  EXPECT_STATUS_OK(kv().hset("ключ.h", "поле", "значение"));
  EXPECT_EQ(KV_OK(kv().hget("ключ.h", "поле")), "значение");
}

// ---- wrong types ---------------------------------------------------------------------------

TEST_P(KvConformanceTest, OperationsOnAKeyOfTheWrongTypeFailWithWrongtype) {
  EXPECT_STATUS_OK(kv().set("str", "v", 0));
  EXPECT_STATUS_OK(kv().hset("hash", "f", "v"));
  EXPECT_STATUS_OK(kv().rpush("list", "v"));
  EXPECT_STATUS_OK(kv().sadd("set", "v"));

  EXPECT_WRONGTYPE(kv().hget("str", "f"));
  EXPECT_WRONGTYPE(kv().hset("str", "f", "v"));
  EXPECT_WRONGTYPE(kv().hdel("str", "f"));
  EXPECT_WRONGTYPE(kv().hkeys("str"));
  EXPECT_WRONGTYPE(kv().hgetall("list"));

  EXPECT_WRONGTYPE(kv().lpush("str", "v"));
  EXPECT_WRONGTYPE(kv().rpush("hash", "v"));
  EXPECT_WRONGTYPE(kv().lpop("set"));
  EXPECT_WRONGTYPE(kv().rpop("str"));
  EXPECT_WRONGTYPE(kv().lrem("hash", 0, "v"));
  EXPECT_WRONGTYPE(kv().ltrim("set", 0, 1));
  EXPECT_WRONGTYPE(kv().lrange("str", 0, -1));
  EXPECT_WRONGTYPE(kv().llen("hash"));
  EXPECT_WRONGTYPE(kv().lindex("set", 0));

  EXPECT_WRONGTYPE(kv().sadd("list", "v"));
  EXPECT_WRONGTYPE(kv().srem("str", "v"));
  EXPECT_WRONGTYPE(kv().smembers("hash"));

  EXPECT_WRONGTYPE(kv().get("hash"));
  EXPECT_WRONGTYPE(kv().get("list"));
  EXPECT_WRONGTYPE(kv().incrBy("set", 1));

  // Nothing was changed by the failed calls.
  EXPECT_EQ(KV_OK(kv().get("str")), "v");
  EXPECT_EQ(KV_OK(kv().hgetall("hash")), (StringMap{{"f", "v"}}));
  EXPECT_EQ(all("list"), StringList{"v"});
  EXPECT_EQ(KV_OK(kv().smembers("set")), StringList{"v"});
}

// ---- hashes --------------------------------------------------------------------------------

TEST_P(KvConformanceTest, Hashes) {
  EXPECT_EQ(KV_OK(kv().hget("h", "f")), std::nullopt);
  EXPECT_TRUE(KV_OK(kv().hkeys("h")).empty());
  EXPECT_TRUE(KV_OK(kv().hgetall("h")).empty());
  EXPECT_STATUS_OK(kv().hset("h", "a", "1"));
  EXPECT_STATUS_OK(kv().hset("h", "b", "2"));
  EXPECT_STATUS_OK(kv().hset("h", "a", "3"));  // overwrite
  EXPECT_EQ(KV_OK(kv().hget("h", "a")), "3");
  EXPECT_EQ(KV_OK(kv().hget("h", "zz")), std::nullopt);
  EXPECT_EQ(sorted(KV_OK(kv().hkeys("h"))), (StringList{"a", "b"}));
  EXPECT_EQ(KV_OK(kv().hgetall("h")), (StringMap{{"a", "3"}, {"b", "2"}}));
  EXPECT_STATUS_OK(kv().hdel("h", "a"));
  EXPECT_STATUS_OK(kv().hdel("h", "not-there"));
  EXPECT_STATUS_OK(kv().hdel("missing", "a"));
  EXPECT_EQ(KV_OK(kv().hgetall("h")), (StringMap{{"b", "2"}}));
  EXPECT_STATUS_OK(kv().hdel("h", "b"));  // the last field: the key goes
  EXPECT_FALSE(KV_OK(kv().exists("h")));
  EXPECT_TRUE(KV_OK(kv().keys("*")).empty());
}

// ---- lists ---------------------------------------------------------------------------------

TEST_P(KvConformanceTest, ListPushPopAndLength) {
  EXPECT_EQ(KV_OK(kv().lpop("l")), std::nullopt);
  EXPECT_EQ(KV_OK(kv().rpop("l")), std::nullopt);
  EXPECT_EQ(KV_OK(kv().llen("l")), 0);
  EXPECT_STATUS_OK(kv().rpush("l", "b"));
  EXPECT_STATUS_OK(kv().lpush("l", "a"));
  EXPECT_STATUS_OK(kv().rpush("l", "c"));
  EXPECT_EQ(all("l"), (StringList{"a", "b", "c"}));
  EXPECT_EQ(KV_OK(kv().llen("l")), 3);
  EXPECT_EQ(KV_OK(kv().lpop("l")), "a");
  EXPECT_EQ(KV_OK(kv().rpop("l")), "c");
  EXPECT_EQ(KV_OK(kv().rpop("l")), "b");  // the last element: the key goes
  EXPECT_FALSE(KV_OK(kv().exists("l")));
  EXPECT_EQ(KV_OK(kv().lpop("l")), std::nullopt);
}

TEST_P(KvConformanceTest, LrangeFollowsRedisIndexSemantics) {
  makeList("l", {"a", "b", "c", "d", "e"});
  auto range = [&](int64_t a, int64_t b) { return KV_OK(kv().lrange("l", a, b)); };
  EXPECT_EQ(range(0, -1), (StringList{"a", "b", "c", "d", "e"}));
  EXPECT_EQ(range(1, 2), (StringList{"b", "c"}));
  EXPECT_EQ(range(-2, -1), (StringList{"d", "e"}));
  EXPECT_EQ(range(-100, 1), (StringList{"a", "b"}));
  EXPECT_EQ(range(3, 100), (StringList{"d", "e"}));
  EXPECT_EQ(range(0, 0), StringList{"a"});
  EXPECT_EQ(range(-1, -1), StringList{"e"});
  EXPECT_EQ(range(5, 10), StringList{});
  EXPECT_EQ(range(3, 1), StringList{});
  EXPECT_EQ(range(-1, -2), StringList{});
  EXPECT_EQ(range(0, -6), StringList{});
  EXPECT_EQ(range(INT64_MIN, INT64_MAX), (StringList{"a", "b", "c", "d", "e"}));
  EXPECT_EQ(KV_OK(kv().lrange("missing", 0, -1)), StringList{});
}

TEST_P(KvConformanceTest, LindexOutOfRangeIsNullopt) {
  makeList("l", {"a", "b", "c"});
  EXPECT_EQ(KV_OK(kv().lindex("l", 0)), "a");
  EXPECT_EQ(KV_OK(kv().lindex("l", 2)), "c");
  EXPECT_EQ(KV_OK(kv().lindex("l", -1)), "c");
  EXPECT_EQ(KV_OK(kv().lindex("l", -3)), "a");
  EXPECT_EQ(KV_OK(kv().lindex("l", 3)), std::nullopt);
  EXPECT_EQ(KV_OK(kv().lindex("l", -4)), std::nullopt);
  EXPECT_EQ(KV_OK(kv().lindex("l", INT64_MAX)), std::nullopt);
  EXPECT_EQ(KV_OK(kv().lindex("l", INT64_MIN)), std::nullopt);
  EXPECT_EQ(KV_OK(kv().lindex("missing", 0)), std::nullopt);
}

TEST_P(KvConformanceTest, LremPositiveNegativeAndZeroCounts) {
  const StringList base = {"a", "b", "a", "c", "a", "b", "a"};
  makeList("l", base);
  EXPECT_EQ(KV_OK(kv().lrem("l", 2, "a")), 2);  // the first two, from the head
  EXPECT_EQ(all("l"), (StringList{"b", "c", "a", "b", "a"}));
  makeList("l", base);
  EXPECT_EQ(KV_OK(kv().lrem("l", -1, "a")), 1);  // the last one, from the tail
  EXPECT_EQ(all("l"), (StringList{"a", "b", "a", "c", "a", "b"}));
  makeList("l", base);
  EXPECT_EQ(KV_OK(kv().lrem("l", -3, "a")), 3);
  EXPECT_EQ(all("l"), (StringList{"a", "b", "c", "b"}));
  makeList("l", base);
  EXPECT_EQ(KV_OK(kv().lrem("l", 0, "a")), 4);  // all of them
  EXPECT_EQ(all("l"), (StringList{"b", "c", "b"}));
  EXPECT_EQ(KV_OK(kv().lrem("l", 100, "b")), 2);  // more than there are
  EXPECT_EQ(KV_OK(kv().lrem("l", 0, "zz")), 0);
  EXPECT_EQ(KV_OK(kv().lrem("l", 1, "c")), 1);  // the last element: the key goes
  EXPECT_FALSE(KV_OK(kv().exists("l")));
  EXPECT_EQ(KV_OK(kv().lrem("missing", 0, "a")), 0);
}

TEST_P(KvConformanceTest, LremWithExtremeCounts) {
  const StringList base = {"a", "b", "a", "c", "a"};
  makeList("l", base);
  EXPECT_EQ(KV_OK(kv().lrem("l", INT64_MAX, "a")), 3);
  EXPECT_EQ(all("l"), (StringList{"b", "c"}));
  makeList("l", base);
  // |INT64_MIN| exceeds any list: every match goes, as Redis does.
  EXPECT_EQ(KV_OK(kv().lrem("l", INT64_MIN, "a")), 3);
  EXPECT_EQ(all("l"), (StringList{"b", "c"}));
}

TEST_P(KvConformanceTest, LtrimEdgeCases) {
  const StringList base = {"a", "b", "c", "d", "e"};
  struct Case {
    int64_t start, stop;
    StringList want;
  };
  const Case cases[] = {
      {1, -2, {"b", "c", "d"}},
      {0, -1, base},
      {-100, 100, base},
      {INT64_MIN, INT64_MAX, base},
      {-1, -1, {"e"}},
      {0, 0, {"a"}},
      {-2, 100, {"d", "e"}},
      {3, 1, {}},
      {5, 10, {}},
      {0, -6, {}},
      {-1, -2, {}},
  };
  for (const auto& c : cases) {
    makeList("l", base);
    EXPECT_STATUS_OK(kv().ltrim("l", c.start, c.stop));
    EXPECT_EQ(all("l"), c.want) << "ltrim " << c.start << " " << c.stop;
    EXPECT_EQ(KV_OK(kv().exists("l")), !c.want.empty()) << "ltrim " << c.start << " " << c.stop;
  }
  EXPECT_STATUS_OK(kv().ltrim("missing", 0, 1));
  EXPECT_FALSE(KV_OK(kv().exists("missing")));
}

// ---- sets ----------------------------------------------------------------------------------

TEST_P(KvConformanceTest, Sets) {
  EXPECT_TRUE(KV_OK(kv().smembers("s")).empty());
  EXPECT_STATUS_OK(kv().sadd("s", "x"));
  EXPECT_STATUS_OK(kv().sadd("s", "y"));
  EXPECT_STATUS_OK(kv().sadd("s", "x"));  // no duplicates
  EXPECT_EQ(sorted(KV_OK(kv().smembers("s"))), (StringList{"x", "y"}));
  EXPECT_STATUS_OK(kv().srem("s", "x"));
  EXPECT_STATUS_OK(kv().srem("s", "not-a-member"));
  EXPECT_STATUS_OK(kv().srem("missing", "x"));
  EXPECT_EQ(KV_OK(kv().smembers("s")), StringList{"y"});
  EXPECT_STATUS_OK(kv().srem("s", "y"));  // the last member: the key goes
  EXPECT_FALSE(KV_OK(kv().exists("s")));
}

// ---- dump / restore ------------------------------------------------------------------------

TEST_P(KvConformanceTest, DumpRestoreRoundTripsEveryType) {
  EXPECT_STATUS_OK(kv().set("s", "text\0with nul"s, 0));
  EXPECT_STATUS_OK(kv().hset("h", "f1", "v1"));
  EXPECT_STATUS_OK(kv().hset("h", "f2", ""));
  makeList("l", {"x", "y", "x", ""});
  EXPECT_STATUS_OK(kv().sadd("z", "m1"));
  EXPECT_STATUS_OK(kv().sadd("z", "m2"));
  const std::string before = testutil::snapshot(kv());
  for (const char* k : {"s", "h", "l", "z"}) {
    auto d = KV_OK(kv().dump(k));
    ASSERT_TRUE(d.has_value()) << k;
    EXPECT_STATUS_OK(kv().del(k));
    EXPECT_TRUE(KV_OK(kv().restore(k, *d))) << k;
    EXPECT_TRUE(KV_OK(kv().restore(std::string(k) + ".copy", *d))) << k;
  }
  EXPECT_STATUS_OK(kv().set("extra", "x", 0));
  // Restoring replaces an existing key, whatever its type.
  auto d = KV_OK(kv().dump("l"));
  ASSERT_TRUE(d.has_value());
  EXPECT_TRUE(KV_OK(kv().restore("extra", *d)));
  EXPECT_EQ(all("extra"), (StringList{"x", "y", "x", ""}));
  EXPECT_STATUS_OK(kv().del("extra"));
  for (const char* k : {"s.copy", "h.copy", "l.copy", "z.copy"}) EXPECT_STATUS_OK(kv().del(k));
  EXPECT_EQ(testutil::snapshot(kv()), before);
  EXPECT_EQ(KV_OK(kv().dump("missing")), std::nullopt);
}

TEST_P(KvConformanceTest, RestoreOfGarbageIsFalseAndChangesNothing) {
  EXPECT_STATUS_OK(kv().set("k", "value", 0));
  auto good = KV_OK(kv().dump("k"));
  ASSERT_TRUE(good.has_value());
  ASSERT_GT(good->size(), 4u);
  std::string flipped = *good;
  flipped[flipped.size() / 2] ^= 0x5a;
  const std::string garbage[] = {"", "garbage", std::string(100, '\xff'),
                                 good->substr(0, good->size() - 1), flipped};
  for (const auto& g : garbage) {
    EXPECT_FALSE(KV_OK(kv().restore("k", g))) << testutil::quote(g);
    EXPECT_FALSE(KV_OK(kv().restore("other", g))) << testutil::quote(g);
  }
  EXPECT_EQ(KV_OK(kv().get("k")), "value");
  EXPECT_FALSE(KV_OK(kv().exists("other")));
}

// ---- whole store ---------------------------------------------------------------------------

TEST_P(KvConformanceTest, FlushAllEmptiesTheStore) {
  EXPECT_STATUS_OK(kv().set("s", "v", 0));
  EXPECT_STATUS_OK(kv().set("t", "v", 100));
  EXPECT_STATUS_OK(kv().hset("h", "f", "v"));
  EXPECT_STATUS_OK(kv().rpush("l", "v"));
  EXPECT_STATUS_OK(kv().sadd("z", "v"));
  EXPECT_EQ(KV_OK(kv().keys("*")).size(), 5u);
  EXPECT_STATUS_OK(kv().flushAll());
  EXPECT_TRUE(KV_OK(kv().keys("*")).empty());
  for (const char* k : {"s", "t", "h", "l", "z"}) EXPECT_FALSE(KV_OK(kv().exists(k))) << k;
  EXPECT_STATUS_OK(kv().set("s", "after", 0));  // usable afterwards
  EXPECT_EQ(KV_OK(kv().get("s")), "after");
}

TEST_P(KvConformanceTest, InfoNamesTheBackendAndCountsKeys) {
  EXPECT_STATUS_OK(kv().set("a", "1", 0));
  EXPECT_STATUS_OK(kv().sadd("b", "1"));
  const StoreInfo i = kv().info();
  EXPECT_EQ(i.backend, testutil::backendName(GetParam()));
  EXPECT_TRUE(i.connected);
  EXPECT_EQ(i.keys, 2u);
  EXPECT_FALSE(i.server_version.empty());
  EXPECT_FALSE(i.location.empty());
  EXPECT_EQ(i.reconnects, 0u);
}

INSTANTIATE_TEST_SUITE_P(Backends, KvConformanceTest,
                         ::testing::Values(Backend::kEmbedded, Backend::kRedis),
                         [](const ::testing::TestParamInfo<Backend>& i) {
                           return i.param == Backend::kEmbedded ? "Embedded" : "Redis";
                         });

}  // namespace
}  // namespace flowlens::store
