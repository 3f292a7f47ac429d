#include "lua/shared_tables.h"

#include <cstring>

#include "lua/state.h"

namespace flowlens::lua {
namespace {

constexpr const char* kProxiesKey = "flowlens.proxies";  // real table -> proxy (weak keys)

// __newindex(proxy, key, value); upvalue 1: the real table; upvalue 2: true for `package`.
int proxyNewIndex(lua_State* L) {
  const bool is_package = lua_toboolean(L, lua_upvalueindex(2));
  const bool restored_key = is_package && lua_type(L, 2) == LUA_TSTRING &&
                            (std::strcmp(lua_tostring(L, 2), "path") == 0 ||
                             std::strcmp(lua_tostring(L, 2), "cpath") == 0);
  if (!restored_key) LuaState::from(L)->noteSharedWrite();
  lua_pushvalue(L, 2);
  lua_pushvalue(L, 3);
  lua_rawset(L, lua_upvalueindex(1));
  return 0;
}

// __pairs(proxy): iterate the real table.
int proxyPairs(lua_State* L) {
  lua_pushcfunction(L, [](lua_State* l) -> int {
    lua_settop(l, 2);
    return lua_next(l, 1) ? 2 : (lua_pushnil(l), 1);
  });
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_pushnil(L);
  return 3;
}

int proxyLen(lua_State* L) {
  lua_pushinteger(L, static_cast<lua_Integer>(luaL_len(L, lua_upvalueindex(1))));
  return 1;
}

// Pushes the proxy of the table at `idx`, creating it once.
void pushProxy(lua_State* L, int idx, bool is_package) {
  idx = lua_absindex(L, idx);
  lua_getfield(L, LUA_REGISTRYINDEX, kProxiesKey);
  lua_pushvalue(L, idx);
  if (lua_rawget(L, -2) == LUA_TTABLE) {
    lua_remove(L, -2);
    return;
  }
  lua_pop(L, 1);
  lua_newtable(L);  // the proxy
  lua_createtable(L, 0, 5);
  lua_pushvalue(L, idx);
  lua_setfield(L, -2, "__index");
  lua_pushvalue(L, idx);
  lua_pushboolean(L, is_package);
  lua_pushcclosure(L, proxyNewIndex, 2);
  lua_setfield(L, -2, "__newindex");
  lua_pushvalue(L, idx);
  lua_pushcclosure(L, proxyPairs, 1);
  lua_setfield(L, -2, "__pairs");
  lua_pushvalue(L, idx);
  lua_pushcclosure(L, proxyLen, 1);
  lua_setfield(L, -2, "__len");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");  // getmetatable() cannot reach the real table
  lua_setmetatable(L, -2);
  lua_pushvalue(L, idx);  // remember real -> proxy, and proxy -> proxy (already guarded)
  lua_pushvalue(L, -2);
  lua_rawset(L, -4);
  lua_pushvalue(L, -1);
  lua_pushvalue(L, -1);
  lua_rawset(L, -4);
  lua_remove(L, -2);
}

// require(name) that loads with shared writes allowed and hands out the module's proxy.
// Upvalue 1: the original require.
int guardedRequire(lua_State* L) {
  luaL_checkstring(L, 1);
  lua_settop(L, 1);
  LuaState* s = LuaState::from(L);
  s->beginModuleLoad();
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_pushvalue(L, 1);
  const int rc = lua_pcall(L, 1, 2, 0);  // [name, module, loader data]
  s->endModuleLoad();
  if (rc != LUA_OK) return lua_error(L);
  if (lua_type(L, 2) == LUA_TTABLE) {
    pushProxy(L, 2, false);  // [name, module, data, proxy]
    lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    lua_pushvalue(L, 1);
    lua_pushvalue(L, -3);
    lua_rawset(L, -3);  // package.loaded[name] = proxy: later requires return it
    lua_pop(L, 1);
    lua_replace(L, 2);
  }
  return 2;
}

}  // namespace

void protectSharedTables(lua_State* L) {
  const int top = lua_gettop(L);
  lua_newtable(L);
  lua_setfield(L, LUA_REGISTRYINDEX, kProxiesKey);

  // Every table in package.loaded: the libraries, the preloaded modules, and _G itself (the
  // registry's globals and _G._G stay the real table, for module code).
  lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
  const int loaded = lua_gettop(L);
  lua_pushglobaltable(L);
  const int globals = lua_gettop(L);
  lua_pushnil(L);
  while (lua_next(L, loaded)) {
    if (lua_type(L, -1) == LUA_TTABLE) {
      const bool is_package =
          lua_type(L, -2) == LUA_TSTRING && std::strcmp(lua_tostring(L, -2), "package") == 0;
      pushProxy(L, -1, is_package);
      lua_pushvalue(L, -3);
      lua_pushvalue(L, -2);
      lua_rawset(L, loaded);  // replacing a field's value during lua_next is allowed
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
  }
  // Globals that name those tables, and the API tables (ntop, interface, flowlens).
  lua_pushnil(L);
  while (lua_next(L, globals)) {
    if (lua_type(L, -1) == LUA_TTABLE && !lua_rawequal(L, -1, globals)) {
      pushProxy(L, -1, false);
      lua_pushvalue(L, -3);
      lua_pushvalue(L, -2);
      lua_rawset(L, globals);
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
  }
  // require(): allow a module's set-up writes, and proxy the tables modules return.
  lua_getfield(L, globals, "require");
  lua_pushcclosure(L, guardedRequire, 1);
  lua_setfield(L, globals, "require");
  // The string metatable's __index is the real string table: keep scripts from reaching it.
  lua_pushliteral(L, "");
  if (lua_getmetatable(L, -1)) {
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
  }
  lua_settop(L, top);
}

}  // namespace flowlens::lua
