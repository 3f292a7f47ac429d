// Spec section 3: System & Information.

#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <openssl/opensslv.h>

#include <ctime>
#include <filesystem>

#include "core/build_info.h"
#include "core/system_stats.h"
#include "lua/args.h"
#include "lua/registry.h"
#include "lua/state.h"
#include "lua/state_pool.h"
#include "util/fs.h"
#include "util/text.h"

extern "C" const char* mg_version(void);

namespace flowlens::lua::ntop {
namespace {

Services& services(lua_State* L) { return LuaState::from(L)->services(); }

int getDirs(lua_State* L) {
  const Dirs& d = *services(L).dirs;
  lua_createtable(L, 0, 10);
  setField(L, "installdir", d.installdir);
  setField(L, "scriptdir", d.scriptdir);
  setField(L, "httpdocsdir", d.httpdocsdir);
  setField(L, "workingdir", d.workingdir);
  setField(L, "bindir", d.bindir);
  setField(L, "callbacksdir", d.callbacksdir);
  setField(L, "pcapdir", d.pcapdir);
  setField(L, "dbarchivedir", d.dbarchivedir);
  setField(L, "etcdir", d.etcdir);
  setField(L, "sharedir", d.sharedir);
  return 1;
}

int64_t uptime(lua_State* L) { return std::time(nullptr) - services(L).startup_epoch; }

std::string formatUptime(int64_t secs) {
  char buf[64];
  const int64_t days = secs / 86400, h = (secs / 3600) % 24, m = (secs / 60) % 60;
  if (days > 0) {
    std::snprintf(buf, sizeof(buf), "%lld days, %02lld:%02lld", static_cast<long long>(days),
                  static_cast<long long>(h), static_cast<long long>(m));
  } else {
    std::snprintf(buf, sizeof(buf), "%02lld:%02lld", static_cast<long long>(h),
                  static_cast<long long>(m));
  }
  return buf;
}

int getInfo(lua_State* L) {
  Args a(L, "ntop.getInfo");
  const bool verbose = a.optBoolean(1, "verbose").value_or(true);
  Services& s = services(L);
  utsname u{};
  uname(&u);
  lua_createtable(L, 0, 32);
  setField(L, "product", "flowlens");
  setField(L, "copyright", "(C) 2026 The flowlens authors");
  setField(L, "authors", "The flowlens authors");
  setField(L, "license", "Open source");
  setField(L, "version", std::string(build::kVersion));
  setField(L, "revision", std::string(build::kGitRevision));
  setField(L, "git", std::string(build::kGitRevision));
  setField(L, "platform", std::string(u.machine) + "-" + u.sysname);
  setField(L, "OS", std::string(u.sysname) + " " + u.release);
  setField(L, "pid", static_cast<int64_t>(getpid()));
  setField(L, "uptime", formatUptime(uptime(L)));
  setField(L, "uptime_sec", uptime(L));
  setField(L, "starttime", static_cast<int64_t>(s.startup_epoch));
  setField(L, "http_port", s.options->http.port);
  setField(L, "https_port", s.options->https.port);
  setField(L, "pro.release", false);
  setField(L, "pro.has_valid_license", false);
  setField(L, "pro.systemid", "");
  setField(L, "version.enterprise_edition", false);
  setField(L, "version.enterprise_m_edition", false);
  setField(L, "version.enterprise_l_edition", false);
  setField(L, "version.enterprise_xl_edition", false);
  setField(L, "version.nedge_edition", false);
  setField(L, "version.nedge_enterprise_edition", false);
  setField(L, "version.embedded_edition", false);
  if (verbose) {
    setField(L, "command_line", s.options->command_line);
    setField(L, "instance_name", s.options->instance_name);
    setField(L, "version.lua", LUA_RELEASE);
    setField(L, "version.httpd", std::string("civetweb ") + mg_version());
    setField(L, "version.openssl", OPENSSL_VERSION_TEXT);
    setField(L, "build_type", std::string(build::kBuildType));
  }
  return 1;
}

int getUptime(lua_State* L) {
  lua_pushinteger(L, uptime(L));
  return 1;
}

int systemHostStat(lua_State* L) {
  Services& s = services(L);
  const MemInfo m = readMemInfo();
  lua_createtable(L, 0, 18);
  if (auto load = s.cpu->last()) setField(L, "cpu_load", *load);
  lua_createtable(L, 0, 10);
  for (const auto& [state, pct] : s.cpu->states()) setField(L, state.c_str(), pct);
  lua_setfield(L, -2, "cpu_states");
  setField(L, "mem_total", m.total);
  setField(L, "mem_free", m.free);
  setField(L, "mem_buffers", m.buffers);
  setField(L, "mem_cached", m.cached);
  setField(L, "mem_sreclaimable", m.sreclaimable);
  setField(L, "mem_shmem", m.shmem);
  setField(L, "mem_used", m.used);
  setField(L, "mem_ntopng_resident", m.process_resident);
  setField(L, "mem_ntopng_virtual", m.process_virtual);
  // flowlens's own: the HTTP workers' Lua states now alive, and their cap (--lua-states).
  setField(L, "lua_states", uint64_t{s.lua_states ? s.lua_states->liveStates() : 0});
  setField(L, "lua_states_max", uint64_t{s.lua_states ? s.lua_states->maxStates() : 0});
  setField(L, "written_alerts", s.alerts_written.load());
  setField(L, "dropped_alerts", s.alerts_dropped.load());
  setField(L, "timeseries_write_drops", s.ts_write_drops.load());
  setField(L, "alerts_queries", uint64_t{0});
  return 1;
}

int threadsInfo(lua_State* L) {
  const auto threads = listThreads();
  lua_createtable(L, static_cast<int>(threads.size()), 0);
  int i = 0;
  for (const auto& t : threads) {
    lua_createtable(L, 0, 4);
    setField(L, "tid", t.tid);
    setField(L, "name", t.name);
    setField(L, "user_ticks", t.user_ticks);
    setField(L, "system_ticks", t.system_ticks);
    lua_rawseti(L, -2, ++i);
  }
  return 1;
}

int refreshCPULoad(lua_State* L) {
  auto load = services(L).cpu->refresh();
  if (!load) load = services(L).cpu->last();
  if (load) lua_pushnumber(L, *load);
  else lua_pushnil(L);
  return 1;
}

int checkLicense(lua_State* L) {
  lua_pushinteger(L, 1);  // nothing to validate: flowlens has no licence key
  return 1;
}

int getSystemAlertsStats(lua_State* L) {
  Services& s = services(L);
  lua_createtable(L, 0, 2);
  setField(L, "written_alerts", s.alerts_written.load());
  setField(L, "dropped_alerts", s.alerts_dropped.load());
  return 1;
}

int getCookieAttributes(lua_State* L) {
  // Appended to "Set-Cookie: name=value; path=/" as ntopng's callers do.
  lua_pushstring(L, services(L).https_enabled ? "; HttpOnly; SameSite=Strict; Secure"
                                               : "; HttpOnly; SameSite=Strict");
  return 1;
}

int getAllPaths(lua_State* L) {
  Args a(L, "ntop.getAllPaths");
  const std::string root(a.string(1, "path"));
  const auto pattern = a.optString(2, "pattern");
  auto files = util::fs::allFiles(root);
  if (!files) return failWithNil(L, "ntop.getAllPaths", files.error());
  lua_newtable(L);
  lua_getglobal(L, "string");
  lua_getfield(L, -1, "find");
  lua_remove(L, -2);  // stack: result, string.find
  for (const auto& rel : *files) {
    const std::string full = root + "/" + rel;
    if (pattern) {  // a Lua pattern matched against the path below `root`
      lua_pushvalue(L, -1);
      pushString(L, rel);
      pushString(L, *pattern);
      lua_call(L, 2, 1);
      const bool match = !lua_isnil(L, -1);
      lua_pop(L, 1);
      if (!match) continue;
    }
    pushString(L, full);
    lua_pushboolean(L, 1);
    lua_settable(L, -4);
  }
  lua_pop(L, 1);
  return 1;
}

int getStartupEpoch(lua_State* L) {
  lua_pushinteger(L, services(L).startup_epoch);
  return 1;
}

int getHttpPrefix(lua_State* L) {
  pushString(L, services(L).options->http_prefix);
  return 1;
}

int httpPurifyParam(lua_State* L) {
  Args a(L, "ntop.httpPurifyParam");
  pushString(L, util::purifyParam(a.string(1, "s")));
  return 1;
}

int isShuttingDown(lua_State* L) {
  lua_pushboolean(L, services(L).shutting_down.load());
  return 1;
}

int limitResourcesUsage(lua_State* L) {
  // Lowers this thread's priority for the rest of the run; the HTTP layer restores it.
  ScriptContext& ctx = LuaState::from(L)->context();
  if (!ctx.lowered_priority &&
      setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 19) == 0) {
    ctx.lowered_priority = true;
  }
  return 0;
}

int getCurrentScriptsDir(lua_State* L) {
  const std::string& path = LuaState::from(L)->context().script_path;
  pushString(L, std::filesystem::path(path).parent_path().string());
  return 1;
}

int getInstanceName(lua_State* L) {
  const std::string& name = services(L).options->instance_name;
  if (!name.empty()) {
    pushString(L, name);
  } else {
    char host[256] = {0};
    gethostname(host, sizeof(host) - 1);
    lua_pushstring(L, host);
  }
  return 1;
}

int resetStats(lua_State* L) {
  for (const auto& i : services(L).interfaces->all()) i->resetCounters();
  return 0;
}

int getDropPoolInfo(lua_State* L) {
  // flowlens is a passive monitor: no host pool drops traffic.
  lua_createtable(L, 0, 3);
  setField(L, "enabled", false);
  setField(L, "pool_id", -1);
  setField(L, "num_members", 0);
  return 1;
}

}  // namespace

const luaL_Reg kSystem[] = {
    {"getDirs", getDirs},
    {"getInfo", getInfo},
    {"getUptime", getUptime},
    {"systemHostStat", systemHostStat},
    {"threadsInfo", threadsInfo},
    {"refreshCPULoad", refreshCPULoad},
    {"checkLicense", checkLicense},
    {"getSystemAlertsStats", getSystemAlertsStats},
    {"getCookieAttributes", getCookieAttributes},
    {"getAllPaths", getAllPaths},
    {"getStartupEpoch", getStartupEpoch},
    {"getStaticFileEpoch", getStartupEpoch},  // static files change only with a restart
    {"getHttpPrefix", getHttpPrefix},
    {"httpPurifyParam", httpPurifyParam},
    {"isShuttingDown", isShuttingDown},
    {"limitResourcesUsage", limitResourcesUsage},
    {"getCurrentScriptsDir", getCurrentScriptsDir},
    {"getInstanceName", getInstanceName},
    {"resetStats", resetStats},
    {"getDropPoolInfo", getDropPoolInfo},
    {nullptr, nullptr},
};

}  // namespace flowlens::lua::ntop
