#include "lua/args.h"

#include "core/log.h"

namespace flowlens::lua {

void Args::fail(const std::string& message) const {
  luaL_error(L_, "%s: %s", fn_, message.c_str());
  __builtin_unreachable();
}

void Args::typeError(int arg, const char* name, const char* expected) const {
  luaL_error(L_, "%s: argument #%d (%s) expected %s, got %s", fn_, arg, name, expected,
             luaL_typename(L_, arg));
  __builtin_unreachable();
}

std::string_view Args::string(int arg, const char* name) const {
  const int t = lua_type(L_, arg);
  if (t != LUA_TSTRING && t != LUA_TNUMBER) typeError(arg, name, "string");
  size_t len = 0;
  const char* s = lua_tolstring(L_, arg, &len);
  return {s, len};
}

int64_t Args::integer(int arg, const char* name) const {
  int ok = 0;
  const lua_Integer v = lua_tointegerx(L_, arg, &ok);
  if (!ok) {
    typeError(arg, name, lua_type(L_, arg) == LUA_TNUMBER ? "integer (got a fraction)" : "integer");
  }
  return v;
}

double Args::number(int arg, const char* name) const {
  int ok = 0;
  const lua_Number v = lua_tonumberx(L_, arg, &ok);
  if (!ok) typeError(arg, name, "number");
  return v;
}

bool Args::boolean(int arg, const char* name) const {
  if (lua_type(L_, arg) != LUA_TBOOLEAN) typeError(arg, name, "boolean");
  return lua_toboolean(L_, arg) != 0;
}

void Args::table(int arg, const char* name) const {
  if (lua_type(L_, arg) != LUA_TTABLE) typeError(arg, name, "table");
}

std::optional<std::string_view> Args::optString(int arg, const char* name) const {
  if (absent(arg)) return std::nullopt;
  return string(arg, name);
}

std::optional<int64_t> Args::optInteger(int arg, const char* name) const {
  if (absent(arg)) return std::nullopt;
  return integer(arg, name);
}

std::optional<bool> Args::optBoolean(int arg, const char* name) const {
  if (absent(arg)) return std::nullopt;
  return boolean(arg, name);
}

int failWithNil(lua_State* L, const char* function, const std::string& message, bool quiet) {
  luaL_where(L, 1);
  log::write(quiet ? log::kDebug : log::kWarning,
             fmt::format("{}{}: {}", lua_tostring(L, -1), function, message));
  lua_pop(L, 1);
  lua_pushnil(L);
  return 1;
}

int nothingOrNilAndError(lua_State* L, const char* function, const Status& st) {
  if (st) return 0;
  failWithNil(L, function, st.error(), st.unavailable());
  lua_pushlstring(L, st.error().data(), st.error().size());
  return 2;
}

int failNothing(lua_State* L, const char* function, const std::string& message, bool quiet) {
  failWithNil(L, function, message, quiet);
  lua_pop(L, 1);
  return 0;
}

Result<util::IpAddress> addressArg(lua_State* L, const char* function, int arg) {
  std::string_view text = Args(L, function).string(arg, "ip");
  if (auto at = text.find('@'); at != std::string_view::npos) text = text.substr(0, at);
  auto ip = util::parseIp(text);
  if (!ip) return Error{"not an IP address '" + std::string(text) + "'"};
  return *ip;
}

}  // namespace flowlens::lua
