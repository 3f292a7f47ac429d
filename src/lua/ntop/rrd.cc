// Spec section 14: RRD, over util::rrd (librrd). Answers as ntopng's, which its timeseries
// driver (rrd.lua) reads: rrd_create/update/tune return nothing on success and the error's
// text on failure; rrd_fetch and rrd_fetch_columns return several values (docs/api/rrd.md).

#include <cmath>
#include <ctime>

#include "core/log.h"
#include "lua/args.h"
#include "lua/registry.h"
#include "lua/state.h"
#include "util/rrd.h"

namespace flowlens::lua::ntop {
namespace {

namespace rrd = util::rrd;

// Logs the failure and returns its text, as ntopng's create/update/tune do.
int failWithText(lua_State* L, const char* fn, const std::string& message) {
  failNothing(L, fn, message);
  pushString(L, message);
  return 1;
}

// A number or string argument as text: integers without a fraction, other numbers exactly.
std::string textArg(lua_State* L, const Args& a, int arg, const char* name) {
  if (lua_isinteger(L, arg)) return std::to_string(lua_tointeger(L, arg));
  if (lua_type(L, arg) == LUA_TNUMBER) {
    const double v = lua_tonumber(L, arg);
    if (std::isnan(v)) return "U";
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
  }
  if (lua_type(L, arg) == LUA_TSTRING) return lua_tostring(L, arg);
  a.typeError(arg, name, "number or string");
}

// rrd_create(path, step [, start], "DS:...", ..., "RRA:...", ...): start defaults to a day ago.
int rrdCreate(lua_State* L) {
  constexpr const char* kFn = "ntop.rrd_create";
  Args a(L, kFn);
  const std::string path(a.string(1, "path"));
  const int64_t step = a.integer(2, "step");
  if (step <= 0) a.fail("argument #2 (step) must be positive");
  time_t start = std::time(nullptr) - 86400;
  int first = 3;
  if (lua_type(L, 3) == LUA_TNUMBER) {
    start = static_cast<time_t>(a.integer(3, "start"));
    first = 4;
  }
  std::vector<std::string> defs;
  for (int i = first; i <= lua_gettop(L); ++i) defs.push_back(textArg(L, a, i, "definition"));
  if (Status st = rrd::create(path, static_cast<uint64_t>(step), start, defs); !st) {
    return failWithText(L, kFn, st.error());
  }
  return 0;
}

// rrd_update(path, when, v1, v2, ...): when is "N", nil (now) or epoch seconds; values are
// numbers (NaN: unknown) or strings ("U").
int rrdUpdate(lua_State* L) {
  constexpr const char* kFn = "ntop.rrd_update";
  Args a(L, kFn);
  const std::string path(a.string(1, "path"));
  const std::string when = lua_isnoneornil(L, 2) ? "N" : textArg(L, a, 2, "timestamp");
  std::vector<std::string> values;
  for (int i = 3; i <= lua_gettop(L); ++i) values.push_back(textArg(L, a, i, "value"));
  if (Status st = rrd::update(path, when, values); !st) return failWithText(L, kFn, st.error());
  return 0;
}

// The fetch arguments shared by rrd_fetch and rrd_fetch_columns.
Result<rrd::Series> fetchArgs(lua_State* L, const Args& a) {
  const std::string path(a.string(1, "path"));
  const std::string cf(a.string(2, "cf"));
  const std::string start = textArg(L, a, 3, "start");
  const std::string end = textArg(L, a, 4, "end");
  const int64_t step = a.optInteger(5, "step").value_or(0);
  if (step < 0) a.fail("argument #5 (step) must not be negative");
  auto range = rrd::parseRange(start, end);
  if (!range) return Error{range.error()};
  return rrd::fetch(path, cf, range->first, range->second, static_cast<uint64_t>(step));
}

void pushNames(lua_State* L, const rrd::Series& s) {
  lua_createtable(L, static_cast<int>(s.names.size()), 0);
  for (size_t i = 0; i < s.names.size(); ++i) {
    pushString(L, s.names[i]);
    lua_rawseti(L, -2, static_cast<lua_Integer>(i + 1));
  }
}

// rrd_fetch(path, cf, start, end [, step]) -> start, step, names, rows, end: one row per step,
// {[ds index] = value}, unknown values left out.
int rrdFetch(lua_State* L) {
  constexpr const char* kFn = "ntop.rrd_fetch";
  Args a(L, kFn);
  auto s = fetchArgs(L, a);
  if (!s) return failWithNil(L, kFn, s.error());
  lua_pushinteger(L, s->start);
  lua_pushinteger(L, static_cast<lua_Integer>(s->step));
  pushNames(L, *s);
  lua_createtable(L, static_cast<int>(s->rows()), 0);
  for (size_t r = 0; r < s->rows(); ++r) {
    lua_createtable(L, static_cast<int>(s->names.size()), 0);
    for (size_t d = 0; d < s->names.size(); ++d) {
      if (std::isnan(s->at(r, d))) continue;
      lua_pushnumber(L, s->at(r, d));
      lua_rawseti(L, -2, static_cast<lua_Integer>(d + 1));
    }
    lua_rawseti(L, -2, static_cast<lua_Integer>(r + 1));
  }
  lua_pushinteger(L, s->end);
  return 5;
}

// rrd_fetch_columns(path, cf, start, end [, step]) -> start, step, {[ds name] = {values}}, end,
// points, names: unknown values are NaN (v ~= v).
int rrdFetchColumns(lua_State* L) {
  constexpr const char* kFn = "ntop.rrd_fetch_columns";
  Args a(L, kFn);
  auto s = fetchArgs(L, a);
  if (!s) return failWithNil(L, kFn, s.error());
  lua_pushinteger(L, s->start);
  lua_pushinteger(L, static_cast<lua_Integer>(s->step));
  lua_createtable(L, 0, static_cast<int>(s->names.size()));
  for (size_t d = 0; d < s->names.size(); ++d) {
    lua_createtable(L, static_cast<int>(s->rows()), 0);
    for (size_t r = 0; r < s->rows(); ++r) {
      lua_pushnumber(L, s->at(r, d));
      lua_rawseti(L, -2, static_cast<lua_Integer>(r + 1));
    }
    lua_setfield(L, -2, s->names[d].c_str());
  }
  lua_pushinteger(L, s->end);
  lua_pushinteger(L, static_cast<lua_Integer>(s->rows()));
  pushNames(L, *s);
  return 6;
}

// rrd_lastupdate(path) -> last update (epoch), number of data sources; nil when unreadable.
int rrdLastUpdate(lua_State* L) {
  constexpr const char* kFn = "ntop.rrd_lastupdate";
  Args a(L, kFn);
  auto u = rrd::lastUpdate(std::string(a.string(1, "path")));
  if (!u) return failWithNil(L, kFn, u.error(), /*quiet=*/true);
  lua_pushinteger(L, u->when);
  lua_pushinteger(L, static_cast<lua_Integer>(u->names.size()));
  return 2;
}

// rrd_tune(path, arg, ...): rrdtool tune's arguments.
int rrdTune(lua_State* L) {
  constexpr const char* kFn = "ntop.rrd_tune";
  Args a(L, kFn);
  const std::string path(a.string(1, "path"));
  std::vector<std::string> args;
  for (int i = 2; i <= lua_gettop(L); ++i) args.push_back(textArg(L, a, i, "argument"));
  if (Status st = rrd::tune(path, args); !st) return failWithText(L, kFn, st.error());
  return 0;
}

// rrd_inc_num_drops([n]): counts timeseries writes a script gave up (ntop.systemHostStat's
// timeseries_write_drops). A path in first place (the spec's form) counts one.
int rrdIncNumDrops(lua_State* L) {
  Args a(L, "ntop.rrd_inc_num_drops");
  int64_t n = 1;
  if (lua_type(L, 1) == LUA_TNUMBER) n = a.integer(1, "n");
  if (n > 0) LuaState::from(L)->services().ts_write_drops += static_cast<uint64_t>(n);
  return 0;
}

// deleteOldRRDs([dir, older_than_secs]), administrators only: removes the RRDs below `dir`
// (default: the data directory) not updated for `older_than_secs` (default 365 days), and the
// directories that leaves empty. Stops at the run's time limit.
int deleteOldRRDs(lua_State* L) {
  constexpr const char* kFn = "ntop.deleteOldRRDs";
  Args a(L, kFn);
  LuaState* state = LuaState::from(L);
  const Services& s = state->services();
  const std::string dir(a.optString(1, "dir").value_or(s.dirs->workingdir));
  const int64_t age = a.optInteger(2, "older_than_secs").value_or(365 * 86400);
  if (age < 0) a.fail("argument #2 (older_than_secs) must not be negative");
  if (!state->context().isAdministrator()) {
    return failNothing(L, kFn, "only administrators delete RRD files");
  }
  auto removed = rrd::deleteOlderThan(dir, age, std::time(nullptr),
                                      [state] { return state->deadlinePassed(); });
  if (state->deadlinePassed()) return state->stopRun(L);
  if (!removed) return failNothing(L, kFn, removed.error());
  log::debug("{}: {} RRD files removed below {}", kFn, *removed, dir);
  return 0;
}

}  // namespace

const luaL_Reg kRrd[] = {
    {"rrd_create", rrdCreate},
    {"rrd_update", rrdUpdate},
    {"rrd_fetch", rrdFetch},
    {"rrd_fetch_columns", rrdFetchColumns},
    {"rrd_lastupdate", rrdLastUpdate},
    {"rrd_tune", rrdTune},
    {"rrd_inc_num_drops", rrdIncNumDrops},
    {"deleteOldRRDs", deleteOldRRDs},
    {nullptr, nullptr},
};

}  // namespace flowlens::lua::ntop
