// Spec section 12: Logging. Messages carry the calling script's file and line, as ntopng's do.

#include <filesystem>

#include "core/log.h"
#include "lua/args.h"
#include "lua/registry.h"

namespace flowlens::lua::ntop {
namespace {

std::string where(lua_State* L) {
  lua_Debug ar;
  if (lua_getstack(L, 1, &ar) && lua_getinfo(L, "Sl", &ar) && ar.currentline > 0) {
    return "[" + std::filesystem::path(ar.short_src).filename().string() + ":" +
           std::to_string(ar.currentline) + "] ";
  }
  return "";
}

int checkLevel(const Args& a, int arg) {
  const int64_t level = a.integer(arg, "level");
  if (level < log::kError || level > log::kDebug) a.fail("level must be 0 (error) .. 4 (debug)");
  return static_cast<int>(level);
}

int traceEvent(lua_State* L) {
  Args a(L, "ntop.traceEvent");
  const int level = checkLevel(a, 1);
  log::write(level, where(L) + std::string(a.string(2, "msg")));
  return 0;
}

int verboseTrace(lua_State* L) {
  // With a message: logged at debug level. Always returns whether debug tracing is on, which
  // is what ntopng's scripts ask it ("local verbose = ntop.verboseTrace()").
  Args a(L, "ntop.verboseTrace");
  if (auto msg = a.optString(1, "msg")) log::write(log::kDebug, where(L) + std::string(*msg));
  lua_pushboolean(L, log::level() >= log::kDebug);
  return 1;
}

int setLoggingLevel(lua_State* L) {
  Args a(L, "ntop.setLoggingLevel");
  const std::string name(a.string(1, "level"));
  const int level = log::levelFromName(name);
  if (level < 0) a.fail("unknown level '" + name + "' (error, warning, normal, info, debug)");
  log::setLevel(level);
  return 0;
}

int syslog(lua_State* L) {
  Args a(L, "ntop.syslog");
  const int level = checkLevel(a, 1);
  log::syslog(level, a.string(2, "msg"));
  return 0;
}

}  // namespace

const luaL_Reg kLogging[] = {
    {"traceEvent", traceEvent},
    {"verboseTrace", verboseTrace},
    {"setLoggingLevel", setLoggingLevel},
    {"syslog", syslog},
    {nullptr, nullptr},
};

}  // namespace flowlens::lua::ntop
