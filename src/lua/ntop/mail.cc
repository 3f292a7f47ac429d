// Spec section 33, ntop.sendMail, over util::sendMail (libcurl SMTP).

#include <sstream>

#include "lua/args.h"
#include "lua/registry.h"
#include "lua/state.h"
#include "util/mail.h"

namespace flowlens::lua::ntop {
namespace {

// "a@x, b@y" -> {"a@x", "b@y"}
std::vector<std::string> addresses(std::string_view list) {
  std::vector<std::string> out;
  std::stringstream ss{std::string(list)};
  std::string a;
  while (std::getline(ss, a, ',')) {
    const size_t b = a.find_first_not_of(" \t");
    const size_t e = a.find_last_not_of(" \t");
    if (b != std::string::npos) out.push_back(a.substr(b, e - b + 1));
  }
  return out;
}

// A table field: a string, or (for lists) an array of strings.
std::vector<std::string> listField(lua_State* L, const Args& a, const char* key) {
  std::vector<std::string> out;
  const int t = lua_getfield(L, 1, key);
  if (t == LUA_TSTRING) {
    out = addresses(lua_tostring(L, -1));
  } else if (t == LUA_TTABLE) {
    for (lua_Integer i = 1; i <= luaL_len(L, -1); ++i) {
      lua_rawgeti(L, -1, i);
      if (lua_type(L, -1) != LUA_TSTRING) a.fail(std::string("params.") + key + ": strings only");
      out.emplace_back(lua_tostring(L, -1));
      lua_pop(L, 1);
    }
  } else if (t != LUA_TNIL) {
    a.fail(std::string("params.") + key + " must be a string or a list of strings");
  }
  lua_pop(L, 1);
  return out;
}

std::string strField(lua_State* L, const Args& a, const char* key) {
  const int t = lua_getfield(L, 1, key);
  std::string v;
  if (t == LUA_TSTRING || t == LUA_TNUMBER) v = lua_tostring(L, -1);
  else if (t != LUA_TNIL) a.fail(std::string("params.") + key + " must be a string");
  lua_pop(L, 1);
  return v;
}

// sendMail(params) -> whether the server took the message. params: {server (or smtp_server),
// from, to, cc, subject, body | message, username, password, timeout, no_verify_cert}; or
// ntopng's (from, to, cc, message, smtp_server [, username, password]).
int sendMail(lua_State* L) {
  constexpr const char* kFn = "ntop.sendMail";
  Args a(L, kFn);
  util::Mail m;
  std::optional<int64_t> timeout;
  if (lua_istable(L, 1)) {
    m.server = strField(L, a, "server");
    if (m.server.empty()) m.server = strField(L, a, "smtp_server");
    m.from = strField(L, a, "from");
    m.to = listField(L, a, "to");
    m.cc = listField(L, a, "cc");
    m.subject = strField(L, a, "subject");
    m.body = strField(L, a, "body");
    m.message = strField(L, a, "message");
    m.username = strField(L, a, "username");
    m.password = strField(L, a, "password");
    lua_getfield(L, 1, "timeout");
    if (lua_isinteger(L, -1)) timeout = lua_tointeger(L, -1);
    lua_pop(L, 1);
    lua_getfield(L, 1, "no_verify_cert");
    m.verify_cert = !lua_toboolean(L, -1);
    lua_pop(L, 1);
    lua_getfield(L, 1, "require_tls");
    m.require_tls = lua_toboolean(L, -1);
    lua_pop(L, 1);
  } else {
    m.from = a.string(1, "from");
    m.to = addresses(a.string(2, "to"));
    m.cc = addresses(a.string(3, "cc"));
    m.message = a.string(4, "message");
    m.server = a.string(5, "smtp_server");
    m.username = a.optString(6, "username").value_or("");
    m.password = a.optString(7, "password").value_or("");
  }
  if (Status st = util::validate(m); !st) a.fail(st.error());
  LuaState* s = LuaState::from(L);
  m.timeout = s->context().waitFor(timeout, 30, 300);
  const Status st = util::sendMail(m);
  if (s->deadlinePassed()) return s->stopRun(L);
  if (!st) {
    failNothing(L, kFn, st.error());
    lua_pushboolean(L, false);
    return 1;
  }
  lua_pushboolean(L, true);
  return 1;
}

}  // namespace

const luaL_Reg kMail[] = {
    {"sendMail", sendMail},
    {nullptr, nullptr},
};

}  // namespace flowlens::lua::ntop
