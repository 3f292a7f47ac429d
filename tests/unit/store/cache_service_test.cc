// CacheService: preference names, the preference cache and its invalidation, defaults, and the
// per-command counters behind ntop.getCacheStats().

#include "store/cache_service.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <string>
#include <thread>

#include "store/embedded_store.h"
#include "store_test_util.h"

namespace flowlens::store {
namespace {

using std::chrono::milliseconds;

// Forwards to an EmbeddedStore; get() can be held after it has read its value, to put a
// concurrent write between a preference read and the caching of its result.
class HoldableStore final : public KvStore {
 public:
  explicit HoldableStore(std::unique_ptr<KvStore> inner) : inner_(std::move(inner)) {}

  // The next get() of `key` signals `read` once it has its value, then waits for release().
  void holdNextGet(std::string key) {
    std::lock_guard<std::mutex> l(mu_);
    hold_key_ = std::move(key);
    read_ = false;
    released_ = false;
  }
  bool waitUntilRead(milliseconds timeout) {
    std::unique_lock<std::mutex> l(mu_);
    return cv_.wait_for(l, timeout, [&] { return read_; });
  }
  void release() {
    std::lock_guard<std::mutex> l(mu_);
    released_ = true;
    cv_.notify_all();
  }

  Result<MaybeString> get(std::string_view key) override {
    auto r = inner_->get(key);
    std::unique_lock<std::mutex> l(mu_);
    if (!hold_key_.empty() && key == hold_key_) {
      hold_key_.clear();
      read_ = true;
      cv_.notify_all();
      cv_.wait_for(l, milliseconds(5000), [&] { return released_; });
    }
    return r;
  }
  Status set(std::string_view k, std::string_view v, int64_t t) override {
    return inner_->set(k, v, t);
  }
  Result<bool> setnx(std::string_view k, std::string_view v) override {
    return inner_->setnx(k, v);
  }
  Status del(std::string_view k) override { return inner_->del(k); }
  Status rename(std::string_view a, std::string_view b) override { return inner_->rename(a, b); }
  Result<int64_t> incrBy(std::string_view k, int64_t by) override { return inner_->incrBy(k, by); }
  Status flushAll() override { return inner_->flushAll(); }
  Result<StringList> keys(std::string_view p) override { return inner_->keys(p); }
  Result<bool> exists(std::string_view k) override { return inner_->exists(k); }
  Result<MaybeString> dump(std::string_view k) override { return inner_->dump(k); }
  Result<bool> restore(std::string_view k, std::string_view d) override {
    return inner_->restore(k, d);
  }
  Result<MaybeString> hget(std::string_view k, std::string_view f) override {
    return inner_->hget(k, f);
  }
  Status hset(std::string_view k, std::string_view f, std::string_view v) override {
    return inner_->hset(k, f, v);
  }
  Status hdel(std::string_view k, std::string_view f) override { return inner_->hdel(k, f); }
  Result<StringList> hkeys(std::string_view k) override { return inner_->hkeys(k); }
  Result<StringMap> hgetall(std::string_view k) override { return inner_->hgetall(k); }
  Status lpush(std::string_view k, std::string_view v) override { return inner_->lpush(k, v); }
  Status rpush(std::string_view k, std::string_view v) override { return inner_->rpush(k, v); }
  Result<MaybeString> lpop(std::string_view k) override { return inner_->lpop(k); }
  Result<MaybeString> rpop(std::string_view k) override { return inner_->rpop(k); }
  Result<int64_t> lrem(std::string_view k, int64_t c, std::string_view v) override {
    return inner_->lrem(k, c, v);
  }
  Status ltrim(std::string_view k, int64_t a, int64_t b) override { return inner_->ltrim(k, a, b); }
  Result<StringList> lrange(std::string_view k, int64_t a, int64_t b) override {
    return inner_->lrange(k, a, b);
  }
  Result<int64_t> llen(std::string_view k) override { return inner_->llen(k); }
  Result<MaybeString> lindex(std::string_view k, int64_t i) override {
    return inner_->lindex(k, i);
  }
  Status sadd(std::string_view k, std::string_view m) override { return inner_->sadd(k, m); }
  Status srem(std::string_view k, std::string_view m) override { return inner_->srem(k, m); }
  Result<StringList> smembers(std::string_view k) override { return inner_->smembers(k); }
  StoreInfo info() override { return inner_->info(); }

 private:
  std::unique_ptr<KvStore> inner_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::string hold_key_;
  bool read_ = false;
  bool released_ = false;
};

class CacheServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = EmbeddedStore::open({dir_.file("store.sqlite")});
    ASSERT_TRUE(s.ok()) << s.error();
    auto holdable = std::make_unique<HoldableStore>(std::move(s.value()));
    holdable_ = holdable.get();
    service_ = std::make_unique<CacheService>(std::move(holdable));
  }
  CacheService& svc() { return *service_; }
  KvStore& kv() { return service_->store(); }  // writes here bypass the service's bookkeeping
  uint64_t counter(const std::string& name) {
    for (const auto& [n, v] : svc().counters()) {
      if (n == name) return v;
    }
    ADD_FAILURE() << "no counter " << name;
    return 0;
  }

