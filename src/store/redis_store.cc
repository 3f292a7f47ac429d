#include "store/redis_store.h"

#include <hiredis/hiredis.h>

#include <poll.h>
#include <sys/time.h>

#include "core/log.h"

namespace flowlens::store {
namespace {

timeval toTimeval(std::chrono::milliseconds ms) {
  timeval tv;
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

std::string replyString(const redisReply* r) { return std::string(r->str, r->len); }

}  // namespace

void RedisStore::ReplyDeleter::operator()(redisReply* r) const { freeReplyObject(r); }

RedisStore::RedisStore(Config config) : config_(std::move(config)) {
  const RedisEndpoint& e = config_.endpoint;
  location_ = e.unix_socket.empty() ? e.host + ":" + std::to_string(e.port) : e.unix_socket;
  location_ += "@" + std::to_string(e.db);
  for (size_t i = 0; i < std::max<size_t>(1, config_.pool_size); ++i) {
    pool_.push_back(std::make_unique<Connection>());
  }
}

RedisStore::~RedisStore() {
  for (auto& c : pool_) {
    if (c->ctx) redisFree(c->ctx);
  }
}

void RedisStore::markDown(const std::string& why) {
  std::lock_guard<std::mutex> lock(state_mu_);
  last_error_ = why;
  if (!down_) {
    down_ = true;
    backoff_ = std::chrono::milliseconds(100);
    log::error("Redis {} unreachable: {} (retrying in the background)", location_, why);
  } else {
    backoff_ = std::min(backoff_ * 2, std::chrono::milliseconds(5000));
  }
  next_attempt_ = std::chrono::steady_clock::now() + backoff_;
}

void RedisStore::markUp() {
  std::lock_guard<std::mutex> lock(state_mu_);
  if (down_) {
    down_ = false;
    ++reconnects_;
    log::normal("Redis {} reachable again", location_);
  }
}

Status RedisStore::connect(Connection& c) {
  {
    std::lock_guard<std::mutex> lock(state_mu_);
    if (down_ && std::chrono::steady_clock::now() < next_attempt_) {
      return Error{"redis unavailable: " + last_error_, true};
    }
  }
  if (c.ctx) {
    redisFree(c.ctx);
    c.ctx = nullptr;
  }
  const RedisEndpoint& e = config_.endpoint;
  const timeval ct = toTimeval(config_.connect_timeout);
  redisContext* ctx = e.unix_socket.empty()
                          ? redisConnectWithTimeout(e.host.c_str(), e.port, ct)
                          : redisConnectUnixWithTimeout(e.unix_socket.c_str(), ct);
  if (!ctx || ctx->err) {
    std::string why = ctx ? ctx->errstr : "out of memory";
    if (ctx) redisFree(ctx);
    markDown(why);
    return Error{"redis unavailable: " + why, true};
  }
  redisSetTimeout(ctx, toTimeval(config_.command_timeout));
  auto setup = [&](std::initializer_list<std::string> args) -> std::string {
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (const auto& a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    auto* r = static_cast<redisReply*>(
        redisCommandArgv(ctx, static_cast<int>(argv.size()), argv.data(), lens.data()));
    std::string err = !r ? std::string(ctx->errstr)
                         : (r->type == REDIS_REPLY_ERROR ? replyString(r) : std::string());
    if (r) freeReplyObject(r);
    return err;
  };
  std::string err;
  if (!e.password.empty()) err = setup({"AUTH", e.password});
  if (err.empty() && e.db != 0) err = setup({"SELECT", std::to_string(e.db)});
  if (err.empty()) err = setup({"PING"});  // a stopped server still accepts connections
  if (!err.empty()) {
    redisFree(ctx);
    markDown(err);
    return Error{"redis: " + err, true};
  }
  c.ctx = ctx;
  markUp();
  return Status::Ok();
}

Result<RedisStore::Reply> RedisStore::command(std::initializer_list<std::string_view> args) {
  {  // while the server is known to be down, every call fails at once until the next attempt
    std::lock_guard<std::mutex> state(state_mu_);
    if (down_ && std::chrono::steady_clock::now() < next_attempt_) {
      return Error{"redis unavailable: " + last_error_, true};
    }
  }
  Connection& c = *pool_[next_.fetch_add(1, std::memory_order_relaxed) % pool_.size()];
  std::lock_guard<std::mutex> lock(c.mu);
  // An idle Redis connection never has anything to read: if this one is readable, the server
  // closed it (a restart while we were idle). Open a fresh one instead of failing a command.
  if (c.ctx && !c.ctx->err) {
    pollfd p{c.ctx->fd, POLLIN, 0};
    if (poll(&p, 1, 0) > 0) {
      redisFree(c.ctx);
      c.ctx = nullptr;
    }
  }
  if (!c.ctx || c.ctx->err) {
    if (Status st = connect(c); !st) return Error{st.error(), true};
  }
  const char* argv[8];
  size_t lens[8];
  int argc = 0;
  for (auto a : args) {
    argv[argc] = a.data();
    lens[argc++] = a.size();
  }
  auto* r = static_cast<redisReply*>(redisCommandArgv(c.ctx, argc, argv, lens));
  if (!r) {
    std::string why = c.ctx->errstr;
    redisFree(c.ctx);
    c.ctx = nullptr;
    markDown(why);
    return Error{"redis: " + why, true};
  }
  Reply reply(r);
  if (r->type == REDIS_REPLY_ERROR) return Error{replyString(r)};
  return reply;
}

bool RedisStore::ping() {
  auto r = command({"PING"});
  return r.ok();
}

Status RedisStore::expectOk(Result<Reply> r) {
  if (!r) return Error{r.error(), r.unavailable()};
  return Status::Ok();
}

Result<MaybeString> RedisStore::optionalString(Result<Reply> r) {
  if (!r) return Error{r.error(), r.unavailable()};
  const redisReply* x = r->get();
  if (x->type == REDIS_REPLY_NIL) return MaybeString();
  if (x->type == REDIS_REPLY_STRING || x->type == REDIS_REPLY_STATUS) {
    return MaybeString(replyString(x));
  }
  if (x->type == REDIS_REPLY_INTEGER) return MaybeString(std::to_string(x->integer));
  return Error{"redis: unexpected reply type"};
}

Result<StringList> RedisStore::stringList(Result<Reply> r) {
  if (!r) return Error{r.error(), r.unavailable()};
  const redisReply* x = r->get();
  StringList out;
  if (x->type != REDIS_REPLY_ARRAY) return out;
  for (size_t i = 0; i < x->elements; ++i) {
    if (x->element[i]->type == REDIS_REPLY_STRING) out.push_back(replyString(x->element[i]));
  }
  return out;
}

Result<int64_t> RedisStore::integer(Result<Reply> r) {
  if (!r) return Error{r.error(), r.unavailable()};
  if ((*r)->type != REDIS_REPLY_INTEGER) return Error{"redis: expected an integer reply"};
  return static_cast<int64_t>((*r)->integer);
}

Result<MaybeString> RedisStore::get(std::string_view key) {
  return optionalString(command({"GET", key}));
}

Status RedisStore::set(std::string_view key, std::string_view value, int64_t ttl_s) {
  if (ttl_s > 0) {
    const std::string ttl = std::to_string(std::min(ttl_s, kMaxTtlSeconds));
    return expectOk(command({"SET", key, value, "EX", ttl}));
  }
  return expectOk(command({"SET", key, value}));
}

Result<bool> RedisStore::setnx(std::string_view key, std::string_view value) {
  auto r = command({"SET", key, value, "NX"});
  if (!r) return Error{r.error(), r.unavailable()};
  return (*r)->type != REDIS_REPLY_NIL;
}

Status RedisStore::del(std::string_view key) { return expectOk(command({"DEL", key})); }

Status RedisStore::rename(std::string_view from, std::string_view to) {
  return expectOk(command({"RENAME", from, to}));
}

Result<int64_t> RedisStore::incrBy(std::string_view key, int64_t by) {
  return integer(command({"INCRBY", key, std::to_string(by)}));
}

Status RedisStore::flushAll() { return expectOk(command({"FLUSHDB"})); }

Result<StringList> RedisStore::keys(std::string_view pattern) {
  // SCAN rather than KEYS: never blocks the server on a large database.
  StringList out;
  std::string cursor = "0";
  do {
    auto r = command({"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"});
    if (!r) return Error{r.error(), r.unavailable()};
    const redisReply* x = r->get();
    if (x->type != REDIS_REPLY_ARRAY || x->elements != 2) return Error{"redis: bad SCAN reply"};
    cursor = replyString(x->element[0]);
    const redisReply* batch = x->element[1];
    for (size_t i = 0; i < batch->elements; ++i) out.push_back(replyString(batch->element[i]));
  } while (cursor != "0");
  return out;
}

Result<bool> RedisStore::exists(std::string_view key) {
  auto n = integer(command({"EXISTS", key}));
  if (!n) return Error{n.error(), n.unavailable()};
  return *n > 0;
}

Result<MaybeString> RedisStore::dump(std::string_view key) {
  return optionalString(command({"DUMP", key}));
}

Result<bool> RedisStore::restore(std::string_view key, std::string_view dump) {
  auto r = command({"RESTORE", key, "0", dump, "REPLACE"});
  if (r) return true;
  // A payload Redis rejects is a "no"; a transport failure is an error.
  if (r.unavailable()) return Error{r.error(), true};
  return false;
}

Result<MaybeString> RedisStore::hget(std::string_view key, std::string_view field) {
  return optionalString(command({"HGET", key, field}));
}

Status RedisStore::hset(std::string_view key, std::string_view field, std::string_view value) {
  return expectOk(command({"HSET", key, field, value}));
}

Status RedisStore::hdel(std::string_view key, std::string_view field) {
  return expectOk(command({"HDEL", key, field}));
}

Result<StringList> RedisStore::hkeys(std::string_view key) {
  return stringList(command({"HKEYS", key}));
}

Result<StringMap> RedisStore::hgetall(std::string_view key) {
  auto list = stringList(command({"HGETALL", key}));
  if (!list) return Error{list.error(), list.unavailable()};
  StringMap out;
  for (size_t i = 0; i + 1 < list->size(); i += 2) out[(*list)[i]] = (*list)[i + 1];
  return out;
}

Status RedisStore::lpush(std::string_view key, std::string_view value) {
  return expectOk(command({"LPUSH", key, value}));
}

Status RedisStore::rpush(std::string_view key, std::string_view value) {
  return expectOk(command({"RPUSH", key, value}));
}

Result<MaybeString> RedisStore::lpop(std::string_view key) {
  return optionalString(command({"LPOP", key}));
}

Result<MaybeString> RedisStore::rpop(std::string_view key) {
  return optionalString(command({"RPOP", key}));
}

Result<int64_t> RedisStore::lrem(std::string_view key, int64_t count, std::string_view value) {
  return integer(command({"LREM", key, std::to_string(count), value}));
}

Status RedisStore::ltrim(std::string_view key, int64_t start, int64_t stop) {
  return expectOk(command({"LTRIM", key, std::to_string(start), std::to_string(stop)}));
}

Result<StringList> RedisStore::lrange(std::string_view key, int64_t start, int64_t stop) {
  return stringList(command({"LRANGE", key, std::to_string(start), std::to_string(stop)}));
}

Result<int64_t> RedisStore::llen(std::string_view key) { return integer(command({"LLEN", key})); }

Result<MaybeString> RedisStore::lindex(std::string_view key, int64_t index) {
  return optionalString(command({"LINDEX", key, std::to_string(index)}));
}

Status RedisStore::sadd(std::string_view key, std::string_view member) {
  return expectOk(command({"SADD", key, member}));
}

Status RedisStore::srem(std::string_view key, std::string_view member) {
  return expectOk(command({"SREM", key, member}));
}

Result<StringList> RedisStore::smembers(std::string_view key) {
  return stringList(command({"SMEMBERS", key}));
}

StoreInfo RedisStore::info() {
  StoreInfo i;
  i.backend = "redis";
  i.location = location_;
  auto size = integer(command({"DBSIZE"}));
  i.connected = size.ok();
  if (size) i.keys = static_cast<uint64_t>(*size);
  if (auto r = optionalString(command({"INFO"})); r && *r) {
    auto field = [&](const std::string& name) -> std::string {
      const auto pos = (*r)->find(name + ":");
      if (pos == std::string::npos) return "";
      const auto start = pos + name.size() + 1;
      return (*r)->substr(start, (*r)->find('\r', start) - start);
    };
    i.server_version = "Redis " + field("redis_version");
    i.memory_bytes = std::strtoull(field("used_memory").c_str(), nullptr, 10);
  }
  std::lock_guard<std::mutex> lock(state_mu_);
  i.reconnects = reconnects_;
  i.last_error = last_error_;
  return i;
}

}  // namespace flowlens::store
