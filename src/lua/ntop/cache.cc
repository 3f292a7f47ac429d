// Spec section 5: Redis / Cache, on whichever KvStore backend runs (Redis or embedded).
// A failed operation (wrong type, store unreachable) returns nil/false and logs one line.

#include "core/log.h"
#include "lua/args.h"
#include "lua/registry.h"
#include "lua/state.h"
#include "store/cache_service.h"

namespace flowlens::lua::ntop {
namespace {

using store::Op;

store::CacheService& cache(lua_State* L) { return *LuaState::from(L)->services().cache; }

// Password hashes, TOTP secrets, API tokens and session values: an unprivileged user's script
// (perhaps passing a request parameter as a key) must not read them through the cache API.
bool credentialKey(std::string_view key) {
  auto ends = [&](std::string_view suffix) {
    return key.size() > suffix.size() && key.substr(key.size() - suffix.size()) == suffix;
  };
  return (key.rfind("ntopng.user.", 0) == 0 &&
          (ends(".password") || ends(".totp_secret") || ends(".api_token"))) ||
         key.rfind("sessions.", 0) == 0 || key == "ntopng.api_tokens";
}

// True (after logging) when the run may not read `key`.
bool hidden(lua_State* L, const char* fn, std::string_view key) {
  if (LuaState::from(L)->context().isAdministrator() || !credentialKey(key)) return false;
  failWithNil(L, fn, "credentials are readable by administrators only");
  lua_pop(L, 1);
  return true;
}

store::KvStore& kv(lua_State* L, Op op) {
  cache(L).count(op);
  return cache(L).store();
}

void pushMaybe(lua_State* L, const store::MaybeString& v) {
  if (v) pushString(L, *v);
  else lua_pushnil(L);
}

// Pushes the value, or nil and a log line.
int pushResult(lua_State* L, const char* fn, const Result<store::MaybeString>& r) {
  if (!r) return failWithNil(L, fn, r.error(), r.unavailable());
  pushMaybe(L, *r);
  return 1;
}

int noResult(lua_State* L, const char* fn, const Status& st) {
  if (!st) {
    failWithNil(L, fn, st.error(), st.unavailable());
    lua_pop(L, 1);
  }
  return 0;
}

int boolResult(lua_State* L, const char* fn, const Result<bool>& r) {
  if (!r) {
    failWithNil(L, fn, r.error(), r.unavailable());
    lua_pop(L, 1);
    lua_pushboolean(L, 0);
    return 1;
  }
  lua_pushboolean(L, *r);
  return 1;
}

int pushArray(lua_State* L, const char* fn, const Result<store::StringList>& r) {
  if (!r) return failWithNil(L, fn, r.error(), r.unavailable());
  lua_createtable(L, static_cast<int>(r->size()), 0);
  int i = 0;
  for (const auto& s : *r) {
    pushString(L, s);
    lua_rawseti(L, -2, ++i);
  }
  return 1;
}

// {name = true, ...}: how ntopng returns key and field names, so pairs() yields the names.
int pushNameSet(lua_State* L, const char* fn, const Result<store::StringList>& r) {
  if (!r) return failWithNil(L, fn, r.error(), r.unavailable());
  lua_createtable(L, 0, static_cast<int>(r->size()));
  for (const auto& s : *r) {
    pushString(L, s);
    lua_pushboolean(L, 1);
    lua_rawset(L, -3);
  }
  return 1;
}

int64_t ttlArg(const Args& a, int arg) {
  const int64_t ttl = a.optInteger(arg, "ttl").value_or(0);
  if (ttl < 0) a.fail("argument #" + std::to_string(arg) + " (ttl) must be >= 0");
  return ttl;
}

// ---- strings --------------------------------------------------------------------------------

int getCache(lua_State* L) {
  Args a(L, "ntop.getCache");
  const auto key = a.string(1, "key");
  if (hidden(L, "ntop.getCache", key)) return lua_pushnil(L), 1;
  return pushResult(L, "ntop.getCache", kv(L, Op::kGet).get(key));
}

int setCache(lua_State* L) {
  Args a(L, "ntop.setCache");
  const auto key = a.string(1, "key");
  const auto value = a.string(2, "value");
  const int64_t ttl = ttlArg(a, 3);
  Status st = kv(L, Op::kSet).set(key, value, ttl);
  cache(L).noteWrite(key);
  return noResult(L, "ntop.setCache", st);
}

int setnxCache(lua_State* L) {
  Args a(L, "ntop.setnxCache");
  const auto key = a.string(1, "key");
  auto r = kv(L, Op::kSetnx).setnx(key, a.string(2, "value"));
  cache(L).noteWrite(key);
  return boolResult(L, "ntop.setnxCache", r);
}

int delCache(lua_State* L) {
  Args a(L, "ntop.delCache");
  const auto key = a.string(1, "key");
  Status st = kv(L, Op::kDel).del(key);
  cache(L).noteWrite(key);
  return noResult(L, "ntop.delCache", st);
}

int renameCache(lua_State* L) {
  Args a(L, "ntop.renameCache");
  const auto from = a.string(1, "old");
  const auto to = a.string(2, "new");
  Status st = kv(L, Op::kRename).rename(from, to);
  cache(L).noteWrite(from);
  cache(L).noteWrite(to);
  return noResult(L, "ntop.renameCache", st);
}

int incrCache(lua_State* L) {
  Args a(L, "ntop.incrCache");
  const auto key = a.string(1, "key");
  auto r = kv(L, Op::kIncr).incrBy(key, a.optInteger(2, "n").value_or(1));
  cache(L).noteWrite(key);
  if (!r) return failWithNil(L, "ntop.incrCache", r.error(), r.unavailable());
  lua_pushinteger(L, *r);
  return 1;
}

int flushCache(lua_State* L) {
  if (!LuaState::from(L)->context().isAdministrator()) {
    failWithNil(L, "ntop.flushCache", "administrators only");
    lua_pushboolean(L, 0);
    return 1;
  }
  Status st = kv(L, Op::kFlush).flushAll();
  cache(L).invalidatePrefs();
  if (!st) {
    noResult(L, "ntop.flushCache", st);
    lua_pushboolean(L, 0);
    return 1;
  }
  log::warning("ntop.flushCache: the whole store was flushed");
  lua_pushboolean(L, 1);
  return 1;
}

int getKeysCache(lua_State* L) {
  Args a(L, "ntop.getKeysCache");
  return pushNameSet(L, "ntop.getKeysCache", kv(L, Op::kKeys).keys(a.string(1, "pattern")));
}

int getCacheStatus(lua_State* L) {
  const store::StoreInfo i = cache(L).store().info();
  lua_createtable(L, 0, 9);
  setField(L, "backend", i.backend);
  setField(L, "location", i.location);
  setField(L, "connected", i.connected);
  setField(L, "health", i.connected ? "green" : "red");
  setField(L, "dbsize", i.keys);
  setField(L, "memory", i.memory_bytes);
  setField(L, "version", i.server_version);
  setField(L, "reconnects", i.reconnects);
  setField(L, "last_error", i.last_error);
  return 1;
}

int getCacheStats(lua_State* L) {
  const auto counters = cache(L).counters();
  lua_createtable(L, 0, static_cast<int>(counters.size()));
  for (const auto& [name, n] : counters) setField(L, name.c_str(), n);
  return 1;
}

int hasDumpCache(lua_State* L) {
  Args a(L, "ntop.hasDumpCache");
  return boolResult(L, "ntop.hasDumpCache", kv(L, Op::kDump).exists(a.string(1, "key")));
}

int dumpCache(lua_State* L) {
  Args a(L, "ntop.dumpCache");
  const auto key = a.string(1, "key");
  if (hidden(L, "ntop.dumpCache", key)) return lua_pushnil(L), 1;
  return pushResult(L, "ntop.dumpCache", kv(L, Op::kDump).dump(key));
}

int restoreCache(lua_State* L) {
  Args a(L, "ntop.restoreCache");
  const auto key = a.string(1, "key");
  auto r = kv(L, Op::kRestore).restore(key, a.string(2, "dump"));
  cache(L).noteWrite(key);
  return boolResult(L, "ntop.restoreCache", r);
}

// ---- hashes ---------------------------------------------------------------------------------

int getHashCache(lua_State* L) {
  Args a(L, "ntop.getHashCache");
  const auto key = a.string(1, "key");
  const auto field = a.string(2, "field");
  if (hidden(L, "ntop.getHashCache", key)) return lua_pushnil(L), 1;
  return pushResult(L, "ntop.getHashCache", kv(L, Op::kHget).hget(key, field));
}

int setHashCache(lua_State* L) {
  Args a(L, "ntop.setHashCache");
  return noResult(L, "ntop.setHashCache",
                  kv(L, Op::kHset).hset(a.string(1, "key"), a.string(2, "field"),
                                        a.string(3, "value")));
}

int delHashCache(lua_State* L) {
  Args a(L, "ntop.delHashCache");
  return noResult(L, "ntop.delHashCache",
                  kv(L, Op::kHdel).hdel(a.string(1, "key"), a.string(2, "field")));
}

int getHashKeysCache(lua_State* L) {
  Args a(L, "ntop.getHashKeysCache");
  const auto key = a.string(1, "key");
  if (hidden(L, "ntop.getHashKeysCache", key)) return lua_pushnil(L), 1;
  return pushNameSet(L, "ntop.getHashKeysCache", kv(L, Op::kHkeys).hkeys(key));
}

int getHashAllCache(lua_State* L) {
  Args a(L, "ntop.getHashAllCache");
  const auto key = a.string(1, "key");
  if (hidden(L, "ntop.getHashAllCache", key)) return lua_pushnil(L), 1;
  auto r = kv(L, Op::kHgetall).hgetall(key);
  if (!r) return failWithNil(L, "ntop.getHashAllCache", r.error(), r.unavailable());
  lua_createtable(L, 0, static_cast<int>(r->size()));
  for (const auto& [k, v] : *r) {
    pushString(L, k);
    pushString(L, v);
    lua_rawset(L, -3);
  }
  return 1;
}

// ---- lists ----------------------------------------------------------------------------------

int lpushCache(lua_State* L) {
  Args a(L, "ntop.lpushCache");
  return noResult(L, "ntop.lpushCache",
                  kv(L, Op::kLpush).lpush(a.string(1, "key"), a.string(2, "value")));
}

int rpushCache(lua_State* L) {
  Args a(L, "ntop.rpushCache");
  return noResult(L, "ntop.rpushCache",
                  kv(L, Op::kRpush).rpush(a.string(1, "key"), a.string(2, "value")));
}

int lpopCache(lua_State* L) {
  Args a(L, "ntop.lpopCache");
  return pushResult(L, "ntop.lpopCache", kv(L, Op::kLpop).lpop(a.string(1, "key")));
}

int rpopCache(lua_State* L) {
  Args a(L, "ntop.rpopCache");
  return pushResult(L, "ntop.rpopCache", kv(L, Op::kRpop).rpop(a.string(1, "key")));
}

// lremCache(key, count, value) as the spec writes it; ntopng's own order (key, value [, count])
// is accepted too: a number in second place is the count.
int lremCache(lua_State* L) {
  Args a(L, "ntop.lremCache");
  const auto key = a.string(1, "key");
  int64_t count = 0;
  std::string_view value;
  if (lua_type(L, 2) == LUA_TNUMBER) {
    count = a.integer(2, "count");
    value = a.string(3, "value");
  } else {
    value = a.string(2, "value");
    count = a.optInteger(3, "count").value_or(0);
  }
  auto r = kv(L, Op::kLrem).lrem(key, count, value);
  if (!r) noResult(L, "ntop.lremCache", Status(Error{r.error(), r.unavailable()}));
  return 0;
}

int ltrimCache(lua_State* L) {
  Args a(L, "ntop.ltrimCache");
  return noResult(L, "ntop.ltrimCache",
                  kv(L, Op::kLtrim).ltrim(a.string(1, "key"), a.integer(2, "start"),
                                          a.integer(3, "stop")));
}

int lrangeCache(lua_State* L) {
  Args a(L, "ntop.lrangeCache");
  const auto key = a.string(1, "key");
  const int64_t start = a.optInteger(2, "start").value_or(0);
  const int64_t stop = a.optInteger(3, "stop").value_or(-1);
  return pushArray(L, "ntop.lrangeCache", kv(L, Op::kLrange).lrange(key, start, stop));
}

int llenCache(lua_State* L) {
  Args a(L, "ntop.llenCache");
  auto r = kv(L, Op::kLlen).llen(a.string(1, "key"));
  if (!r) return failWithNil(L, "ntop.llenCache", r.error(), r.unavailable());
  lua_pushinteger(L, *r);
  return 1;
}

int listIndexCache(lua_State* L) {
  Args a(L, "ntop.listIndexCache");
  return pushResult(L, "ntop.listIndexCache",
                    kv(L, Op::kLindex).lindex(a.string(1, "key"), a.integer(2, "idx")));
}

// ---- sets -----------------------------------------------------------------------------------

int setMembersCache(lua_State* L) {
  Args a(L, "ntop.setMembersCache");
  return noResult(L, "ntop.setMembersCache",
                  kv(L, Op::kSadd).sadd(a.string(1, "key"), a.string(2, "member")));
}

int delMembersCache(lua_State* L) {
  Args a(L, "ntop.delMembersCache");
  return noResult(L, "ntop.delMembersCache",
                  kv(L, Op::kSrem).srem(a.string(1, "key"), a.string(2, "member")));
}

int getMembersCache(lua_State* L) {
  Args a(L, "ntop.getMembersCache");
  return pushArray(L, "ntop.getMembersCache", kv(L, Op::kSmembers).smembers(a.string(1, "key")));
}

}  // namespace

const luaL_Reg kCache[] = {
    {"getCache", getCache},
    {"setCache", setCache},
    {"setnxCache", setnxCache},
    {"delCache", delCache},
    {"renameCache", renameCache},
    {"incrCache", incrCache},
    {"flushCache", flushCache},
    {"getKeysCache", getKeysCache},
    {"getCacheStatus", getCacheStatus},
    {"getCacheStats", getCacheStats},
    {"hasDumpCache", hasDumpCache},
    {"dumpCache", dumpCache},
    {"restoreCache", restoreCache},
    {"getHashCache", getHashCache},
    {"setHashCache", setHashCache},
    {"delHashCache", delHashCache},
    {"getHashKeysCache", getHashKeysCache},
    {"getHashAllCache", getHashAllCache},
    {"lpushCache", lpushCache},
    {"rpushCache", rpushCache},
    {"lpopCache", lpopCache},
    {"rpopCache", rpopCache},
    {"lremCache", lremCache},
    {"ltrimCache", ltrimCache},
    {"lrangeCache", lrangeCache},
    {"llenCache", llenCache},
    {"listIndexCache", listIndexCache},
    {"setMembersCache", setMembersCache},
    {"delMembersCache", delMembersCache},
    {"getMembersCache", getMembersCache},
    {nullptr, nullptr},
};

}  // namespace flowlens::lua::ntop
