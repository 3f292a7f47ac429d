// Spec section 33: Miscellaneous, the part delivered with the foundation. execCmd and friends
// are for administrators only, and off unless flowlens runs with --allow-exec.

#include <chrono>
#include <thread>

#include "core/log.h"
#include "core/process.h"
#include "host/host.h"
#include "host/host_pools.h"
#include "iface/packet_engine.h"
#include "store/cache_service.h"
#include "util/owned_lock.h"
#include "lua/args.h"
#include "lua/registry.h"
#include "lua/state.h"
#include "util/text.h"

namespace flowlens::lua::ntop {
namespace {

using std::chrono::milliseconds;

int msleep(lua_State* L) {
  Args a(L, "ntop.msleep");
  const int64_t ms = a.integer(1, "ms");
  // Never sleeps past the run's deadline: the time-limit hook then ends the run.
  const auto left = LuaState::from(L)->context().timeLeft();
  const auto until = std::chrono::steady_clock::now() +
                     milliseconds(std::max<int64_t>(0, std::min<int64_t>(ms, left.count() + 1)));
  const auto& stopping = LuaState::from(L)->services().shutting_down;
  while (!stopping.load() && std::chrono::steady_clock::now() < until) {  // wakes on shutdown
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
        milliseconds(50), until - std::chrono::steady_clock::now()));
  }
  LuaState* s = LuaState::from(L);
  if (s->deadlinePassed()) return s->stopRun(L);  // the sleep was cut short by the deadline
  return 0;
}

int md5(lua_State* L) {
  pushString(L, util::md5Hex(Args(L, "ntop.md5").string(1, "data")));
  return 1;
}

int getservbyport(lua_State* L) {
  Args a(L, "ntop.getservbyport");
  const int64_t port = a.integer(1, "port");
  const auto proto = a.optString(2, "proto").value_or("tcp");
  pushString(L, util::serviceName(static_cast<int>(port), proto));
  return 1;
}

int getTLSVersionName(lua_State* L) {
  const int64_t v = Args(L, "ntop.getTLSVersionName").integer(1, "id");
  pushString(L, util::tlsVersionName(static_cast<uint32_t>(v)));
  return 1;
}

int getMac64(lua_State* L) {
  auto r = util::macToEui64(Args(L, "ntop.getMac64").string(1, "mac"));
  if (!r) return failWithNil(L, "ntop.getMac64", "not a MAC address");
  pushString(L, *r);
  return 1;
}

int decodeMac64(lua_State* L) {
  auto r = util::eui64ToMac(Args(L, "ntop.decodeMac64").string(1, "mac64"));
  if (!r) return failWithNil(L, "ntop.decodeMac64", "not an EUI-64 made from a MAC address");
  pushString(L, *r);
  return 1;
}

int isDeadlineApproaching(lua_State* L) {
  // Approaching when less than a tenth of the time limit (at least a second) is left.
  const ScriptContext& ctx = LuaState::from(L)->context();
  const int64_t limit = LuaState::from(L)->services().options->lua_timeout_ms;
  const int64_t margin = std::max<int64_t>(1000, limit / 10);
  lua_pushboolean(L, ctx.timeLeft().count() < margin);
  return 1;
}

int getDeadline(lua_State* L) {
  const ScriptContext& ctx = LuaState::from(L)->context();
  if (ctx.deadline == std::chrono::steady_clock::time_point::max()) {
    lua_pushinteger(L, 0);  // no deadline
  } else {
    lua_pushinteger(L, std::time(nullptr) + ctx.timeLeft().count() / 1000);
  }
  return 1;
}

// nullptr when allowed; otherwise why not.
const char* execRefusal(lua_State* L) {
  LuaState* s = LuaState::from(L);
  if (!s->services().options->allow_exec) return "disabled (start flowlens with --allow-exec)";
  if (!s->context().isAdministrator()) return "administrators only";
  return nullptr;
}

int execCmd(lua_State* L) {
  const std::string cmd(Args(L, "ntop.execCmd").string(1, "cmd"));
  if (const char* why = execRefusal(L)) return failWithNil(L, "ntop.execCmd", why);
  auto out = util::CommandRunner::run(cmd, LuaState::from(L)->context().timeLeft());
  if (!out) return failWithNil(L, "ntop.execCmd", out.error());
  pushString(L, *out);
  return 1;
}

int execCmdAsync(lua_State* L) {
  const std::string cmd(Args(L, "ntop.execCmdAsync").string(1, "cmd"));
  if (const char* why = execRefusal(L)) return failWithNil(L, "ntop.execCmdAsync", why);
  LuaState* s = LuaState::from(L);
  auto handle = s->services().commands->start(
      cmd, milliseconds(std::max(s->services().options->lua_timeout_ms, 300000)));
  if (!handle) return failWithNil(L, "ntop.execCmdAsync", handle.error());
  lua_pushinteger(L, *handle);
  return 1;
}

int readResultCmdAsync(lua_State* L) {
  const int64_t handle = Args(L, "ntop.readResultCmdAsync").integer(1, "handle");
  if (const char* why = execRefusal(L)) return failWithNil(L, "ntop.readResultCmdAsync", why);
  auto r = LuaState::from(L)->services().commands->take(static_cast<int>(handle));
  if (!r) return failWithNil(L, "ntop.readResultCmdAsync", r.error());
  if (!r->has_value()) {
    lua_pushnil(L);  // still running
    return 1;
  }
  pushString(L, **r);
  return 1;
}

}  // namespace

// isOffline(): whether scripts should do without the Internet (setOffline, or --offline).
int isOffline(lua_State* L) {
  const Services& s = LuaState::from(L)->services();
  lua_pushboolean(L, s.offline.load() || (s.options && s.options->offline));
  return 1;
}