  testutil::TempDir dir_;
  HoldableStore* holdable_ = nullptr;
  std::unique_ptr<CacheService> service_;
};

TEST(CacheServicePrefKey, NormalisesNamesToOneKey) {
  EXPECT_EQ(CacheService::prefKey("my_pref"), "ntopng.prefs.my_pref");
  EXPECT_EQ(CacheService::prefKey("ntopng.prefs.my_pref"), "ntopng.prefs.my_pref");
  EXPECT_EQ(CacheService::prefKey(""), "ntopng.prefs.");
  EXPECT_EQ(CacheService::prefKey("ntopng.prefs."), "ntopng.prefs.");
  EXPECT_EQ(CacheService::prefKey("ntopng.prefsx"), "ntopng.prefs.ntopng.prefsx");
  EXPECT_EQ(CacheService::prefKey("ntopng.prefs"), "ntopng.prefs.ntopng.prefs");
  EXPECT_EQ(CacheService::prefKey("NTOPNG.PREFS.x"), "ntopng.prefs.NTOPNG.PREFS.x");
  EXPECT_EQ(CacheService::prefKey("a.ntopng.prefs.b"), "ntopng.prefs.a.ntopng.prefs.b");
  EXPECT_EQ(CacheService::prefKey("ünï"), "ntopng.prefs.ünï");
}

TEST_F(CacheServiceTest, SetPrefAndGetPrefUseThePrefixedKey) {
  EXPECT_EQ(KV_OK(svc().getPref("x")), std::nullopt);
  EXPECT_STATUS_OK(svc().setPref("x", "1"));
  EXPECT_EQ(KV_OK(svc().getPref("x")), "1");
  EXPECT_EQ(KV_OK(svc().getPref("ntopng.prefs.x")), "1");
  EXPECT_EQ(KV_OK(kv().get("ntopng.prefs.x")), "1");
  EXPECT_STATUS_OK(svc().setPref("ntopng.prefs.y", ""));
  EXPECT_EQ(KV_OK(kv().get("ntopng.prefs.y")), "");
  EXPECT_EQ(KV_OK(svc().getPref("y")), "");
  EXPECT_FALSE(KV_OK(kv().exists("ntopng.prefs.ntopng.prefs.y")));
}

TEST_F(CacheServiceTest, PreferencesAreCachedUntilAWriteIsNoted) {
  EXPECT_STATUS_OK(svc().setPref("p", "old"));
  EXPECT_EQ(KV_OK(svc().getPref("p")), "old");
  const uint64_t gets = counter("num_get");
  EXPECT_STATUS_OK(kv().set("ntopng.prefs.p", "new", 0));  // behind the service's back
  EXPECT_EQ(KV_OK(svc().getPref("p")), "old");             // served from the cache
  EXPECT_EQ(counter("num_get"), gets);                     // without a store read
  svc().noteWrite("ntopng.prefs.p");
  EXPECT_EQ(KV_OK(svc().getPref("p")), "new");
  EXPECT_EQ(counter("num_get"), gets + 1);
}

TEST_F(CacheServiceTest, AnAbsentPreferenceIsCachedAndInvalidatedToo) {
  EXPECT_EQ(KV_OK(svc().getPref("later")), std::nullopt);
  EXPECT_STATUS_OK(kv().set("ntopng.prefs.later", "1", 0));
  EXPECT_EQ(KV_OK(svc().getPref("later")), std::nullopt);
  svc().noteWrite("ntopng.prefs.later");
  EXPECT_EQ(KV_OK(svc().getPref("later")), "1");
  EXPECT_STATUS_OK(svc().setPref("later", "2"));  // setPref notes its own write
  EXPECT_EQ(KV_OK(svc().getPref("later")), "2");
}

TEST_F(CacheServiceTest, NoteWriteIgnoresOtherKeysAndInvalidatePrefsDropsAll) {
  EXPECT_STATUS_OK(svc().setPref("a", "1"));
  EXPECT_STATUS_OK(svc().setPref("b", "1"));
  EXPECT_EQ(KV_OK(svc().getPref("a")), "1");
  EXPECT_EQ(KV_OK(svc().getPref("b")), "1");
  EXPECT_STATUS_OK(kv().set("ntopng.prefs.a", "2", 0));
  EXPECT_STATUS_OK(kv().set("ntopng.prefs.b", "2", 0));
  svc().noteWrite("a");                    // a bare name is not a preference key
  svc().noteWrite("ntopng.user.admin.x");  // nor is another key
  EXPECT_EQ(KV_OK(svc().getPref("a")), "1");
  svc().invalidatePrefs();
  EXPECT_EQ(KV_OK(svc().getPref("a")), "2");
  EXPECT_EQ(KV_OK(svc().getPref("b")), "2");
}

