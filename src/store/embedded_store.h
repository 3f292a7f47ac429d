#pragma once
// The default store when -r is not given: no server to run. Every key lives in memory (reads
// never touch the disk); keys changed since the last flush are written to an SQLite file in the
// data directory (WAL mode) every second and at shutdown, in one transaction. A kill -9 thus
// loses at most the last second of writes and never leaves a file that fails to open.
// A lock file keeps two processes from sharing one store. Thread-safe.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "store/kv_store.h"

struct sqlite3;

namespace flowlens::store {

// Lets unordered containers of std::string be searched with a string_view, without a copy.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
template <typename V>
using StringKeyMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;
using StringKeySet = std::unordered_set<std::string, StringHash, std::equal_to<>>;

class EmbeddedStore final : public KvStore {
 public:
  struct Config {
    std::string path;  // the SQLite file
    std::chrono::milliseconds flush_interval{1000};
  };
  static Result<std::unique_ptr<EmbeddedStore>> open(const Config& config);
  ~EmbeddedStore() override;

  // Writes every pending change now (also done every flush_interval and on destruction).
  Status flushToDisk();

  Result<MaybeString> get(std::string_view key) override;
  Status set(std::string_view key, std::string_view value, int64_t ttl_s) override;
  Result<bool> setnx(std::string_view key, std::string_view value) override;
  Status del(std::string_view key) override;
  Status rename(std::string_view from, std::string_view to) override;
  Result<int64_t> incrBy(std::string_view key, int64_t by) override;
  Status flushAll() override;
  Result<StringList> keys(std::string_view pattern) override;
  Result<bool> exists(std::string_view key) override;
  Result<MaybeString> dump(std::string_view key) override;
  Result<bool> restore(std::string_view key, std::string_view dump) override;
  Result<MaybeString> hget(std::string_view key, std::string_view field) override;
  Status hset(std::string_view key, std::string_view field, std::string_view value) override;
  Status hdel(std::string_view key, std::string_view field) override;
  Result<StringList> hkeys(std::string_view key) override;
  Result<StringMap> hgetall(std::string_view key) override;
  Status lpush(std::string_view key, std::string_view value) override;
  Status rpush(std::string_view key, std::string_view value) override;
  Result<MaybeString> lpop(std::string_view key) override;
  Result<MaybeString> rpop(std::string_view key) override;
  Result<int64_t> lrem(std::string_view key, int64_t count, std::string_view value) override;
  Status ltrim(std::string_view key, int64_t start, int64_t stop) override;
  Result<StringList> lrange(std::string_view key, int64_t start, int64_t stop) override;
  Result<int64_t> llen(std::string_view key) override;
  Result<MaybeString> lindex(std::string_view key, int64_t index) override;
  Status sadd(std::string_view key, std::string_view member) override;
  Status srem(std::string_view key, std::string_view member) override;
  Result<StringList> smembers(std::string_view key) override;
  StoreInfo info() override;
  Status sync() override { return flushToDisk(); }

  enum class Type : uint8_t { kString = 1, kHash = 2, kList = 3, kSet = 4 };
  struct Entry {
    Type type = Type::kString;
    std::string str;
    StringKeyMap<std::string> hash;
    std::deque<std::string> list;
    StringKeySet set;
    int64_t expire_ms = 0;  // wall clock, 0 = never
  };
  static std::string encode(const Entry& e);
  static std::optional<Entry> decode(Type type, std::string_view blob);

 private:
  explicit EmbeddedStore(Config config);
  Status openFile();
  Status load();
  void flusherLoop();

  // Under mu_ (shared or unique): the live entry, or nullptr when missing or expired.
  const Entry* find(std::string_view key) const;
  // Under unique mu_: the entry to modify, created with `type` when missing; Error on WRONGTYPE.
  Result<Entry*> upsert(std::string_view key, Type type);
  void touch(std::string_view key) { dirty_.emplace(key); }
  void eraseIfEmpty(std::string_view key, Entry* e);

  Config config_;
  mutable std::shared_mutex mu_;
  StringKeyMap<Entry> map_;
  StringKeySet dirty_;
  bool clear_all_ = false;

  std::mutex db_mu_;  // serialises flushes (their order is the order on disk)
  sqlite3* db_ = nullptr;
  int lock_fd_ = -1;
  std::string last_error_;

  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread flusher_;
};

}  // namespace flowlens::store
