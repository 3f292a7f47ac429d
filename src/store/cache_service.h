#pragma once
// The store as the Lua bindings see it: the KvStore backend, per-command counters for
// ntop.getCacheStats(), and preferences (ntopng.prefs.<name>) read through an in-process cache
// so hot paths do not pay a round trip per read. Writes made through this service invalidate
// the cached preference at once; the cache also expires entries after a few seconds, for writers
// that bypass flowlens (another client of the same Redis). Thread-safe.

#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "store/kv_store.h"

namespace flowlens::store {

enum class Op : int {
  kGet, kSet, kSetnx, kDel, kRename, kIncr, kFlush, kKeys, kDump, kRestore,
  kHget, kHset, kHdel, kHkeys, kHgetall,
  kLpush, kRpush, kLpop, kRpop, kLrem, kLtrim, kLrange, kLlen, kLindex,
  kSadd, kSrem, kSmembers, kCount
};

class CacheService {
 public:
  static constexpr const char* kPrefPrefix = "ntopng.prefs.";
  static constexpr std::chrono::seconds kPrefCacheTtl{5};

  explicit CacheService(std::unique_ptr<KvStore> store);

  KvStore& store() { return *store_; }
  void count(Op op) { counters_[static_cast<int>(op)].fetch_add(1, std::memory_order_relaxed); }
  // {"num_get", n}, ... in Op order.
  std::vector<std::pair<std::string, uint64_t>> counters() const;

  // "my_pref" and "ntopng.prefs.my_pref" both name ntopng.prefs.my_pref.
  static std::string prefKey(std::string_view name);
  Result<MaybeString> getPref(std::string_view name);
  Status setPref(std::string_view name, std::string_view value);
  // Every preference, by name without the prefix.
  Result<StringMap> allPrefs();
  // Keeps cached preferences coherent with writes made through the generic API.
  void noteWrite(std::string_view key);
  void invalidatePrefs();
  // Writes the defaults of preferences that have no value yet.
  Status setDefaultPrefs();

 private:
  struct Cached {
    MaybeString value;
    std::chrono::steady_clock::time_point at;
  };
  std::unique_ptr<KvStore> store_;
  std::array<std::atomic<uint64_t>, static_cast<int>(Op::kCount)> counters_{};
  std::mutex prefs_mu_;
  std::unordered_map<std::string, Cached> prefs_;
  // Bumped by every write: a read that overlapped one does not cache what it read.
  std::atomic<uint64_t> generation_{0};
};

}  // namespace flowlens::store