TEST_F(CacheServiceTest, TheCacheExpiresForWritersThatBypassTheService) {
  // Before the cache is filled: a stall after the fill cannot make the expiry look early.
  const auto start = std::chrono::steady_clock::now();
  EXPECT_STATUS_OK(svc().setPref("p", "old"));
  EXPECT_EQ(KV_OK(svc().getPref("p")), "old");
  EXPECT_STATUS_OK(kv().set("ntopng.prefs.p", "new", 0));
  const auto limit = CacheService::kPrefCacheTtl + std::chrono::seconds(2);
  std::string seen = "old";
  while (std::chrono::steady_clock::now() - start < limit) {
    seen = KV_OK(svc().getPref("p")).value_or("<nil>");
    if (seen == "new") break;
    std::this_thread::sleep_for(milliseconds(100));
  }
  EXPECT_EQ(seen, "new");
  EXPECT_GE(std::chrono::steady_clock::now() - start,
            CacheService::kPrefCacheTtl - milliseconds(200));
}

// setPref completes while a concurrent getPref holds the value it read before: the reader must
// not put that stale value in the cache, or getPref returns it after setPref has returned.
TEST_F(CacheServiceTest, AWriteDuringAPrefReadIsNotHiddenByTheCache) {
  EXPECT_STATUS_OK(svc().setPref("race", "old"));
  holdable_->holdNextGet("ntopng.prefs.race");
  auto reader = std::async(std::launch::async, [&] { return svc().getPref("race"); });
  ASSERT_TRUE(holdable_->waitUntilRead(milliseconds(5000)));
  EXPECT_STATUS_OK(svc().setPref("race", "new"));  // the write completes first
  holdable_->release();
  auto r = reader.get();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "old");                            // that read began before the write: fine
  EXPECT_EQ(KV_OK(svc().getPref("race")), "new");  // but nothing read later may be stale
}

TEST_F(CacheServiceTest, AllPrefsListsStringPreferencesWithoutThePrefix) {
  EXPECT_STATUS_OK(svc().setPref("a", "1"));
  EXPECT_STATUS_OK(svc().setPref("b.c", ""));
  EXPECT_STATUS_OK(kv().hset("ntopng.prefs.hash", "f", "v"));  // not a string: left out
  EXPECT_STATUS_OK(kv().set("ntopng.user.admin.x", "1", 0));   // not a preference
  EXPECT_EQ(KV_OK(svc().allPrefs()), (StringMap{{"a", "1"}, {"b.c", ""}}));
}

TEST_F(CacheServiceTest, SetDefaultPrefsOnlyFillsMissingValues) {
  EXPECT_STATUS_OK(svc().setPref("max_ui_strlen", "99"));
  EXPECT_EQ(KV_OK(svc().getPref("housekeeping_frequency")), std::nullopt);  // now cached
  EXPECT_STATUS_OK(svc().setDefaultPrefs());
  EXPECT_EQ(KV_OK(svc().getPref("max_ui_strlen")), "99");
  EXPECT_EQ(KV_OK(svc().getPref("housekeeping_frequency")), "5");
  EXPECT_EQ(KV_OK(svc().getPref("active_local_hosts_cache_interval")), "3600");
  EXPECT_STATUS_OK(svc().setPref("housekeeping_frequency", "7"));
  EXPECT_STATUS_OK(svc().setDefaultPrefs());  // idempotent: values stay
  EXPECT_EQ(KV_OK(svc().getPref("housekeeping_frequency")), "7");
}

TEST_F(CacheServiceTest, CountersAreNamedInOpOrderAndCount) {
  const auto c = svc().counters();
  ASSERT_EQ(c.size(), static_cast<size_t>(Op::kCount));
  EXPECT_EQ(c.front().first, "num_get");
  EXPECT_EQ(c[static_cast<int>(Op::kHget)].first, "num_hget");
  EXPECT_EQ(c[static_cast<int>(Op::kLindex)].first, "num_lindex");
  EXPECT_EQ(c.back().first, "num_smembers");
  for (const auto& [name, n] : c) EXPECT_EQ(n, 0u) << name;
  svc().count(Op::kLrem);
  svc().count(Op::kLrem);
  svc().count(Op::kSadd);
  EXPECT_EQ(counter("num_lrem"), 2u);
  EXPECT_EQ(counter("num_sadd"), 1u);
  EXPECT_EQ(counter("num_srem"), 0u);
  EXPECT_STATUS_OK(svc().setPref("x", "1"));
  EXPECT_EQ(counter("num_set"), 1u);
  EXPECT_EQ(KV_OK(svc().getPref("x")), "1");
  EXPECT_EQ(counter("num_get"), 1u);
  EXPECT_EQ(KV_OK(svc().getPref("x")), "1");  // a cache hit costs no store read
  EXPECT_EQ(counter("num_get"), 1u);
  (void)KV_OK(svc().allPrefs());
  EXPECT_EQ(counter("num_keys"), 1u);
  EXPECT_STATUS_OK(svc().setDefaultPrefs());
  EXPECT_EQ(counter("num_setnx"), 3u);
}

TEST_F(CacheServiceTest, CountersAreSafeAcrossThreads) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) svc().count(Op::kIncr);
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(counter("num_incr"), 40000u);
}

}  // namespace
}  // namespace flowlens::store