// isForcedOffline(): offline by the command line (--offline), which setOnline cannot undo.
int isForcedOffline(lua_State* L) {
  const Services& s = LuaState::from(L)->services();
  lua_pushboolean(L, s.options && s.options->offline);
  return 1;
}

// setOffline() / setOnline(): administrators only.
int setOfflineMode(lua_State* L, const char* fn, bool offline) {
  LuaState* s = LuaState::from(L);
  if (!s->context().isAdministrator()) return failNothing(L, fn, "only administrators");
  s->services().offline.store(offline);
  return 0;
}
int setOffline(lua_State* L) { return setOfflineMode(L, "ntop.setOffline", true); }
int setOnline(lua_State* L) { return setOfflineMode(L, "ntop.setOnline", false); }

// setMacDeviceType(mac, type [, overwrite = true]): administrators only. Gives the MAC address
// ntopng's device type `type` (0 unknown .. 12 IoT) on every interface (remembered for when the
// address is seen again); without `overwrite`, only where it has none yet.
int setMacDeviceType(lua_State* L) {
  constexpr const char* kFn = "ntop.setMacDeviceType";
  Args a(L, kFn);
  std::array<uint8_t, 6> mac;
  const std::string text(a.string(1, "mac"));
  const int64_t type = a.integer(2, "type");
  const bool overwrite = a.optBoolean(3, "overwrite").value_or(true);
  if (!host::parseMac(text, &mac)) return failNothing(L, kFn, "not a MAC address '" + text + "'");
  if (type < 0 || type > host::kMaxDeviceType) {
    return failNothing(L, kFn, "no device type " + std::to_string(type));
  }
  LuaState* s = LuaState::from(L);
  if (!s->context().isAdministrator()) return failNothing(L, kFn, "only administrators");
  if (s->services().interfaces == nullptr) return 0;
  for (const auto& iface : s->services().interfaces->all()) {
    if (PacketEngine* e = iface->engine()) e->setMacDeviceType(mac, uint8_t(type), overwrite);
  }
  return 0;
}

// reloadHostPools() -> nothing, or nil and why: applies the host pools the store holds
// (ntopng's keys, host::HostPools) to new hosts and to every host there is.
int reloadHostPools(lua_State* L) {
  constexpr const char* kFn = "ntop.reloadHostPools";
  const Services& s = LuaState::from(L)->services();
  if (s.host_pools == nullptr || s.cache == nullptr) return 0;
  if (Status st = s.host_pools->reload(s.cache->store()); !st) {
    return nothingOrNilAndError(L, kFn, st);
  }
  if (s.interfaces != nullptr) {
    const host::HostPools* pools = s.host_pools;
    for (const auto& iface : s.interfaces->all()) {
      if (PacketEngine* e = iface->engine()) e->updateHosts([pools](host::Host& h) { pools->assign(h); });
    }
  }
  return 0;
}

// The process's pools lock (ntop.poolsLock / poolsUnlock), held by one run at a time.
util::OwnedLock& poolsLock() {
  static util::OwnedLock lock;
  return lock;
}

// poolsLock([max_secs]) -> boolean: takes the pools lock for this run, waiting up to max_secs
// (the spec's form has none: 5, what ntopng's pools.lua asks; at most 10, and never past the
// run's time limit). The run holds it until poolsUnlock() or its end.
int poolsLockFn(lua_State* L) {
  Args a(L, "ntop.poolsLock");
  const int64_t secs = a.optInteger(1, "max_secs").value_or(5);
  LuaState* s = LuaState::from(L);
  const auto wait = secs <= 0 ? std::chrono::milliseconds(0)  // a try
                              : s->context().waitFor(secs, 1, 10, std::chrono::milliseconds(0));
  const bool held = poolsLock().lock(s, wait);
  if (held) {
    static char kKey;  // its address names the run's slot
    std::shared_ptr<void>& slot = s->runResource(&kKey);
    if (!slot) slot = std::make_shared<util::OwnedLock::Hold>(&poolsLock(), s);
  }
  lua_pushboolean(L, held);
  return 1;
}

// poolsUnlock() -> boolean: false when this run does not hold the pools lock.
int poolsUnlockFn(lua_State* L) {
  lua_pushboolean(L, poolsLock().unlock(LuaState::from(L)));
  return 1;
}

// shutdown(): administrators only. Stops flowlens as SIGTERM does, once this run is over (or
// at its next check, as for every running script).
int shutdown(lua_State* L) {
  if (!LuaState::from(L)->context().isAdministrator()) {
    return failNothing(L, "ntop.shutdown", "only administrators");
  }
  log::warning("shutdown requested by {}", LuaState::from(L)->context().script_path);
  process::requestStop();
  return 0;
}

const luaL_Reg kMisc[] = {
    {"setMacDeviceType", setMacDeviceType},
    {"reloadHostPools", reloadHostPools},
    {"poolsLock", poolsLockFn},
    {"poolsUnlock", poolsUnlockFn},
    {"msleep", msleep},
    {"md5", md5},
    {"getservbyport", getservbyport},
    {"getTLSVersionName", getTLSVersionName},
    {"getMac64", getMac64},
    {"decodeMac64", decodeMac64},
    {"isDeadlineApproaching", isDeadlineApproaching},
    {"getDeadline", getDeadline},
    {"execCmd", execCmd},
    {"execCmdAsync", execCmdAsync},
    {"readResultCmdAsync", readResultCmdAsync},
    {"isOffline", isOffline},
    {"isForcedOffline", isForcedOffline},
    {"setOffline", setOffline},
    {"setOnline", setOnline},
    {"shutdown", shutdown},
    {nullptr, nullptr},
};

}  // namespace flowlens::lua::ntop
