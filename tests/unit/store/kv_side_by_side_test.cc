// Both KvStore backends side by side: the same operations on an EmbeddedStore and on a
// RedisStore (a redis-server this process starts), every answer compared, and the whole
// contents compared from time to time. Redis is the reference; the first difference is reported
// with the operation that produced it.

#include <gtest/gtest.h>

#include <climits>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "store/kv_store.h"
#include "store_test_util.h"

namespace flowlens::store {
namespace {

using namespace std::string_literals;  // NOLINT(build/namespaces)
using testutil::Backend;
using testutil::BackendUnderTest;
using testutil::show;

// One operation: what it is, and how to run it on a store (rendering the answer as text).
struct Step {
  std::string what;
  std::function<std::string(KvStore&)> run;
};

// Runs steps on both stores and keeps the first step whose answers differ.
class SideBySide {
 public:
  SideBySide(KvStore& embedded, KvStore& redis) : a_(embedded), b_(redis) {}

  void run(const Step& step) {
    ++steps_;
    if (!first_difference_.empty()) return;
    const std::string x = step.run(a_), y = step.run(b_);
    if (x != y) {
      first_difference_ = "step " + std::to_string(steps_) + ": " + step.what +
                          "\n  embedded: " + x + "\n  redis:    " + y;
    }
  }
  void compareContents(const std::string& when) {
    if (!first_difference_.empty()) return;
    const std::string x = testutil::snapshot(a_), y = testutil::snapshot(b_);
    if (x != y) {
      first_difference_ = "contents differ " + when + "\n-- embedded:\n" + x + "-- redis:\n" + y;
    }
  }
  const std::string& firstDifference() const { return first_difference_; }

 private:
  KvStore& a_;
  KvStore& b_;
  int steps_ = 0;
  std::string first_difference_;
};

class KvConformanceBothBackends : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(embedded_.error.empty()) << embedded_.error;
    ASSERT_TRUE(redis_.error.empty()) << redis_.error;
  }
  BackendUnderTest embedded_{Backend::kEmbedded};
  BackendUnderTest redis_{Backend::kRedis};
};

std::string q(std::string_view s) { return testutil::quote(s); }
std::string n(int64_t i) { return std::to_string(i); }

// A fixed script touching every operation and its edge cases.
TEST_F(KvConformanceBothBackends, ScriptedSequenceGivesIdenticalAnswers) {
  SideBySide s(*embedded_.kv, *redis_.kv);
  const std::vector<Step> steps = {
      {"set k v", [](KvStore& kv) { return show(kv.set("k", "v", 0)); }},
      {"get k", [](KvStore& kv) { return show(kv.get("k")); }},
      {"setnx k", [](KvStore& kv) { return show(kv.setnx("k", "w")); }},
      {"setnx n", [](KvStore& kv) { return show(kv.setnx("n", "10")); }},
      {"incrBy n 5", [](KvStore& kv) { return show(kv.incrBy("n", 5)); }},
      {"incrBy k 1", [](KvStore& kv) { return show(kv.incrBy("k", 1)); }},
      {"rename missing", [](KvStore& kv) { return show(kv.rename("nope", "x")); }},
      {"rename k k2", [](KvStore& kv) { return show(kv.rename("k", "k2")); }},
      {"hset k2 f v", [](KvStore& kv) { return show(kv.hset("k2", "f", "v")); }},
      {"hset h f v", [](KvStore& kv) { return show(kv.hset("h", "f", "v")); }},
      {"hset h g w", [](KvStore& kv) { return show(kv.hset("h", "g", "w")); }},
      {"hkeys h", [](KvStore& kv) { return show(kv.hkeys("h"), true); }},
      {"hgetall h", [](KvStore& kv) { return show(kv.hgetall("h")); }},
      {"get h", [](KvStore& kv) { return show(kv.get("h")); }},
      {"hdel h f", [](KvStore& kv) { return show(kv.hdel("h", "f")); }},
      {"hget h g", [](KvStore& kv) { return show(kv.hget("h", "g")); }},
      {"rpush l a b a c a",
       [](KvStore& kv) {
         std::string out;
         for (const char* v : {"a", "b", "a", "c", "a"}) out += show(kv.rpush("l", v));
         return out;
       }},
      {"lpush m a b a c a",
       [](KvStore& kv) {
         std::string out;
         for (const char* v : {"a", "b", "a", "c", "a"}) out += show(kv.lpush("m", v));
         return out;
       }},
      {"lrem l -2 a", [](KvStore& kv) { return show(kv.lrem("l", -2, "a")); }},
      {"lrange l", [](KvStore& kv) { return show(kv.lrange("l", 0, -1), false); }},
      {"lrange m -3 -2", [](KvStore& kv) { return show(kv.lrange("m", -3, -2), false); }},
      {"ltrim m 1 -2", [](KvStore& kv) { return show(kv.ltrim("m", 1, -2)); }},
      {"lindex m -1", [](KvStore& kv) { return show(kv.lindex("m", -1)); }},
      {"lindex m 9", [](KvStore& kv) { return show(kv.lindex("m", 9)); }},
      {"llen m", [](KvStore& kv) { return show(kv.llen("m")); }},
      {"lpop m", [](KvStore& kv) { return show(kv.lpop("m")); }},
      {"rpop m", [](KvStore& kv) { return show(kv.rpop("m")); }},
      {"sadd z 1", [](KvStore& kv) { return show(kv.sadd("z", "1")); }},
      {"sadd z 2", [](KvStore& kv) { return show(kv.sadd("z", "2")); }},
      {"srem z 1", [](KvStore& kv) { return show(kv.srem("z", "1")); }},
      {"smembers z", [](KvStore& kv) { return show(kv.smembers("z"), true); }},
      {"sadd l", [](KvStore& kv) { return show(kv.sadd("l", "x")); }},
      {"lpush z", [](KvStore& kv) { return show(kv.lpush("z", "x")); }},
      {"exists z", [](KvStore& kv) { return show(kv.exists("z")); }},
      {"keys *", [](KvStore& kv) { return show(kv.keys("*"), true); }},
      {"keys ?", [](KvStore& kv) { return show(kv.keys("?"), true); }},
      {"keys [hl]*", [](KvStore& kv) { return show(kv.keys("[hl]*"), true); }},
      {"dump h, restore h.copy",
       [](KvStore& kv) {
         auto d = kv.dump("h");
         if (!d.ok() || !*d) return show(d);
         return show(kv.restore("h.copy", **d)) + " " + show(kv.hgetall("h.copy"));
       }},
      {"restore garbage", [](KvStore& kv) { return show(kv.restore("g", "nonsense")); }},
  };
  for (const auto& step : steps) s.run(step);
  s.compareContents("after the script");
  s.run({"flushAll", [](KvStore& kv) { return show(kv.flushAll()); }});
  s.run({"keys * after flushAll", [](KvStore& kv) { return show(kv.keys("*"), true); }});
  EXPECT_EQ(s.firstDifference(), "");
}

