#include "store/value_cache.h"

#include <algorithm>

namespace flowlens::store {

size_t Value::bytes() const {
  size_t n = sizeof(Value) + s.size();
  for (const auto& [k, v] : table) n += k.bytes() + v.bytes();
  return n;
}

std::shared_ptr<const Value> ValueCache::get(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = map_.find(key);
  if (it == map_.end()) {
    ++stats_.misses;
    return nullptr;
  }
  if (std::chrono::steady_clock::now() >= it->second.expires) {
    ++stats_.expirations;
    ++stats_.misses;
    eraseLocked(it);
    return nullptr;
  }
  lru_.splice(lru_.begin(), lru_, it->second.lru);
  ++stats_.hits;
  return it->second.value;
}

bool ValueCache::set(const std::string& key, Value value, int64_t ttl_s) {
  const size_t bytes = value.bytes() + key.size() + 64;
  if (bytes > max_bytes_) return false;
  auto shared = std::make_shared<const Value>(std::move(value));
  constexpr int64_t kMaxTtl = 100LL * 365 * 86400;  // more would overflow the clock
  const auto expires = ttl_s > 0 ? std::chrono::steady_clock::now() +
                                       std::chrono::seconds(std::min(ttl_s, kMaxTtl))
                                 : std::chrono::steady_clock::time_point::max();
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = map_.find(key); it != map_.end()) eraseLocked(it);
  while (bytes_ + bytes > max_bytes_ && !lru_.empty()) {
    ++stats_.evictions;
    eraseLocked(map_.find(lru_.back()));
  }
  lru_.push_front(key);
  map_.emplace(key, Entry{std::move(shared), bytes, expires, lru_.begin()});
  bytes_ += bytes;
  return true;
}

void ValueCache::erase(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = map_.find(key); it != map_.end()) eraseLocked(it);
}

void ValueCache::eraseLocked(std::unordered_map<std::string, Entry>::iterator it) {
  bytes_ -= it->second.bytes;
  lru_.erase(it->second.lru);
  map_.erase(it);
}

std::vector<std::pair<std::string, std::shared_ptr<const Value>>> ValueCache::snapshot() {
  std::lock_guard<std::mutex> lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  std::vector<std::pair<std::string, std::shared_ptr<const Value>>> out;
  for (const auto& [k, e] : map_) {
    if (now < e.expires) out.emplace_back(k, e.value);
  }
  return out;
}

ValueCache::Stats ValueCache::stats() {
  std::lock_guard<std::mutex> lock(mu_);
  Stats s = stats_;
  s.entries = map_.size();
  s.bytes = bytes_;
  return s;
}

}  // namespace flowlens::store
