// Spec section 32: the in-memory Lua cache shared by every Lua state (store::ValueCache).
// Values are copied in and out: strings, numbers, booleans and tables of them.

#include "lua/args.h"
#include "lua/registry.h"
#include "lua/state.h"
#include "store/value_cache.h"

namespace flowlens::lua::ntop {
namespace {

constexpr int kMaxDepth = 32;

store::ValueCache& cache(lua_State* L) { return *LuaState::from(L)->services().lua_cache; }

// Converts the Lua value at `idx`; an error message for functions, userdata, threads and cycles.
Result<store::Value> toValue(lua_State* L, int idx, int depth) {
  using K = store::Value::Kind;
  store::Value v;
  idx = lua_absindex(L, idx);
  switch (lua_type(L, idx)) {
    case LUA_TNIL:
      return v;
    case LUA_TBOOLEAN:
      v.kind = K::kBool;
      v.b = lua_toboolean(L, idx);
      return v;
    case LUA_TNUMBER:
      if (lua_isinteger(L, idx)) {
        v.kind = K::kInt;
        v.i = lua_tointeger(L, idx);
      } else {
        v.kind = K::kNumber;
        v.d = lua_tonumber(L, idx);
      }
      return v;
    case LUA_TSTRING: {
      size_t len;
      const char* s = lua_tolstring(L, idx, &len);
      v.kind = K::kString;
      v.s.assign(s, len);
      return v;
    }
    case LUA_TTABLE: {
      if (depth >= kMaxDepth) return Error{"table nested too deeply (or a cycle)"};
      luaL_checkstack(L, 4, "lua cache");
      v.kind = K::kTable;
      lua_pushnil(L);
      while (lua_next(L, idx)) {
        auto key = toValue(L, -2, depth + 1);
        auto val = key ? toValue(L, -1, depth + 1) : Result<store::Value>(Error{key.error()});
        lua_pop(L, 1);
        if (!val) {
          lua_pop(L, 1);
          return val;
        }
        v.table.emplace_back(std::move(*key), std::move(*val));
      }
      return v;
    }
    default:
      return Error{std::string("cannot cache a ") + luaL_typename(L, idx)};
  }
}

void pushValue(lua_State* L, const store::Value& v) {
  using K = store::Value::Kind;
  switch (v.kind) {
    case K::kNil: lua_pushnil(L); break;
    case K::kBool: lua_pushboolean(L, v.b); break;
    case K::kInt: lua_pushinteger(L, v.i); break;
    case K::kNumber: lua_pushnumber(L, v.d); break;
    case K::kString: pushString(L, v.s); break;
    case K::kTable:
      luaL_checkstack(L, 3, "lua cache");
      lua_createtable(L, 0, static_cast<int>(v.table.size()));
      for (const auto& [k, val] : v.table) {
        pushValue(L, k);
        pushValue(L, val);
        lua_rawset(L, -3);
      }
      break;
  }
}

int getLuaCache(lua_State* L) {
  Args a(L, "ntop.getLuaCache");
  const std::string key(a.string(1, "key"));
  auto v = cache(L).get(key);
  if (v) pushValue(L, *v);
  else lua_pushnil(L);
  return 1;
}

int setLuaCache(lua_State* L) {
  Args a(L, "ntop.setLuaCache");
  const std::string key(a.string(1, "key"));
  const int64_t ttl = a.optInteger(3, "ttl").value_or(0);
  if (ttl < 0) a.fail("argument #3 (ttl) must be >= 0");
  if (lua_isnoneornil(L, 2)) {
    cache(L).erase(key);
    return 0;
  }
  auto v = toValue(L, 2, 0);
  if (!v) a.fail("argument #2 (value): " + v.error());
  if (!cache(L).set(key, std::move(*v), ttl)) {
    failWithNil(L, "ntop.setLuaCache", "value larger than the whole cache");
    lua_pop(L, 1);
  }
  return 0;
}

int dumpLuaCache(lua_State* L) {
  const auto entries = cache(L).snapshot();
  lua_createtable(L, 0, static_cast<int>(entries.size()));
  for (const auto& [k, v] : entries) {
    pushString(L, k);
    pushValue(L, *v);
    lua_rawset(L, -3);
  }
  return 1;
}

}  // namespace

const luaL_Reg kLuaCache[] = {
    {"getLuaCache", getLuaCache},
    {"setLuaCache", setLuaCache},
    {"dumpLuaCache", dumpLuaCache},
    {nullptr, nullptr},
};

}  // namespace flowlens::lua::ntop
