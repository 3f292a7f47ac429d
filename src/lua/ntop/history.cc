// Spec section 13: Historical Statistics (SQLite), over store::SamplingStore. The range
// functions answer ntopng's shape, a table keyed by the samples' text (scripts iterate it with
// `for record, _ in pairs(t)`), whose values are the samples' times (ntopng: "").

#include <ctime>

#include "lua/args.h"
#include "lua/registry.h"
#include "lua/state.h"
#include "store/sampling_store.h"

namespace flowlens::lua::ntop {
namespace {

using store::Granularity;

constexpr int64_t kUnit[] = {60, 3600, 86400};  // seconds per minute, hour, day sample

store::SamplingStore& samplings(lua_State* L) {
  return *LuaState::from(L)->services().samplings;
}

// The interface id in argument 1, if it is one the user may see.
std::optional<int> ifidArg(lua_State* L, const Args& a, const char* fn) {
  const int64_t ifid = a.integer(1, "ifid");
  const ScriptContext& ctx = LuaState::from(L)->context();
  NetworkInterface* iface = ifid < 0 || ifid > INT32_MAX
                                ? nullptr
                                : ctx.services->interfaces->byId(static_cast<int>(ifid));
  if (!iface || (ctx.request && !ctx.request->mayUseInterface(iface->name()))) {
    failNothing(L, fn, "no interface " + std::to_string(ifid));
    return std::nullopt;
  }
  return static_cast<int>(ifid);
}

int insertSampling(lua_State* L, const char* fn, Granularity g) {
  Args a(L, fn);
  const auto ifid = ifidArg(L, a, fn);
  const std::string_view data = a.string(2, "data");
  if (!ifid) return 0;
  if (Status st = samplings(L).insert(*ifid, g, std::time(nullptr), data); !st) {
    return failNothing(L, fn, st.error());
  }
  return 0;
}
int insertMinuteSampling(lua_State* L) {
  return insertSampling(L, "ntop.insertMinuteSampling", Granularity::kMinute);
}
int insertHourSampling(lua_State* L) {
  return insertSampling(L, "ntop.insertHourSampling", Granularity::kHour);
}
int insertDaySampling(lua_State* L) {
  return insertSampling(L, "ntop.insertDaySampling", Granularity::kDay);
}

// getMinuteSampling(ifid, epoch) -> the sample of that minute, or nil.
int getMinuteSampling(lua_State* L) {
  constexpr const char* kFn = "ntop.getMinuteSampling";
  Args a(L, kFn);
  const auto ifid = ifidArg(L, a, kFn);
  const int64_t epoch = a.integer(2, "epoch");
  if (!ifid) {
    lua_pushnil(L);
    return 1;
  }
  auto s = samplings(L).minuteAt(*ifid, static_cast<time_t>(epoch));
  if (!s) return failWithNil(L, kFn, s.error());
  if (!*s) {
    lua_pushnil(L);
  } else {
    pushString(L, **s);
  }
  return 1;
}

int pushRange(lua_State* L, const char* fn, int ifid, Granularity g, int64_t from, int64_t to) {
  auto rows = samplings(L).range(ifid, g, static_cast<time_t>(from), static_cast<time_t>(to));
  if (!rows) return failWithNil(L, fn, rows.error());
  lua_createtable(L, 0, static_cast<int>(rows->size()));
  for (const store::Sample& s : *rows) {
    pushString(L, s.data);
    lua_pushinteger(L, s.when);
    lua_settable(L, -3);
  }
  return 1;
}

// get*SamplingsFromEpoch(ifid, epoch): the samples from `epoch` on (the spec); with a third
// argument n, ntopng's: the n minutes (hours, days) up to `epoch` (rounded down to the minute).
int samplingsFromEpoch(lua_State* L, const char* fn, Granularity g) {
  Args a(L, fn);
  const auto ifid = ifidArg(L, a, fn);
  const int64_t epoch = a.integer(2, "epoch");
  const auto count = a.optInteger(3, "num");
  if (count && *count < 0) a.fail("argument #3 (num) must not be negative");
  if (!ifid) {
    lua_pushnil(L);
    return 1;
  }
  if (!count) return pushRange(L, fn, *ifid, g, epoch, INT64_MAX);
  const int64_t end = epoch - ((epoch % 60) + 60) % 60;  // the minute's start
  int64_t span = 0, from = 0;
  if (__builtin_mul_overflow(*count, kUnit[int(g)], &span) ||
      __builtin_sub_overflow(end, span, &from)) {
    from = INT64_MIN;
  }
  return pushRange(L, fn, *ifid, g, from, end);
}
int getMinuteSamplingsFromEpoch(lua_State* L) {
  return samplingsFromEpoch(L, "ntop.getMinuteSamplingsFromEpoch", Granularity::kMinute);
}
int getHourSamplingsFromEpoch(lua_State* L) {
  return samplingsFromEpoch(L, "ntop.getHourSamplingsFromEpoch", Granularity::kHour);
}
int getDaySamplingsFromEpoch(lua_State* L) {
  return samplingsFromEpoch(L, "ntop.getDaySamplingsFromEpoch", Granularity::kDay);
}

// getMinuteSamplingsInterval(ifid, from, to): from <= time <= to.
int getMinuteSamplingsInterval(lua_State* L) {
  constexpr const char* kFn = "ntop.getMinuteSamplingsInterval";
  Args a(L, kFn);
  const auto ifid = ifidArg(L, a, kFn);
  const int64_t from = a.integer(2, "from");
  const int64_t to = a.integer(3, "to");
  if (!ifid) {
    lua_pushnil(L);
    return 1;
  }
  return pushRange(L, kFn, *ifid, Granularity::kMinute, from, to);
}

// delete*StatsOlderThan(ifid, days), administrators only: samples older than `days` days
// before the current minute.
int deleteOlderThan(lua_State* L, const char* fn, Granularity g) {
  Args a(L, fn);
  const auto ifid = ifidArg(L, a, fn);
  const int64_t days = a.integer(2, "days");
  if (days < 0) a.fail("argument #2 (days) must not be negative");
  if (!ifid) return 0;
  if (!LuaState::from(L)->context().isAdministrator()) {
    return failNothing(L, fn, "only administrators delete samples");
  }
  const time_t now = std::time(nullptr);
  const int64_t cutoff = (now - now % 60) - std::min<int64_t>(days, 1000000) * 86400;
  if (auto n = samplings(L).deleteBefore(*ifid, g, static_cast<time_t>(cutoff)); !n) {
    return failNothing(L, fn, n.error());
  }
  return 0;
}
int deleteMinuteStatsOlderThan(lua_State* L) {
  return deleteOlderThan(L, "ntop.deleteMinuteStatsOlderThan", Granularity::kMinute);
}
int deleteHourStatsOlderThan(lua_State* L) {
  return deleteOlderThan(L, "ntop.deleteHourStatsOlderThan", Granularity::kHour);
}
int deleteDayStatsOlderThan(lua_State* L) {
  return deleteOlderThan(L, "ntop.deleteDayStatsOlderThan", Granularity::kDay);
}

}  // namespace

const luaL_Reg kHistory[] = {
    {"insertMinuteSampling", insertMinuteSampling},
    {"insertHourSampling", insertHourSampling},
    {"insertDaySampling", insertDaySampling},
    {"getMinuteSampling", getMinuteSampling},
    {"getMinuteSamplingsFromEpoch", getMinuteSamplingsFromEpoch},
    {"getHourSamplingsFromEpoch", getHourSamplingsFromEpoch},
    {"getDaySamplingsFromEpoch", getDaySamplingsFromEpoch},
    {"getMinuteSamplingsInterval", getMinuteSamplingsInterval},
    {"deleteMinuteStatsOlderThan", deleteMinuteStatsOlderThan},
    {"deleteHourStatsOlderThan", deleteHourStatsOlderThan},
    {"deleteDayStatsOlderThan", deleteDayStatsOlderThan},
    {nullptr, nullptr},
};

}  // namespace flowlens::lua::ntop
