// Spec section 29: Privilege Management. After the drop to -U, CAP_DAC_OVERRIDE is permitted
// but not effective; these raise and lower it for the calling thread. False when flowlens did
// not drop privileges (not started as root, or --dont-change-user).

#include "core/privileges.h"
#include "lua/args.h"
#include "lua/registry.h"
#include "lua/state.h"

namespace flowlens::lua::ntop {
namespace {

int gainWriteCapabilities(lua_State* L) {
  if (!LuaState::from(L)->context().isAdministrator()) {
    return failWithNil(L, "ntop.gainWriteCapabilities", "administrators only");
  }
  const bool ok = privileges::gainWriteCapabilities();
  if (ok) LuaState::from(L)->context().gained_write_caps = true;
  lua_pushboolean(L, ok);
  return 1;
}

int dropWriteCapabilities(lua_State* L) {
  lua_pushboolean(L, privileges::dropWriteCapabilities());
  return 1;
}

}  // namespace

const luaL_Reg kPrivileges[] = {
    {"gainWriteCapabilities", gainWriteCapabilities},
    {"dropWriteCapabilities", dropWriteCapabilities},
    {nullptr, nullptr},
};

}  // namespace flowlens::lua::ntop
