#include "lua/sandbox.h"

#include <algorithm>
#include <cstring>

#include "lua/state.h"

namespace flowlens::lua {
namespace {

int refuse(lua_State* L) {
  return luaL_error(L, "%s is not available to flowlens scripts",
                    lua_tostring(L, lua_upvalueindex(1)));
}

void replaceWithRefusal(lua_State* L, const char* lib, const char* fn) {
  lua_getglobal(L, lib);
  lua_pushfstring(L, "%s.%s", lib, fn);
  lua_pushcclosure(L, refuse, 1);
  lua_setfield(L, -2, fn);
  lua_pop(L, 1);
}

// Runs the original function (upvalue 1) only when ntop.execCmd would be allowed.
int gatedExec(lua_State* L) {
  LuaState* s = LuaState::from(L);
  if (!s->services().options->allow_exec) {
    return luaL_error(L, "%s is disabled (start flowlens with --allow-exec)",
                      lua_tostring(L, lua_upvalueindex(2)));
  }
  if (!s->context().isAdministrator()) {
    return luaL_error(L, "%s: administrators only", lua_tostring(L, lua_upvalueindex(2)));
  }
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
  return lua_gettop(L);
}

void gate(lua_State* L, const char* lib, const char* fn) {
  lua_getglobal(L, lib);
  lua_getfield(L, -1, fn);
  lua_pushfstring(L, "%s.%s", lib, fn);
  lua_pushcclosure(L, gatedExec, 2);
  lua_setfield(L, -2, fn);
  lua_pop(L, 1);
}

// load(chunk [, name [, mode [, env]]]) with mode forced to text. Upvalue 1: the original.
int textLoad(lua_State* L) {
  if (lua_type(L, 3) == LUA_TSTRING && std::strchr(lua_tostring(L, 3), 'b') != nullptr &&
      std::strchr(lua_tostring(L, 3), 't') == nullptr) {
    lua_pushnil(L);
    lua_pushliteral(L, "binary chunks are not accepted by flowlens");
    return 2;
  }
  const int n = lua_gettop(L);
  lua_pushvalue(L, lua_upvalueindex(1));
  for (int i = 1; i <= n || i <= 3; ++i) {
    if (i == 3) lua_pushliteral(L, "t");
    else lua_pushvalue(L, i);
  }
  lua_call(L, std::max(n, 3), LUA_MULTRET);
  return lua_gettop(L) - n;
}

int textLoadfile(lua_State* L) {
  const char* name = luaL_optstring(L, 1, nullptr);
  if (luaL_loadfilex(L, name, "t") != LUA_OK) {
    lua_pushnil(L);
    lua_insert(L, -2);
    return 2;
  }
  if (!lua_isnoneornil(L, 3)) {  // env
    lua_pushvalue(L, 3);
    if (!lua_setupvalue(L, -2, 1)) lua_pop(L, 1);
  }
  return 1;
}

int textDofile(lua_State* L) {
  const char* name = luaL_optstring(L, 1, nullptr);
  lua_settop(L, 1);
  if (luaL_loadfilex(L, name, "t") != LUA_OK) return lua_error(L);
  lua_call(L, 0, LUA_MULTRET);
  return lua_gettop(L) - 1;
}

}  // namespace

void applySandbox(lua_State* L) {
  replaceWithRefusal(L, "os", "exit");
  gate(L, "io", "popen");
  gate(L, "os", "execute");
  lua_getglobal(L, "load");
  lua_pushcclosure(L, textLoad, 1);
  lua_setglobal(L, "load");
  lua_register(L, "loadfile", textLoadfile);
  lua_register(L, "dofile", textDofile);
  // Scripts are the administrator's code: debug stays, but for what would switch off the time
  // limit (a hook of its own) or block a worker on the daemon's stdin.
  for (const char* fn : {"sethook", "setcstacklimit", "debug"}) replaceWithRefusal(L, "debug", fn);
}

}  // namespace flowlens::lua