// The arguments of one random step.
struct OpArgs {
  std::string k, k2, f, v, pattern;
  int64_t a, b, by, count;
};

// Every operation, as a step built from random arguments (weights by repetition).
const std::vector<std::function<Step(const OpArgs&)>>& randomOps() {
  using A = const OpArgs&;
  static const std::vector<std::function<Step(const OpArgs&)>> ops = {
      [](A x) {
        return Step{"get " + x.k, [=](KvStore& kv) { return show(kv.get(x.k)); }};
      },
      [](A x) {
        return Step{"set " + x.k + " " + q(x.v),
                    [=](KvStore& kv) { return show(kv.set(x.k, x.v, 0)); }};
      },
      [](A x) {
        return Step{"setnx " + x.k + " " + q(x.v),
                    [=](KvStore& kv) { return show(kv.setnx(x.k, x.v)); }};
      },
      [](A x) {
        return Step{"del " + x.k, [=](KvStore& kv) { return show(kv.del(x.k)); }};
      },
      [](A x) {
        return Step{"rename " + x.k + " " + x.k2,
                    [=](KvStore& kv) { return show(kv.rename(x.k, x.k2)); }};
      },
      [](A x) {
        return Step{"incrBy " + x.k + " " + n(x.by),
                    [=](KvStore& kv) { return show(kv.incrBy(x.k, x.by)); }};
      },
      [](A x) {
        return Step{"keys " + x.pattern,
                    [=](KvStore& kv) { return show(kv.keys(x.pattern), true); }};
      },
      [](A x) {
        return Step{"exists " + x.k, [=](KvStore& kv) { return show(kv.exists(x.k)); }};
      },
      [](A x) {
        return Step{"dump " + x.k + ", restore " + x.k2, [=](KvStore& kv) {
                      auto d = kv.dump(x.k);
                      if (!d.ok() || !*d) return show(d);
                      return show(kv.restore(x.k2, **d));
                    }};
      },
      [](A x) {
        return Step{"hget " + x.k + " " + q(x.f),
                    [=](KvStore& kv) { return show(kv.hget(x.k, x.f)); }};
      },
      [](A x) {
        return Step{"hset " + x.k + " " + q(x.f) + " " + q(x.v),
                    [=](KvStore& kv) { return show(kv.hset(x.k, x.f, x.v)); }};
      },
      [](A x) {
        return Step{"hdel " + x.k + " " + q(x.f),
                    [=](KvStore& kv) { return show(kv.hdel(x.k, x.f)); }};
      },
      [](A x) {
        return Step{"hkeys " + x.k, [=](KvStore& kv) { return show(kv.hkeys(x.k), true); }};
      },
      [](A x) {
        return Step{"hgetall " + x.k, [=](KvStore& kv) { return show(kv.hgetall(x.k)); }};
      },
      [](A x) {
        return Step{"lpush " + x.k + " " + q(x.v),
                    [=](KvStore& kv) { return show(kv.lpush(x.k, x.v)); }};
      },
      [](A x) {
        return Step{"rpush " + x.k + " " + q(x.v),
                    [=](KvStore& kv) { return show(kv.rpush(x.k, x.v)); }};
      },
      [](A x) {
        return Step{"lpop " + x.k, [=](KvStore& kv) { return show(kv.lpop(x.k)); }};
      },
      [](A x) {
        return Step{"rpop " + x.k, [=](KvStore& kv) { return show(kv.rpop(x.k)); }};
      },
      [](A x) {
        return Step{"lrem " + x.k + " " + n(x.count) + " " + q(x.v),
                    [=](KvStore& kv) { return show(kv.lrem(x.k, x.count, x.v)); }};
      },
      [](A x) {
        return Step{"ltrim " + x.k + " " + n(x.a) + " " + n(x.b),
                    [=](KvStore& kv) { return show(kv.ltrim(x.k, x.a, x.b)); }};
      },
      [](A x) {
        return Step{"lrange " + x.k + " " + n(x.a) + " " + n(x.b),
                    [=](KvStore& kv) { return show(kv.lrange(x.k, x.a, x.b), false); }};
      },
      [](A x) {
        return Step{"llen " + x.k, [=](KvStore& kv) { return show(kv.llen(x.k)); }};
      },
      [](A x) {
        return Step{"lindex " + x.k + " " + n(x.a),
                    [=](KvStore& kv) { return show(kv.lindex(x.k, x.a)); }};
      },
      [](A x) {
        return Step{"sadd " + x.k + " " + q(x.v),
                    [=](KvStore& kv) { return show(kv.sadd(x.k, x.v)); }};
      },
      [](A x) {
        return Step{"srem " + x.k + " " + q(x.v),
                    [=](KvStore& kv) { return show(kv.srem(x.k, x.v)); }};
      },
      [](A x) {
        return Step{"smembers " + x.k, [=](KvStore& kv) { return show(kv.smembers(x.k), true); }};
      },
  };
  return ops;
}

