#pragma once
// One warm Lua 5.4 state: standard libraries, every registered binding, and the common modules
// (dkjson, lua_utils, rest_utils) loaded once. Each run gets a fresh environment table whose
// reads fall through to the state's globals, so a global set by one run is never seen by the
// next, while modules stay loaded. Runs are bounded in time (a count hook that yields the run
// away, even through pcall) and in memory (a capped allocator).
//
// Not thread-safe: one thread uses a state at a time (StatePool hands them out).

#include <lua.hpp>

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "lua/context.h"

namespace flowlens::lua {

struct EngineConfig {
  std::string modules_dir;  // scripts/lua/modules
  std::vector<std::string> preload = {"dkjson", "lua_utils", "rest_utils"};
  size_t memory_limit_bytes = 256u << 20;
};

class LuaState {
 public:
  static Result<std::unique_ptr<LuaState>> create(Services* services, const EngineConfig& config);
  ~LuaState();
  LuaState(const LuaState&) = delete;
  LuaState& operator=(const LuaState&) = delete;

  // Runs a script file (compiled once per state, recompiled when the file changes).
  Status runFile(const std::string& path, ScriptContext& ctx);
  // Runs source text; `chunkname` names it in error messages.
  Status runString(std::string_view code, const std::string& chunkname, ScriptContext& ctx);

  static LuaState* from(lua_State* L);
  // Ends the current run as its time limit does; call as `return s->stopRun(L);` from a binding
  // that finds the deadline passed (or shutdown begun) after blocking.
  int stopRun(lua_State* L);
  bool deadlinePassed() const;
  // Shared-table guard (shared_tables.h): writes inside require() are a module's set-up.
  void beginModuleLoad() { ++module_loads_; }
  void endModuleLoad() { --module_loads_; }
  void noteSharedWrite() {
    if (module_loads_ == 0) shared_dirty_ = true;
  }
  // The context of the run in progress (never null inside a binding).
  ScriptContext& context() const { return *ctx_; }
  Services& services() const { return *services_; }
  lua_State* raw() const { return L_; }

  size_t memoryUsed() const { return used_; }
  uint64_t runs() const { return runs_; }
  // True after a run was stopped by its time or memory limit (its globals may be half-updated)
  // or changed a table every run shares: the pool replaces it.
  bool poisoned() const { return poisoned_; }

  // An object a binding keeps between its calls within one run (SNMP engines), found by the
  // address of a static of the binding's; empty at first. Destroyed when the run ends.
  std::shared_ptr<void>& runResource(const void* key) { return run_resources_[key]; }

 private:
  LuaState(Services* services, size_t memory_limit);
  Status init(const EngineConfig& config);
  Status runLoaded(ScriptContext& ctx);  // runs the function on top of the stack
  Status loadCached(const std::string& path);
  void pushEnvironment();
  void setRequestGlobals(bool set);
  static void* allocate(void* ud, void* ptr, size_t osize, size_t nsize);
  static void countHook(lua_State* L, lua_Debug* ar);

  lua_State* L_ = nullptr;
  Services* services_;
  ScriptContext* ctx_ = nullptr;
  ScriptContext idle_ctx_;
  size_t used_ = 0;
  size_t limit_;
  uint64_t runs_ = 0;
  bool timed_out_ = false;
  bool poisoned_ = false;
  bool shared_dirty_ = false;
  bool unlimited_ = false;  // the allocator ignores the limit (clean-up after a failed run)
  int module_loads_ = 0;
  std::string package_path_, package_cpath_;
  std::map<const void*, std::shared_ptr<void>> run_resources_;
};

}  // namespace flowlens::lua
