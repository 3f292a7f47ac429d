// Spec section 7: User Management & Authentication (and section 9's isAllowedInterface /
// isAllowedNetwork, which answer for the current user). Administrators only, except where a
// user acts on itself (its password, full name, language, sessions and API token).
// Password hashes never leave auth::UserService.

#include "auth/sessions.h"
#include "auth/users.h"
#include "lua/args.h"
#include "lua/registry.h"
#include "lua/state.h"

namespace flowlens::lua::ntop {
namespace {

auth::UserService& users(lua_State* L) { return *LuaState::from(L)->services().users; }
const ScriptContext& ctx(lua_State* L) { return LuaState::from(L)->context(); }

// Pushes false and logs when the current user is not an administrator.
bool requireAdmin(lua_State* L, const char* fn) {
  if (ctx(L).isAdministrator()) return true;
  failWithNil(L, fn, "administrators only");
  lua_pop(L, 1);
  lua_pushboolean(L, 0);
  return false;
}


int pushStatus(lua_State* L, const char* fn, const Status& st) {
  if (!st) {
    failWithNil(L, fn, st.error(), st.unavailable());
    lua_pop(L, 1);
  }
  lua_pushboolean(L, st.ok());
  return 1;
}

void pushUser(lua_State* L, const auth::User& u) {
  lua_createtable(L, 0, 12);
  setField(L, "username", u.name);
  setField(L, "full_name", u.full_name);
  setField(L, "group", u.group);
  setField(L, "allowed_nets", u.allowed_nets);
  setField(L, "allowed_ifname", u.allowed_ifname);
  setField(L, "host_pool_id", u.host_pool_id);
  setField(L, "allowed_host_pools", u.allowed_host_pools);
  setField(L, "language", u.language);
  setField(L, "allow_pcap_download", u.allow_pcap);
  setField(L, "allow_historical_flows", u.allow_historical_flows);
  setField(L, "allow_alerts", u.allow_alerts);
  setField(L, "totp_enabled", u.totp_enabled);
}

std::optional<auth::User> currentUser(lua_State* L) {
  auto u = users(L).get(ctx(L).userName());
  if (u && *u) return **u;
  return std::nullopt;
}

int getUsers(lua_State* L) {
  if (!ctx(L).isAdministrator()) return failWithNil(L, "ntop.getUsers", "administrators only");
  auto list = users(L).list();
  if (!list) return failWithNil(L, "ntop.getUsers", list.error(), list.unavailable());
  lua_createtable(L, 0, static_cast<int>(list->size()));
  for (const auto& u : *list) {
    pushUser(L, u);
    lua_setfield(L, -2, u.name.c_str());
  }
  return 1;
}

int getNologinUser(lua_State* L) {
  lua_pushstring(L, auth::kNologinUser);
  return 1;
}

int isAdministrator(lua_State* L) {
  lua_pushboolean(L, ctx(L).isAdministrator());
  return 1;
}

int isPcapDownloadAllowed(lua_State* L) {
  auto u = currentUser(L);
  lua_pushboolean(L, ctx(L).isAdministrator() || (u && u->allow_pcap));
  return 1;
}

int getAllowedNetworks(lua_State* L) {
  auto u = currentUser(L);
  std::vector<std::string> nets;
  if (u) {
    for (const auto& p : u->allowedNetworks()) nets.push_back(p.toString());
  }
  if (nets.empty()) nets = {"0.0.0.0/0", "::/0"};  // unrestricted
  lua_createtable(L, static_cast<int>(nets.size()), 0);
  for (size_t i = 0; i < nets.size(); ++i) {
    pushString(L, nets[i]);
    lua_rawseti(L, -2, static_cast<lua_Integer>(i + 1));
  }
  return 1;
}

int getAllowedHostPools(lua_State* L) {
  auto u = currentUser(L);
  lua_newtable(L);
  if (!u) return 1;
  int i = 0;
  size_t start = 0;
  const std::string& pools = u->allowed_host_pools;
  while (start < pools.size()) {
    size_t comma = pools.find(',', start);
    if (comma == std::string::npos) comma = pools.size();
    if (comma > start) {
      pushString(L, std::string_view(pools).substr(start, comma - start));
      lua_rawseti(L, -2, ++i);
    }
    start = comma + 1;
  }
  return 1;
}

int isLoginDisabled(lua_State* L) {
  lua_pushboolean(L, LuaState::from(L)->services().options->disable_login == 1);
  return 1;
}

int isLoginBlacklisted(lua_State* L) {
  Args a(L, "ntop.isLoginBlacklisted");
  lua_pushboolean(L, users(L).isBlacklisted(a.string(1, "username")));
  return 1;
}

int isGuiAccessRestricted(lua_State* L) {
  lua_pushboolean(L, LuaState::from(L)->services().gui_access_restricted);
  return 1;
}

int getUserObservationPointId(lua_State* L) {
  Args(L, "ntop.getUserObservationPointId").string(1, "username");
  lua_pushinteger(L, 0);  // flowlens collects no flows from observation points
  return 1;
}

bool optFlag(lua_State* L, int idx) {
  if (lua_isboolean(L, idx)) return lua_toboolean(L, idx);
  return lua_isstring(L, idx) && std::string_view(lua_tostring(L, idx)) == "1";
}

int addUser(lua_State* L) {
  Args a(L, "ntop.addUser");
  auth::User u;
  u.name = std::string(a.string(1, "username"));
  u.full_name = std::string(a.string(2, "full_name"));
  const auto password = a.string(3, "password");
  u.group = std::string(a.string(4, "role"));
  u.allowed_nets = std::string(a.optString(5, "allowed_nets").value_or(""));
  u.allowed_ifname = std::string(a.optString(6, "allowed_iface").value_or(""));
  u.host_pool_id = std::string(a.optString(7, "host_pool").value_or(""));
  u.language = std::string(a.optString(8, "lang").value_or("en"));
  u.allow_pcap = optFlag(L, 9);
  u.allow_historical_flows = optFlag(L, 10);
  u.allow_alerts = optFlag(L, 11);
  u.allowed_host_pools = std::string(a.optString(12, "pools").value_or(""));
  if (!requireAdmin(L, "ntop.addUser")) return 1;
  return pushStatus(L, "ntop.addUser", users(L).add(u, password));
}

int deleteUser(lua_State* L) {
  Args a(L, "ntop.deleteUser");
  const std::string name(a.string(1, "username"));
  if (!requireAdmin(L, "ntop.deleteUser")) return 1;
  // Never the last administrator: nobody could manage flowlens any more.
  auto target = users(L).get(name);
  if (target && *target && (*target)->isAdministrator()) {
    auto all = users(L).list();
    int admins = 0;
    for (const auto& u : all ? *all : std::vector<auth::User>{}) admins += u.isAdministrator();
    if (admins <= 1) return pushStatus(L, "ntop.deleteUser", Error{"the last administrator stays"});
  }
  Status st = users(L).remove(name);
  // A user deleted keeps no session; a store failure there is the call's failure.
  if (st) st = LuaState::from(L)->services().sessions->destroyAll(name);
  return pushStatus(L, "ntop.deleteUser", st);
}

int resetUserPassword(lua_State* L) {
  Args a(L, "ntop.resetUserPassword");
  a.string(1, "who");  // the requester comes from the session, not from the script
  const std::string name(a.string(2, "username"));
  const auto old_pw = a.optString(3, "old_pw").value_or("");
  const auto new_pw = a.string(4, "new_pw");
  // One's own password always needs the old one (a stolen session must not take the account
  // over); an administrator resets other users' passwords without it.
  const bool own = ctx(L).request != nullptr && ctx(L).userName() == name;
  if (!ctx(L).isAdministrator() && !own) {
    return pushStatus(L, "ntop.resetUserPassword", Error{"a user changes only its own password"});
  }
  if (own) {
    auto ok = users(L).authenticate(name, old_pw);
    if (!ok || !*ok) return pushStatus(L, "ntop.resetUserPassword", Error{"wrong old password"});
  }
  Status st = users(L).setPassword(name, new_pw);
  // Every session of that user ends, the current one included: log in again with the new
  // password (a session stolen before the change dies with it).
  if (st) st = LuaState::from(L)->services().sessions->destroyAll(name);
  return pushStatus(L, "ntop.resetUserPassword", st);
}

int changeUserRole(lua_State* L) {
  Args a(L, "ntop.changeUserRole");
  const std::string name(a.string(1, "username"));
  const std::string role(a.string(2, "role"));
  if (!requireAdmin(L, "ntop.changeUserRole")) return 1;
  return pushStatus(L, "ntop.changeUserRole", users(L).setRole(name, role));
}

// changeX(username, value) for a text field; `self_ok` lets a user change its own.
int changeField(lua_State* L, const char* fn, const char* field, bool self_ok) {
  Args a(L, fn);
  const std::string name(a.string(1, "username"));
  const std::string value(a.string(2, "value"));
  if (!(self_ok && ctx(L).mayActFor(name)) && !requireAdmin(L, fn)) return 1;
  return pushStatus(L, fn, users(L).setField(name, field, value));
}

int changeAllowedNets(lua_State* L) {
  return changeField(L, "ntop.changeAllowedNets", "allowed_nets", false);
}
int changeAllowedIfname(lua_State* L) {
  return changeField(L, "ntop.changeAllowedIfname", "allowed_ifname", false);
}
int changeUserHostPool(lua_State* L) {
  return changeField(L, "ntop.changeUserHostPool", "host_pool_id", false);
}
int changeAllowedHostPools(lua_State* L) {
  return changeField(L, "ntop.changeAllowedHostPools", "allowed_host_pools", false);
}
int changeUserFullName(lua_State* L) {
  return changeField(L, "ntop.changeUserFullName", "full_name", true);
}
int changeUserLanguage(lua_State* L) {
  return changeField(L, "ntop.changeUserLanguage", "language", true);
}

int changeFlag(lua_State* L, const char* fn, const char* flag) {
  Args a(L, fn);
  const std::string name(a.string(1, "username"));
  const bool allow = a.boolean(2, "allow");
  if (!requireAdmin(L, fn)) return 1;
  return pushStatus(L, fn, users(L).setFlag(name, flag, allow));
}

int changePcapDownloadPermission(lua_State* L) {
  return changeFlag(L, "ntop.changePcapDownloadPermission", "allow_pcap");
}
int changeHistoricalFlowPermission(lua_State* L) {
  return changeFlag(L, "ntop.changeHistoricalFlowPermission", "allow_historical_flows");
}
int changeAlertsPermission(lua_State* L) {
  return changeFlag(L, "ntop.changeAlertsPermission", "allow_alerts");
}

int createUserSession(lua_State* L) {
  Args a(L, "ntop.createUserSession");
  const std::string name(a.string(1, "username"));
  const auto duration = a.optInteger(2, "duration");
  if (duration && *duration <= 0) a.fail("argument #2 (duration) must be positive");
  if (!ctx(L).mayActFor(name)) return failWithNil(L, "ntop.createUserSession", "not allowed");
  auto s = LuaState::from(L)->services().sessions->create(
      name, duration ? std::optional<std::chrono::seconds>(*duration) : std::nullopt);
  if (!s) return failWithNil(L, "ntop.createUserSession", s.error(), s.unavailable());
  pushString(L, s->id);
  return 1;
}

int createUserAPIToken(lua_State* L) {
  Args a(L, "ntop.createUserAPIToken");
  const std::string name(a.string(1, "username"));
  if (!ctx(L).mayActFor(name)) return failWithNil(L, "ntop.createUserAPIToken", "not allowed");
  auto t = users(L).createApiToken(name);
  if (!t) return failWithNil(L, "ntop.createUserAPIToken", t.error(), t.unavailable());
  pushString(L, *t);
  return 1;
}

int getUserAPIToken(lua_State* L) {
  Args a(L, "ntop.getUserAPIToken");
  const std::string name(a.string(1, "username"));
  if (!ctx(L).mayActFor(name)) return failWithNil(L, "ntop.getUserAPIToken", "not allowed");
  auto t = users(L).apiToken(name);
  if (!t) return failWithNil(L, "ntop.getUserAPIToken", t.error(), t.unavailable());
  if (*t) pushString(L, **t);
  else lua_pushnil(L);
  return 1;
}

int isAllowedInterface(lua_State* L) {
  Args a(L, "ntop.isAllowedInterface");
  const std::string ifname(a.string(1, "ifname"));
  const Request* r = ctx(L).request;
  lua_pushboolean(L, r == nullptr || r->mayUseInterface(ifname));
  return 1;
}

int isAllowedNetwork(lua_State* L) {
  Args a(L, "ntop.isAllowedNetwork");
  auto net = util::parsePrefix(a.string(1, "network"));
  if (!net) return failWithNil(L, "ntop.isAllowedNetwork", net.error());
  bool allowed = true;
  if (const Request* r = ctx(L).request; r && !r->allowed_nets.empty()) {
    auth::User u;
    u.allowed_nets = r->allowed_nets;
    allowed = false;
    for (const auto& n : u.allowedNetworks()) {  // the whole network must lie inside one
      if (n.bits <= net->bits && n.contains(net->network)) allowed = true;
    }
  }
  lua_pushboolean(L, allowed);
  return 1;
}

}  // namespace

const luaL_Reg kUsers[] = {
    {"getUsers", getUsers},
    {"getNologinUser", getNologinUser},
    {"isAdministrator", isAdministrator},
    {"isPcapDownloadAllowed", isPcapDownloadAllowed},
    {"getAllowedNetworks", getAllowedNetworks},
    {"getAllowedHostPools", getAllowedHostPools},
    {"isLoginDisabled", isLoginDisabled},
    {"isLoginBlacklisted", isLoginBlacklisted},
    {"isGuiAccessRestricted", isGuiAccessRestricted},
    {"getUserObservationPointId", getUserObservationPointId},
    {"addUser", addUser},
    {"deleteUser", deleteUser},
    {"resetUserPassword", resetUserPassword},
    {"changeUserRole", changeUserRole},
    {"changeAllowedNets", changeAllowedNets},
    {"changeAllowedIfname", changeAllowedIfname},
    {"changeUserHostPool", changeUserHostPool},
    {"changeAllowedHostPools", changeAllowedHostPools},
    {"changeUserFullName", changeUserFullName},
    {"changeUserLanguage", changeUserLanguage},
    {"changePcapDownloadPermission", changePcapDownloadPermission},
    {"changeHistoricalFlowPermission", changeHistoricalFlowPermission},
    {"changeAlertsPermission", changeAlertsPermission},
    {"createUserSession", createUserSession},
    {"createUserAPIToken", createUserAPIToken},
    {"getUserAPIToken", getUserAPIToken},
    {"isAllowedInterface", isAllowedInterface},
    {"isAllowedNetwork", isAllowedNetwork},
    {nullptr, nullptr},
};

}  // namespace flowlens::lua::ntop
