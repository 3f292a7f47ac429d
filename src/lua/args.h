#pragma once
// Argument checks shared by every binding. A wrong type raises a Lua error worded like
// "ntop.setCache: argument #2 (value) expected string, got nil".

#include <lua.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "util/ip.h"

namespace flowlens::lua {

class Args {
 public:
  Args(lua_State* L, const char* function) : L_(L), fn_(function) {}

  std::string_view string(int arg, const char* name) const;
  int64_t integer(int arg, const char* name) const;
  double number(int arg, const char* name) const;
  bool boolean(int arg, const char* name) const;
  void table(int arg, const char* name) const;

  std::optional<std::string_view> optString(int arg, const char* name) const;
  std::optional<int64_t> optInteger(int arg, const char* name) const;
  std::optional<bool> optBoolean(int arg, const char* name) const;

  // Raises "<function>: <message>".
  [[noreturn]] void fail(const std::string& message) const;
  [[noreturn]] void typeError(int arg, const char* name, const char* expected) const;

 private:
  bool absent(int arg) const { return lua_type(L_, arg) <= LUA_TNIL; }
  lua_State* L_;
  const char* fn_;
};

// Push helpers.
inline void pushString(lua_State* L, std::string_view s) { lua_pushlstring(L, s.data(), s.size()); }
inline void setField(lua_State* L, const char* k, std::string_view v) {
  pushString(L, v);
  lua_setfield(L, -2, k);
}
inline void setField(lua_State* L, const char* k, const char* v) {
  lua_pushstring(L, v);
  lua_setfield(L, -2, k);
}
inline void setField(lua_State* L, const char* k, const std::string& v) {
  setField(L, k, std::string_view(v));
}
inline void setField(lua_State* L, const char* k, bool v) {
  lua_pushboolean(L, v);
  lua_setfield(L, -2, k);
}
inline void setField(lua_State* L, const char* k, int64_t v) {
  lua_pushinteger(L, v);
  lua_setfield(L, -2, k);
}
inline void setField(lua_State* L, const char* k, uint64_t v) {
  lua_pushinteger(L, static_cast<lua_Integer>(v));
  lua_setfield(L, -2, k);
}
inline void setField(lua_State* L, const char* k, int v) { setField(L, k, int64_t{v}); }
inline void setField(lua_State* L, const char* k, double v) {
  lua_pushnumber(L, v);
  lua_setfield(L, -2, k);
}

// Logs `message` (with the calling script's file:line) and pushes nil: the policy for an
// operation that failed although its arguments were right.
// `quiet` (the service is down and said so once) logs at debug level only.
int failWithNil(lua_State* L, const char* function, const std::string& message,
                bool quiet = false);
// The same policy for a function that returns nothing: logs, returns nothing.
int failNothing(lua_State* L, const char* function, const std::string& message, bool quiet = false);
// For a function whose success returns nothing and whose failure tells why: nothing when `st`
// is ok, else (logged, at debug level when the service is down) nil and the error.
int nothingOrNilAndError(lua_State* L, const char* function, const Status& st);

// The address in string argument `arg` (named "ip"): an IPv4/IPv6 address, or ntopng's host
// key "ip@vlan" (the VLAN is dropped). Not an address: an error "not an IP address '<text>'".
// A missing or non-string argument raises as Args::string does.
Result<util::IpAddress> addressArg(lua_State* L, const char* function, int arg);

}  // namespace flowlens::lua
