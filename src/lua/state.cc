#include "lua/state.h"

#include <sys/stat.h>

#include <cstdlib>
#include <cstring>

#include "core/log.h"
#include "lua/args.h"
#include "lua/registry.h"
#include "lua/sandbox.h"
#include "lua/shared_tables.h"

namespace flowlens::lua {
namespace {

constexpr const char* kChunksKey = "flowlens.chunks";
constexpr const char* kEnvMetaKey = "flowlens.envmeta";
constexpr int kHookInstructions = 1000;

void pushParams(lua_State* L, const Params& params) {
  lua_createtable(L, 0, static_cast<int>(params.size()));
  for (const auto& [k, v] : params) {
    lua_pushlstring(L, k.data(), k.size());  // names may hold NUL bytes: never truncate them
    lua_pushlstring(L, v.data(), v.size());
    lua_rawset(L, -3);
  }
}

}  // namespace

LuaState::LuaState(Services* services, size_t memory_limit)
    : services_(services), limit_(memory_limit) {
  idle_ctx_.services = services;
}

LuaState::~LuaState() {
  if (L_) lua_close(L_);
}

LuaState* LuaState::from(lua_State* L) { return *static_cast<LuaState**>(lua_getextraspace(L)); }

void* LuaState::allocate(void* ud, void* ptr, size_t osize, size_t nsize) {
  auto* self = static_cast<LuaState*>(ud);
  const size_t old = ptr ? osize : 0;
  if (nsize == 0) {
    std::free(ptr);
    self->used_ -= old;
    return nullptr;
  }
  if (nsize > old && self->used_ + (nsize - old) > self->limit_ && !self->unlimited_) {
    return nullptr;
  }
  void* p = std::realloc(ptr, nsize);
  if (p) self->used_ = self->used_ - old + nsize;
  return p;
}

bool LuaState::deadlinePassed() const {
  return ctx_ && ctx_ != &idle_ctx_ &&
         (std::chrono::steady_clock::now() >= ctx_->deadline ||
          services_->shutting_down.load(std::memory_order_relaxed));
}

int LuaState::stopRun(lua_State* L) {
  timed_out_ = true;
  // Yielding ends the run even inside pcall; where yielding is impossible (a callback from C),
  // raise an error, and the next check in Lua code yields.
  if (lua_isyieldable(L)) return lua_yield(L, 0);
  // From here on the hook fires at every instruction, so that a pcall loop in this callback
  // cannot catch the error for ever: its own instructions raise it again, outside the pcall.
  lua_sethook(L, &LuaState::countHook, LUA_MASKCOUNT, 1);
  return luaL_error(L, "script exceeded its time limit");
}

void LuaState::countHook(lua_State* L, lua_Debug*) {
  LuaState* self = from(L);
  if (self->deadlinePassed()) self->stopRun(L);
}

Result<std::unique_ptr<LuaState>> LuaState::create(Services* services,
                                                   const EngineConfig& config) {
  std::unique_ptr<LuaState> s(new LuaState(services, config.memory_limit_bytes));
  if (Status st = s->init(config); !st) return Error{st.error()};
  return s;
}

Status LuaState::init(const EngineConfig& config) {
  L_ = lua_newstate(&LuaState::allocate, this);
  if (!L_) return Error{"cannot create a Lua state"};
  *static_cast<LuaState**>(lua_getextraspace(L_)) = this;
  lua_atpanic(L_, [](lua_State* L) -> int {
    log::error("Lua panic: {}", lua_tostring(L, -1) ? lua_tostring(L, -1) : "?");
    return 0;  // Lua aborts after this
  });
  ctx_ = &idle_ctx_;
  luaL_openlibs(L_);
  applySandbox(L_);
  registerBindings(L_);

  // package.path: the modules directory first, then Lua's defaults (which find dkjson).
  lua_getglobal(L_, "package");
  lua_getfield(L_, -1, "path");
  std::string path = config.modules_dir + "/?.lua;" + lua_tostring(L_, -1);
  lua_pop(L_, 1);
  lua_pushstring(L_, path.c_str());
  lua_setfield(L_, -2, "path");
  package_path_ = path;
  lua_getfield(L_, -1, "cpath");
  package_cpath_ = lua_tostring(L_, -1);
  lua_pop(L_, 2);

  lua_newtable(L_);
  lua_setfield(L_, LUA_REGISTRYINDEX, kChunksKey);
  lua_createtable(L_, 0, 2);
  lua_pushglobaltable(L_);
  lua_setfield(L_, -2, "__index");
  lua_pushboolean(L_, 0);
  lua_setfield(L_, -2, "__metatable");  // getmetatable(_ENV) must not hand out the real _G
  lua_setfield(L_, LUA_REGISTRYINDEX, kEnvMetaKey);

  // Modules load into the real globals once, so every later run finds them warm.
  for (const auto& module : config.preload) {
    lua_getglobal(L_, "require");
    lua_pushstring(L_, module.c_str());
    if (lua_pcall(L_, 1, 0, 0) != LUA_OK) {
      std::string err = lua_tostring(L_, -1) ? lua_tostring(L_, -1) : "?";
      lua_pop(L_, 1);
      return Error{"loading module '" + module + "': " + err};
    }
  }
  lua_gc(L_, LUA_GCGEN, 0, 0);  // generational GC suits many short-lived request tables
  protectSharedTables(L_);
  return Status::Ok();
}

void LuaState::pushEnvironment() {
  lua_createtable(L_, 0, 8);
  lua_getfield(L_, LUA_REGISTRYINDEX, kEnvMetaKey);
  lua_setmetatable(L_, -2);
  lua_pushvalue(L_, -1);
  lua_setfield(L_, -2, "_G");  // _G.x = 1 stays in this run's environment
}

// _GET/_POST/_SESSION go both in the run's environment and, for library functions that
// read them as globals (as ntopng's modules do), in the real globals while the run lasts.
void LuaState::setRequestGlobals(bool set) {
  static const char* kNames[] = {"_GET", "_POST", "_SESSION"};
  if (!set) {
    for (const char* n : kNames) {
      lua_pushnil(L_);
      lua_setglobal(L_, n);
    }
    return;
  }
  const int env = lua_absindex(L_, -1);
  static const Request kNoRequest;  // outside HTTP: empty parameters, the admin session
  const Request& r = ctx_->request ? *ctx_->request : kNoRequest;
  pushParams(L_, r.get);
  pushParams(L_, r.post);
  lua_createtable(L_, 0, 5);
  setField(L_, "user", r.user);
  setField(L_, "group", r.group);
  setField(L_, "csrf", r.csrf);
  setField(L_, "session", r.session_id);
  setField(L_, "localuser", r.localuser ? "true" : "false");
  for (int i = 2; i >= 0; --i) {
    lua_pushvalue(L_, -1);
    lua_setglobal(L_, kNames[i]);
    lua_setfield(L_, env, kNames[i]);
  }
}

Status LuaState::loadCached(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return Error{"cannot open " + path};
  const lua_Integer stamp =
      static_cast<lua_Integer>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec + st.st_size;
  lua_getfield(L_, LUA_REGISTRYINDEX, kChunksKey);
  lua_getfield(L_, -1, path.c_str());
  if (lua_istable(L_, -1)) {
    lua_rawgeti(L_, -1, 2);
    const bool fresh = lua_tointeger(L_, -1) == stamp;
    lua_pop(L_, 1);
    if (fresh) {
      lua_rawgeti(L_, -1, 1);
      lua_replace(L_, -3);
      lua_pop(L_, 1);
      return Status::Ok();
    }
  }
  lua_pop(L_, 1);
  if (luaL_loadfilex(L_, path.c_str(), "t") != LUA_OK) {
    std::string err = lua_tostring(L_, -1);
    lua_pop(L_, 2);
    return Error{err};
  }
  lua_createtable(L_, 2, 0);
  lua_pushvalue(L_, -2);
  lua_rawseti(L_, -2, 1);
  lua_pushinteger(L_, stamp);
  lua_rawseti(L_, -2, 2);
  lua_setfield(L_, -3, path.c_str());
  lua_replace(L_, -2);
  return Status::Ok();
}

Status LuaState::runFile(const std::string& path, ScriptContext& ctx) {
  if (Status st = loadCached(path); !st) {
    log::error("Script error: {}", st.error());
    return st;
  }
  ctx.script_path = path;
  return runLoaded(ctx);
}

Status LuaState::runString(std::string_view code, const std::string& chunkname,
                           ScriptContext& ctx) {
  if (luaL_loadbufferx(L_, code.data(), code.size(), ("=" + chunkname).c_str(), "t") != LUA_OK) {
    std::string err = lua_tostring(L_, -1);
    lua_pop(L_, 1);
    return Error{err};
  }
  ctx.script_path = chunkname;
  return runLoaded(ctx);
}

Status LuaState::runLoaded(ScriptContext& ctx) {
  const int base = lua_gettop(L_) - 1;  // below the function
  ctx_ = &ctx;
  ++runs_;
  timed_out_ = false;
  shared_dirty_ = false;
  module_loads_ = 0;

  pushEnvironment();
  setRequestGlobals(true);
  lua_setupvalue(L_, -2, 1);  // the chunk's _ENV

  lua_State* co = lua_newthread(L_);
  lua_rotate(L_, -2, 1);  // thread below the function
  lua_xmove(L_, co, 1);
  lua_sethook(co, &LuaState::countHook, LUA_MASKCOUNT, kHookInstructions);

  int nres = 0;
  int rc;
  for (;;) {
    rc = lua_resume(co, L_, 0, &nres);
    if (rc != LUA_YIELD || timed_out_) break;
    lua_pop(co, nres);  // a script that yielded at top level: carry on
  }

  Status result;
  // Clean-up may allocate (a traceback, closing the thread) although the run used all of its
  // memory: it runs without the limit, and the state is then replaced.
  unlimited_ = true;
  if (rc == LUA_YIELD || timed_out_) {
    result = Error{ctx.script_path + ": script exceeded its time limit"};
    poisoned_ = true;
  } else if (rc == LUA_ERRMEM) {
    result = Error{ctx.script_path + ": script exceeded its memory limit"};
    poisoned_ = true;
  } else if (rc != LUA_OK) {
    const char* msg = lua_tostring(co, -1);
    luaL_traceback(L_, co, msg ? msg : "(error object is not a string)", 0);
    result = Error{lua_tostring(L_, -1)};
    lua_pop(L_, 1);
  }
  lua_resetthread(co);
  lua_settop(L_, base);
  run_resources_.clear();  // the run's engines and such: gone with the run
  if (poisoned_) lua_gc(L_, LUA_GCCOLLECT);
  unlimited_ = false;

  setRequestGlobals(false);
  lua_getglobal(L_, "package");  // scripts prepend to package.path on every run
  lua_pushstring(L_, package_path_.c_str());
  lua_setfield(L_, -2, "path");
  lua_pushstring(L_, package_cpath_.c_str());
  lua_setfield(L_, -2, "cpath");
  lua_pop(L_, 1);
  if (shared_dirty_ && !poisoned_) {
    log::debug("{} changed a shared library table: replacing its Lua state", ctx.script_path);
    poisoned_ = true;
  }
  run_resources_.clear();  // what a finalizer run by the collections above took (poolsLock)
  ctx_ = &idle_ctx_;
  if (!result.ok()) log::error("Script error: {}", result.error());
  return result;
}

}  // namespace flowlens::lua
