// Spec section 8: MFA / TOTP (RFC 6238 through liboath). A user manages its own second factor;
// administrators manage anyone's. Only administrators may read a secret back.

#include <ctime>

#include "auth/totp.h"
#include "auth/users.h"
#include "lua/args.h"
#include "lua/registry.h"
#include "lua/state.h"

namespace flowlens::lua::ntop {
namespace {

auth::UserService& users(lua_State* L) { return *LuaState::from(L)->services().users; }
bool mayActFor(lua_State* L, std::string_view user) {
  return LuaState::from(L)->context().mayActFor(user);
}


int refused(lua_State* L, const char* fn) {
  failWithNil(L, fn, "not allowed");
  lua_pop(L, 1);
  lua_pushboolean(L, 0);
  return 1;
}

int generateTOTPSecret(lua_State* L) {
  pushString(L, auth::generateTotpSecret());
  return 1;
}

int setUserTOTPSecret(lua_State* L) {
  Args a(L, "ntop.setUserTOTPSecret");
  const std::string user(a.string(1, "username"));
  const auto secret = a.string(2, "secret");
  if (!mayActFor(L, user)) return refused(L, "ntop.setUserTOTPSecret");
  Status st = users(L).setTotpSecret(user, secret);
  if (!st) {
    failWithNil(L, "ntop.setUserTOTPSecret", st.error(), st.unavailable());
    lua_pop(L, 1);
  }
  lua_pushboolean(L, st.ok());
  return 1;
}

int getUserTOTPSecret(lua_State* L) {
  Args a(L, "ntop.getUserTOTPSecret");
  const std::string user(a.string(1, "username"));
  if (!LuaState::from(L)->context().isAdministrator()) {
    return failWithNil(L, "ntop.getUserTOTPSecret", "administrators only");
  }
  auto s = users(L).totpSecret(user);
  if (!s) return failWithNil(L, "ntop.getUserTOTPSecret", s.error(), s.unavailable());
  if (*s) pushString(L, **s);
  else lua_pushnil(L);
  return 1;
}

int isTOTPEnabled(lua_State* L) {
  Args a(L, "ntop.isTOTPEnabled");
  auto u = users(L).get(a.string(1, "username"));
  lua_pushboolean(L, u && *u && (*u)->totp_enabled);
  return 1;
}

int setUserTOTPEnabled(lua_State* L) {
  Args a(L, "ntop.setUserTOTPEnabled");
  const std::string user(a.string(1, "username"));
  const bool enabled = a.boolean(2, "enabled");
  if (!mayActFor(L, user)) return refused(L, "ntop.setUserTOTPEnabled");
  Status st = users(L).setTotpEnabled(user, enabled);
  if (!st) {
    failWithNil(L, "ntop.setUserTOTPEnabled", st.error(), st.unavailable());
    lua_pop(L, 1);
  }
  lua_pushboolean(L, st.ok());
  return 1;
}

int validateTOTP(lua_State* L) {
  Args a(L, "ntop.validateTOTP");
  const std::string user(a.string(1, "username"));
  const auto code = a.string(2, "code");
  if (!mayActFor(L, user)) return refused(L, "ntop.validateTOTP");
  auto ok = users(L).checkTotp(user, code, std::time(nullptr));
  lua_pushboolean(L, ok && *ok);
  return 1;
}

int getTOTPProvisioningUri(lua_State* L) {
  Args a(L, "ntop.getTOTPProvisioningUri");
  const std::string user(a.string(1, "username"));
  if (!mayActFor(L, user)) return failWithNil(L, "ntop.getTOTPProvisioningUri", "not allowed");
  auto s = users(L).totpSecret(user);
  if (!s || !*s) return failWithNil(L, "ntop.getTOTPProvisioningUri", "no TOTP secret set");
  const std::string& instance = LuaState::from(L)->services().options->instance_name;
  pushString(L, auth::totpProvisioningUri(instance.empty() ? "flowlens" : instance, user, **s));
  return 1;
}

}  // namespace

const luaL_Reg kMfa[] = {
    {"generateTOTPSecret", generateTOTPSecret},
    {"setUserTOTPSecret", setUserTOTPSecret},
    {"getUserTOTPSecret", getUserTOTPSecret},
    {"isTOTPEnabled", isTOTPEnabled},
    {"setUserTOTPEnabled", setUserTOTPEnabled},
    {"validateTOTP", validateTOTP},
    {"getTOTPProvisioningUri", getTOTPProvisioningUri},
    {nullptr, nullptr},
};

}  // namespace flowlens::lua::ntop
