// Spec section 28: Edition / Platform Checks. They tell the truth about this build: flowlens is
// not an ntop commercial edition, and features not compiled in answer false.

#include "lua/args.h"
#include "lua/registry.h"
#include "lua/state.h"

namespace flowlens::lua::ntop {
namespace {

int no(lua_State* L) {
  lua_pushboolean(L, 0);
  return 1;
}

int isLinux(lua_State* L) {
#ifdef __linux__
  lua_pushboolean(L, 1);
#else
  lua_pushboolean(L, 0);
#endif
  return 1;
}

int isFreeBSD(lua_State* L) {
#ifdef __FreeBSD__
  lua_pushboolean(L, 1);
#else
  lua_pushboolean(L, 0);
#endif
  return 1;
}

int isPackage(lua_State* L) {
  // Installed by a package when the executable lives under /usr.
  const std::string& bindir = LuaState::from(L)->services().dirs->bindir;
  lua_pushboolean(L, bindir.rfind("/usr/", 0) == 0);
  return 1;
}

int getLicenseLimits(lua_State* L) {
  // No licence: nothing is capped by edition. The limits that exist are the configured ones.
  const Options& o = *LuaState::from(L)->services().options;
  lua_createtable(L, 0, 3);
  setField(L, "edition", "community");
  setField(L, "licensed", false);
  setField(L, "num_interfaces", static_cast<int64_t>(o.interfaces.size()));
  return 1;
}

}  // namespace

const luaL_Reg kEdition[] = {
    {"isForcedCommunity", no},
    {"isPro", no},
    {"isEnterprise", no},
    {"isEnterpriseM", no},
    {"isEnterpriseL", no},
    {"isEnterpriseXL", no},
    {"isEnterpriseXXL", no},
    {"isnEdge", no},
    {"isnEdgeEnterprise", no},
    {"isPackage", isPackage},
    {"isAppliance", no},
    {"isIoTBridge", no},
    {"isWindows", no},
    {"isFreeBSD", isFreeBSD},
    {"isLinux", isLinux},
    {"hasRadiusSupport", no},
    {"hasLdapSupport", no},
    {"isClickHouseEnabled", no},
    {"hasSpeedtestSupport", no},
    {"isNProbeIPSConfigured", no},
    {"isFlowDedupEnabled", no},
    {"getLicenseLimits", getLicenseLimits},
    {nullptr, nullptr},
};

}  // namespace flowlens::lua::ntop