// A long pseudo-random sequence (fixed seed) over a few keys, so that keys change type, lists
// empty and refill, counters meet text: every answer and the contents must agree.
TEST_F(KvConformanceBothBackends, RandomSequenceGivesIdenticalAnswers) {
  SideBySide s(*embedded_.kv, *redis_.kv);
  std::mt19937 rng(20240611);
  auto pick = [&](const auto& v) { return v[rng() % std::size(v)]; };
  const std::string keys[] = {"k0", "k1", "k2", "k3", "ntopng.prefs.p"};
  const std::string fields[] = {"f0", "f1", ""};
  // Text, a NUL byte, UTF-8, and strings Redis does and does not take for integers.
  std::vector<std::string> values = {"a", "b", "x\0y"s, "ü", ""};
  for (int64_t i : {int64_t{1}, int64_t{-1}, int64_t{42}, INT64_MAX, INT64_MIN}) {
    values.push_back(std::to_string(i));
  }
  values.insert(values.end(), {"007", "-0"});
  const int64_t indices[] = {0, 1, 2, 3, -1, -2, -3, 7, -7, INT64_MAX, INT64_MIN};
  const int64_t increments[] = {1, -1, 0, 5, INT64_MAX, INT64_MIN};
  const int64_t counts[] = {0, 1, 2, -1, -2, 100, -100, INT64_MAX};
  const std::string patterns[] = {"*", "k?", "k[0-1]", "k[^0]", "ntopng.*", "\\k*", "k[13]"};
  const auto& ops = randomOps();
  for (int i = 0; i < 4000 && s.firstDifference().empty(); ++i) {
    const OpArgs args{pick(keys),    pick(keys),    pick(fields),     pick(values), pick(patterns),
                      pick(indices), pick(indices), pick(increments), pick(counts)};
    s.run(ops[rng() % ops.size()](args));
    if (i % 100 == 99) s.compareContents("after step " + std::to_string(i + 1));
  }
  s.compareContents("at the end");
  EXPECT_EQ(s.firstDifference(), "");
}

}  // namespace
}  // namespace flowlens::store
