#pragma once
// The key-value store behind spec sections 5 and 6, with Redis's data model: strings, hashes,
// lists and sets, TTLs, glob key patterns. Two backends pass one conformance suite:
// RedisStore (hiredis, chosen with -r) and EmbeddedStore (in-process, persisted to SQLite).
//
// Errors are values: a wrong type ("WRONGTYPE ..."), a lost connection or a timeout come back
// as an Error, never as an exception. Implementations are thread-safe.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace flowlens::store {

using MaybeString = std::optional<std::string>;
using StringList = std::vector<std::string>;
using StringMap = std::map<std::string, std::string>;

// The longest TTL accepted (100 years): larger values are clamped, as both backends must agree.
inline constexpr int64_t kMaxTtlSeconds = 100LL * 365 * 86400;

struct StoreInfo {
  std::string backend;      // "redis" or "embedded"
  std::string location;     // host:port/db, socket path, or the SQLite file
  bool connected = false;
  uint64_t keys = 0;
  uint64_t memory_bytes = 0;
  std::string server_version;
  uint64_t reconnects = 0;
  std::string last_error;
};

class KvStore {
 public:
  virtual ~KvStore() = default;

  // Strings. ttl_s: 0 = no expiry; positive: seconds (clamped to kMaxTtlSeconds).
  virtual Result<MaybeString> get(std::string_view key) = 0;
  virtual Status set(std::string_view key, std::string_view value, int64_t ttl_s) = 0;
  virtual Result<bool> setnx(std::string_view key, std::string_view value) = 0;
  virtual Status del(std::string_view key) = 0;
  virtual Status rename(std::string_view from, std::string_view to) = 0;
  virtual Result<int64_t> incrBy(std::string_view key, int64_t by) = 0;
  virtual Status flushAll() = 0;
  // Keys matching a Redis glob pattern (* ? [a-z] [^x] \x), in no particular order.
  virtual Result<StringList> keys(std::string_view pattern) = 0;
  virtual Result<bool> exists(std::string_view key) = 0;
  // An opaque serialisation of the key's value (Redis DUMP format for Redis), nullopt if absent.
  virtual Result<MaybeString> dump(std::string_view key) = 0;
  // Replaces the key with a dump's value; false when the dump is not valid.
  virtual Result<bool> restore(std::string_view key, std::string_view dump) = 0;

  // Hashes.
  virtual Result<MaybeString> hget(std::string_view key, std::string_view field) = 0;
  virtual Status hset(std::string_view key, std::string_view field, std::string_view value) = 0;
  virtual Status hdel(std::string_view key, std::string_view field) = 0;
  virtual Result<StringList> hkeys(std::string_view key) = 0;
  virtual Result<StringMap> hgetall(std::string_view key) = 0;

  // Lists (Redis index semantics: negative indices count from the tail).
  virtual Status lpush(std::string_view key, std::string_view value) = 0;
  virtual Status rpush(std::string_view key, std::string_view value) = 0;
  virtual Result<MaybeString> lpop(std::string_view key) = 0;
  virtual Result<MaybeString> rpop(std::string_view key) = 0;
  virtual Result<int64_t> lrem(std::string_view key, int64_t count, std::string_view value) = 0;
  virtual Status ltrim(std::string_view key, int64_t start, int64_t stop) = 0;
  virtual Result<StringList> lrange(std::string_view key, int64_t start, int64_t stop) = 0;
  virtual Result<int64_t> llen(std::string_view key) = 0;
  virtual Result<MaybeString> lindex(std::string_view key, int64_t index) = 0;

  // Sets.
  virtual Status sadd(std::string_view key, std::string_view member) = 0;
  virtual Status srem(std::string_view key, std::string_view member) = 0;
  virtual Result<StringList> smembers(std::string_view key) = 0;

  virtual StoreInfo info() = 0;
  // Makes every change so far durable (the embedded store writes its pending changes).
  virtual Status sync() { return Status::Ok(); }
};

// Redis's glob matching (KEYS/SCAN MATCH): * ? [abc] [^a] [a-z] and backslash escapes.
bool globMatch(std::string_view pattern, std::string_view text);

}  // namespace flowlens::store
