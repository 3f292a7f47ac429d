#pragma once
// The process-wide in-memory cache of spec section 32, shared by every Lua state. It holds
// plain values by value (nil, booleans, integers, numbers, strings and tables of them), with an
// optional TTL, bounded in memory: past the budget the least recently used entries are evicted.
// Readers get an immutable shared snapshot of the value, so copying it into Lua needs no lock.
// Thread-safe.

#include <chrono>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace flowlens::store {

struct Value {
  enum class Kind : uint8_t { kNil, kBool, kInt, kNumber, kString, kTable };
  Kind kind = Kind::kNil;
  bool b = false;
  int64_t i = 0;
  double d = 0;
  std::string s;
  std::vector<std::pair<Value, Value>> table;

  size_t bytes() const;  // an estimate of the memory it holds
};

class ValueCache {
 public:
  explicit ValueCache(size_t max_bytes = 64u << 20) : max_bytes_(max_bytes) {}

  std::shared_ptr<const Value> get(const std::string& key);
  // ttl_s <= 0: no expiry. A value larger than the whole budget is refused (returns false).
  bool set(const std::string& key, Value value, int64_t ttl_s);
  void erase(const std::string& key);
  std::vector<std::pair<std::string, std::shared_ptr<const Value>>> snapshot();

  struct Stats {
    size_t entries = 0, bytes = 0;
    uint64_t hits = 0, misses = 0, evictions = 0, expirations = 0;
  };
  Stats stats();

 private:
  struct Entry {
    std::shared_ptr<const Value> value;
    size_t bytes;
    std::chrono::steady_clock::time_point expires;  // max() = never
    std::list<std::string>::iterator lru;
  };
  void eraseLocked(std::unordered_map<std::string, Entry>::iterator it);

  const size_t max_bytes_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> map_;
  std::list<std::string> lru_;  // front = most recently used
  size_t bytes_ = 0;
  Stats stats_;
};

}  // namespace flowlens::store
