#pragma once
// KvStore on a Redis server (-r host[:port[:password]][@db] or /socket[@db]) through hiredis.
// A small pool of blocking connections, each used by one caller at a time. Commands time out;
// while the server is unreachable calls fail at once (reconnects are attempted with exponential
// backoff, 100 ms to 5 s) and one line is logged per outage. Thread-safe.

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/options.h"
#include "store/kv_store.h"

struct redisContext;
struct redisReply;

namespace flowlens::store {

class RedisStore final : public KvStore {
 public:
  struct Config {
    RedisEndpoint endpoint;
    size_t pool_size = 4;
    std::chrono::milliseconds connect_timeout{1000};
    std::chrono::milliseconds command_timeout{1000};
  };
  // Connects lazily: a server that is down at start-up is retried on use.
  explicit RedisStore(Config config);
  ~RedisStore() override;

  // True when a PING answers now.
  bool ping();

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

 private:
  struct ReplyDeleter {
    void operator()(redisReply* r) const;
  };
  using Reply = std::unique_ptr<redisReply, ReplyDeleter>;
  struct Connection {
    std::mutex mu;
    redisContext* ctx = nullptr;
  };

  // Runs one command; an error reply ("WRONGTYPE ...") or a transport failure is an Error.
  Result<Reply> command(std::initializer_list<std::string_view> args);
  Status connect(Connection& c);
  void markDown(const std::string& why);
  void markUp();
  Status expectOk(Result<Reply> r);
  Result<MaybeString> optionalString(Result<Reply> r);
  Result<StringList> stringList(Result<Reply> r);
  Result<int64_t> integer(Result<Reply> r);

  Config config_;
  std::string location_;
  std::vector<std::unique_ptr<Connection>> pool_;
  std::atomic<size_t> next_{0};

  std::mutex state_mu_;
  bool down_ = false;
  std::chrono::steady_clock::time_point next_attempt_{};
  std::chrono::milliseconds backoff_{100};
  uint64_t reconnects_ = 0;
  std::string last_error_;
};

}  // namespace flowlens::store
