#include "store/cache_service.h"

namespace flowlens::store {
namespace {

constexpr const char* kOpNames[] = {
    "num_get",    "num_set",    "num_setnx",   "num_del",     "num_rename",  "num_incr",
    "num_flush",  "num_keys",   "num_dump",    "num_restore", "num_hget",    "num_hset",
    "num_hdel",   "num_hkeys",  "num_hgetall", "num_lpush",   "num_rpush",   "num_lpop",
    "num_rpop",   "num_lrem",   "num_ltrim",   "num_lrange",  "num_llen",    "num_lindex",
    "num_sadd",   "num_srem",   "num_smembers",
};
static_assert(sizeof(kOpNames) / sizeof(kOpNames[0]) == static_cast<int>(Op::kCount));

// Defaults written by reloadPreferences(true) for preferences that have no value.
constexpr std::pair<const char*, const char*> kDefaultPrefs[] = {
    {"ntopng.prefs.housekeeping_frequency", "5"},
    {"ntopng.prefs.max_ui_strlen", "24"},
    {"ntopng.prefs.active_local_hosts_cache_interval", "3600"},
};

}  // namespace

CacheService::CacheService(std::unique_ptr<KvStore> store) : store_(std::move(store)) {}

std::vector<std::pair<std::string, uint64_t>> CacheService::counters() const {
  std::vector<std::pair<std::string, uint64_t>> out;
  for (int i = 0; i < static_cast<int>(Op::kCount); ++i) {
    out.emplace_back(kOpNames[i], counters_[i].load(std::memory_order_relaxed));
  }
  return out;
}

std::string CacheService::prefKey(std::string_view name) {
  if (name.rfind(kPrefPrefix, 0) == 0) return std::string(name);
  return kPrefPrefix + std::string(name);
}

Result<MaybeString> CacheService::getPref(std::string_view name) {
  const std::string key = prefKey(name);
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> lock(prefs_mu_);
    auto it = prefs_.find(key);
    if (it != prefs_.end() && now - it->second.at < kPrefCacheTtl) return it->second.value;
  }
  const uint64_t generation = generation_.load();
  count(Op::kGet);
  auto v = store_->get(key);
  if (!v) return v;
  std::lock_guard<std::mutex> lock(prefs_mu_);
  if (generation_.load() == generation) prefs_[key] = Cached{*v, now};
  return v;
}

Status CacheService::setPref(std::string_view name, std::string_view value) {
  const std::string key = prefKey(name);
  count(Op::kSet);
  noteWrite(key);  // before and after: no overlapping read caches the old value
  Status st = store_->set(key, value, 0);
  noteWrite(key);
  return st;
}

Result<StringMap> CacheService::allPrefs() {
  count(Op::kKeys);
  auto keys = store_->keys(std::string(kPrefPrefix) + "*");
  if (!keys) return Error{keys.error(), keys.unavailable()};
  StringMap out;
  const size_t plen = std::string_view(kPrefPrefix).size();
  for (const auto& k : *keys) {
    count(Op::kGet);
    auto v = store_->get(k);
    if (v && *v) out[k.substr(plen)] = **v;  // hashes and lists under the prefix are skipped
  }
  return out;
}

void CacheService::noteWrite(std::string_view key) {
  if (key.rfind(kPrefPrefix, 0) != 0) return;
  std::lock_guard<std::mutex> lock(prefs_mu_);
  generation_.fetch_add(1);
  prefs_.erase(std::string(key));
}

void CacheService::invalidatePrefs() {
  std::lock_guard<std::mutex> lock(prefs_mu_);
  generation_.fetch_add(1);
  prefs_.clear();
}

Status CacheService::setDefaultPrefs() {
  for (const auto& [key, value] : kDefaultPrefs) {
    count(Op::kSetnx);
    auto r = store_->setnx(key, value);
    if (!r) return Error{r.error(), r.unavailable()};
  }
  invalidatePrefs();
  return Status::Ok();
}

}  // namespace flowlens::store
