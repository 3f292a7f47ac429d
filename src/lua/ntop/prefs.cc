// Spec section 6: Preferences, stored at ntopng.prefs.<name> and read through the
// CacheService's preference cache.

#include "lua/args.h"
#include "lua/registry.h"
#include "lua/state.h"
#include "store/cache_service.h"

namespace flowlens::lua::ntop {
namespace {

store::CacheService& cache(lua_State* L) { return *LuaState::from(L)->services().cache; }

int setPref(lua_State* L) {
  Args a(L, "ntop.setPref");
  Status st = cache(L).setPref(a.string(1, "key"), a.string(2, "value"));
  if (!st) {
    failWithNil(L, "ntop.setPref", st.error(), st.unavailable());
    lua_pop(L, 1);
  }
  return 0;
}

int getPref(lua_State* L) {
  Args a(L, "ntop.getPref");
  auto r = cache(L).getPref(a.string(1, "key"));
  if (!r) return failWithNil(L, "ntop.getPref", r.error(), r.unavailable());
  if (*r) pushString(L, **r);
  else lua_pushnil(L);
  return 1;
}

int getPrefs(lua_State* L) {
  auto r = cache(L).allPrefs();
  if (!r) return failWithNil(L, "ntop.getPrefs", r.error(), r.unavailable());
  lua_createtable(L, 0, static_cast<int>(r->size()));
  for (const auto& [k, v] : *r) setField(L, k.c_str(), v);
  return 1;
}

int reloadPreferences(lua_State* L) {
  Args a(L, "ntop.reloadPreferences");
  cache(L).invalidatePrefs();
  if (a.optBoolean(1, "set_defaults").value_or(false)) {
    if (Status st = cache(L).setDefaultPrefs(); !st) {
      failWithNil(L, "ntop.reloadPreferences", st.error(), st.unavailable());
      lua_pop(L, 1);
    }
  }
  return 0;
}

}  // namespace

const luaL_Reg kPrefs[] = {
    {"setPref", setPref},
    {"getPref", getPref},
    {"getPrefs", getPrefs},
    {"reloadPreferences", reloadPreferences},
    {nullptr, nullptr},
};

}  // namespace flowlens::lua::ntop
