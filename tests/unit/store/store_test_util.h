#pragma once
// Helpers shared by the store tests: a temporary directory, one redis-server per test process,
// assertion macros for Result/Status, and printable forms of results (for the comparisons of
// the two backends).

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "core/result.h"
#include "redis_server.h"
#include "store/embedded_store.h"
#include "store/kv_store.h"
#include "store/redis_store.h"

namespace flowlens::store::testutil {

// A directory under /tmp, removed with its content on destruction.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/flowlens-store-test-XXXXXX";
    if (::mkdtemp(tmpl)) path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// The redis-server of this test process, started on first use and stopped at exit.
// Tests that use it flush it first; the fault test starts its own.
inline flowlens::testing::RedisServer& sharedRedis() {
  static flowlens::testing::RedisServer server;
  return server;
}

enum class Backend { kEmbedded, kRedis };

inline const char* backendName(Backend b) { return b == Backend::kEmbedded ? "embedded" : "redis"; }

// An empty store of either kind: embedded in a temporary directory, or on sharedRedis()
// (flushed). `error` says why there is none.
struct BackendUnderTest {
  TempDir dir;
  std::unique_ptr<KvStore> kv;
  std::string error;

  explicit BackendUnderTest(Backend b) {
    if (b == Backend::kEmbedded) {
      auto s = EmbeddedStore::open({dir.file("kv.sqlite")});
      if (!s) {
        error = s.error();
        return;
      }
      kv = std::move(s.value());
      return;
    }
    auto& server = sharedRedis();
    if (!server.ok()) {
      error = "redis-server did not start: " + server.error();
      return;
    }
    RedisStore::Config config;
    config.endpoint = server.endpoint();
    kv = std::make_unique<RedisStore>(config);
    if (Status st = kv->flushAll(); !st) error = "FLUSHDB failed: " + st.error();
  }
};

// The value of a Result, or a recorded failure and a default value.
template <typename T>
T okValue(Result<T> r, const char* expr, const char* file, int line) {
  if (!r.ok()) {
    ADD_FAILURE_AT(file, line) << expr << " failed: " << r.error();
    return T{};
  }
  return std::move(r).value();
}
#define KV_OK(expr) ::flowlens::store::testutil::okValue((expr), #expr, __FILE__, __LINE__)
#define EXPECT_STATUS_OK(expr)                                    \
  do {                                                            \
    const ::flowlens::Status st_ = (expr);                        \
    EXPECT_TRUE(st_.ok()) << #expr << " failed: " << st_.error(); \
  } while (0)

// An error whose message contains `needle` (works for Status and any Result<T>).
template <typename R>
::testing::AssertionResult failsWith(const R& r, const std::string& needle) {
  if (r.ok())
    return ::testing::AssertionFailure() << "succeeded; expected an error with " << needle;
  if (r.error().find(needle) == std::string::npos) {
    return ::testing::AssertionFailure() << "error '" << r.error() << "' lacks '" << needle << "'";
  }
  return ::testing::AssertionSuccess();
}
#define EXPECT_WRONGTYPE(expr) \
  EXPECT_TRUE(::flowlens::store::testutil::failsWith((expr), "WRONGTYPE"))

inline StringList sorted(StringList v) {
  std::sort(v.begin(), v.end());
  return v;
}

// Printable, bounded rendering of a byte string.
inline std::string quote(std::string_view s) {
  std::string out = "\"";
  const size_t shown = std::min<size_t>(s.size(), 48);
  for (size_t i = 0; i < shown; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out += static_cast<char>(c);
    } else {
      char b[8];
      std::snprintf(b, sizeof(b), "\\x%02x", c);
      out += b;
    }
  }
  if (shown < s.size()) out += "...(" + std::to_string(s.size()) + " bytes)";
  return out + "\"";
}

inline std::string show(const Status& s) { return s.ok() ? "ok" : "error(" + s.error() + ")"; }
inline std::string show(const Result<MaybeString>& r) {
  if (!r.ok()) return "error(" + r.error() + ")";
  return *r ? quote(**r) : "nil";
}
inline std::string show(const Result<bool>& r) {
  if (!r.ok()) return "error(" + r.error() + ")";
  return *r ? "true" : "false";
}
inline std::string show(const Result<int64_t>& r) {
  if (!r.ok()) return "error(" + r.error() + ")";
  return std::to_string(*r);
}
// Lists keep their order unless `sort` (sets, key and field names).
inline std::string show(const Result<StringList>& r, bool sort) {
  if (!r.ok()) return "error(" + r.error() + ")";
  std::string out = "[";
  for (const auto& s : sort ? sorted(*r) : *r) out += (out.size() > 1 ? "," : "") + quote(s);
  return out + "]";
}
inline std::string show(const Result<StringMap>& r) {
  if (!r.ok()) return "error(" + r.error() + ")";
  std::string out = "{";
  for (const auto& [k, v] : *r) out += (out.size() > 1 ? "," : "") + quote(k) + "=" + quote(v);
  return out + "}";
}

// Every key with its type and content, in key order: equal snapshots mean equal stores.
inline std::string snapshot(KvStore& kv) {
  auto keys = kv.keys("*");
  if (!keys.ok()) return "keys failed: " + keys.error();
  std::string out;
  for (const auto& k : sorted(*keys)) {
    out += quote(k) + " -> ";
    if (auto s = kv.get(k); s.ok()) {
      out += "string " + show(s);
    } else if (auto h = kv.hgetall(k); h.ok()) {
      out += "hash " + show(h);
    } else if (auto l = kv.lrange(k, 0, -1); l.ok()) {
      out += "list " + show(l, false);
    } else {
      out += "set " + show(kv.smembers(k), true);
    }
    out += "\n";
  }
  return out;
}

}  // namespace flowlens::store::testutil
