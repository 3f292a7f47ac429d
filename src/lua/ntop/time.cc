// Spec section 23: Time & Ticks. gettimemsec() is milliseconds and roundTime() rounds down,
// as the spec says (docs/compat.md).

#include <time.h>

#include "lua/args.h"
#include "lua/registry.h"
#include "util/time.h"

namespace flowlens::lua::ntop {
namespace {

int gettimemsec(lua_State* L) {
  lua_pushnumber(L, util::nowMillis());
  return 1;
}

int getticks(lua_State* L) {
  lua_pushinteger(L, static_cast<lua_Integer>(util::monotonicTicks()));
  return 1;
}

int gettickspersec(lua_State* L) {
  lua_pushinteger(L, static_cast<lua_Integer>(util::kTicksPerSecond));
  return 1;
}

int tzsetLua(lua_State* L) {
  tzset();
  return 0;
}

// roundTime(epoch, secs [, timezone]): timezone is true (the local zone), a zone name
// ("Europe/Rome"), or an offset in seconds east of UTC. Without it, UTC.
int roundTime(lua_State* L) {
  Args a(L, "ntop.roundTime");
  const int64_t epoch = a.integer(1, "epoch");
  const int64_t secs = a.integer(2, "secs");
  if (secs <= 0) a.fail("argument #2 (secs) must be positive");
  int64_t offset = 0;
  switch (lua_type(L, 3)) {
    case LUA_TNONE:
    case LUA_TNIL:
      break;
    case LUA_TBOOLEAN:
      if (lua_toboolean(L, 3)) offset = util::utcOffset("", epoch).value_or(0);
      break;
    case LUA_TNUMBER:
      offset = a.integer(3, "timezone");
      if (offset < -86400 || offset > 86400) a.fail("argument #3 (timezone) offset out of range");
      break;
    case LUA_TSTRING: {
      const std::string tz(a.string(3, "timezone"));
      auto off = util::utcOffset(tz, epoch);
      if (!off) a.fail("unknown timezone '" + tz + "'");
      offset = *off;
      break;
    }
    default:
      a.typeError(3, "timezone", "boolean, string or integer");
  }
  lua_pushinteger(L, util::roundTimeDown(epoch, secs, offset));
  return 1;
}

}  // namespace

const luaL_Reg kTime[] = {
    {"gettimemsec", gettimemsec},
    {"getticks", getticks},
    {"gettickspersec", gettickspersec},
    {"tzset", tzsetLua},
    {"roundTime", roundTime},
    {nullptr, nullptr},
};

}  // namespace flowlens::lua::ntop
