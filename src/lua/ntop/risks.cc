// Spec section 31: check management (flowlens's flow checks are its nDPI risk alerts:
// alerts::FlowChecks), the risk API (nDPI 4.2's risk names, ntopng's alert for each risk) and
// whether a host's name is looked up (-n).

#include "alerts/alert_engine.h"
#include "dpi/dpi_engine.h"
#include "dpi/flow_alerts.h"
#include "enrich/enrichment.h"
#include "lua/args.h"
#include "lua/registry.h"
#include "lua/state.h"
#include "store/cache_service.h"

namespace flowlens::lua::ntop {
namespace {

// nDPI's name of a risk; like ndpi_risk2str, the number itself for ids it does not name.
std::string riskStr(int64_t risk) {
  std::string name = risk >= 0 && risk < dpi::DpiCatalog::numRisks()
                         ? dpi::DpiCatalog::riskName(static_cast<int>(risk))
                         : "";
  return name.empty() ? std::to_string(risk) : name;
}

// getRiskStr(risk_id) -> string
int getRiskStr(lua_State* L) {
  Args a(L, "ntop.getRiskStr");
  pushString(L, riskStr(a.integer(1, "risk_id")));
  return 1;
}

// getRiskList() -> {[risk_id + 1] = name}: every nDPI risk from 0 (no risk).
int getRiskList(lua_State* L) {
  const int n = dpi::DpiCatalog::numRisks();
  lua_createtable(L, n, 0);
  for (int r = 0; r < n; ++r) {
    pushString(L, riskStr(r));
    lua_rawseti(L, -2, r + 1);
  }
  return 1;
}

// getFlowRiskAlerts() -> {[check key] = {alert_id, category, risk_name, risk_id}}
int getFlowRiskAlerts(lua_State* L) {
  const auto types = dpi::riskAlertTypes();
  lua_createtable(L, 0, static_cast<int>(types.size()));
  for (const dpi::FlowAlertType& t : types) {
    lua_createtable(L, 0, 4);
    setField(L, "alert_id", t.id);
    setField(L, "category", static_cast<int>(t.category));
    setField(L, "risk_name", riskStr(t.risk));
    setField(L, "risk_id", t.risk);
    lua_setfield(L, -2, std::string(t.key).c_str());
  }
  return 1;
}

// shouldResolveHost(ip) -> whether flowlens looks the host's name up by itself: every host
// with -n 1, local hosts (-m) with -n 0 (the default), none with -n 2 or 3.
int shouldResolveHost(lua_State* L) {
  constexpr const char* kFn = "ntop.shouldResolveHost";
  auto ip = addressArg(L, kFn, 1);
  if (!ip) return failWithNil(L, kFn, ip.error());
  const Services& s = LuaState::from(L)->services();
  const bool local = s.local_networks && s.local_networks->isLocal(*ip);
  lua_pushboolean(L, s.enrichment && s.enrichment->resolver().resolvesAutomatically(local));
  return 1;
}

alerts::AlertEngine* alertEngine(lua_State* L) {
  return LuaState::from(L)->services().alert_engine;
}

// reloadFlowChecks() / reloadAlertExclusions(): the next alert pass applies the configset
// (ntopng.prefs.checks.configset_v1) or the exclusions (ntopng.prefs.alert_exclusions) the
// store holds now. Nothing, or nil and why when they cannot be read or are malformed (the
// previous ones stay). With --disable-alerts there is nothing to reload.
template <Status (alerts::FlowChecks::*reload)(store::KvStore&)>
int reloadChecks(lua_State* L, const char* fn) {
  alerts::AlertEngine* engine = alertEngine(L);
  store::CacheService* cache = LuaState::from(L)->services().cache;
  if (engine == nullptr || cache == nullptr) return 0;
  return nothingOrNilAndError(L, fn, (engine->checks().*reload)(cache->store()));
}

int reloadFlowChecks(lua_State* L) {
  return reloadChecks<&alerts::FlowChecks::reloadConfig>(L, "ntop.reloadFlowChecks");
}

int reloadAlertExclusions(lua_State* L) {
  return reloadChecks<&alerts::FlowChecks::reloadExclusions>(L, "ntop.reloadAlertExclusions");
}

// reloadServersConfiguration(): the DNS, NTP, SMTP and DHCP servers of the unexpected-server
// checks, from ntopng.prefs.nw_config_<kind>_list (spec section 33).
int reloadServersConfiguration(lua_State* L) {
  return reloadChecks<&alerts::FlowChecks::reloadServers>(L, "ntop.reloadServersConfiguration");
}

// reloadHostChecks(): flowlens has no host checks; the configset is checked all the same, as
// ntopng's checks.lua calls both reloads after writing it.
int reloadHostChecks(lua_State* L) {
  store::CacheService* cache = LuaState::from(L)->services().cache;
  if (cache == nullptr) return 0;
  alerts::FlowChecks scratch;
  return nothingOrNilAndError(L, "ntop.reloadHostChecks", scratch.reloadConfig(cache->store()));
}

// getFlowChecksStats() -> {[check key] = {stats = {execution_time (ns), alerts_raised,
// alerts_excluded}}}; nil with --disable-alerts.
int getFlowChecksStats(lua_State* L) {
  alerts::AlertEngine* engine = alertEngine(L);
  if (engine == nullptr) {
    lua_pushnil(L);
    return 1;
  }
  const auto& types = alerts::FlowChecks::all();
  lua_createtable(L, 0, static_cast<int>(types.size()));
  for (const dpi::FlowAlertType& t : types) {
    const auto st = engine->checks().stats(t.id).value_or(alerts::FlowChecks::CheckStats{});
    lua_createtable(L, 0, 1);
    lua_createtable(L, 0, 3);
    setField(L, "execution_time", st.execution_time_ns);
    setField(L, "alerts_raised", st.raised);
    setField(L, "alerts_excluded", st.excluded);
    lua_setfield(L, -2, "stats");
    lua_setfield(L, -2, std::string(t.key).c_str());
  }
  return 1;
}

// getFlowCheckInfo(key) -> {edition, key, alert_id, enabled}; nil for a key that names none
// of flowlens's flow checks.
int getFlowCheckInfo(lua_State* L) {
  Args a(L, "ntop.getFlowCheckInfo");
  const auto t = alerts::FlowChecks::check(a.string(1, "check_key"));
  if (!t) {
    lua_pushnil(L);
    return 1;
  }
  alerts::AlertEngine* engine = alertEngine(L);
  lua_createtable(L, 0, 4);
  setField(L, "edition", "community");
  setField(L, "key", std::string(t->key));
  setField(L, "alert_id", t->id);
  setField(L, "enabled", engine != nullptr && engine->checks().snapshot()->enabled(t->id));
  return 1;
}

// getHostCheckInfo(key) -> nil: flowlens has no host checks.
int getHostCheckInfo(lua_State* L) {
  Args a(L, "ntop.getHostCheckInfo");
  (void)a.string(1, "check_key");
  lua_pushnil(L);
  return 1;
}

}  // namespace

const luaL_Reg kRisks[] = {
    {"reloadFlowChecks", reloadFlowChecks},
    {"reloadHostChecks", reloadHostChecks},
    {"reloadAlertExclusions", reloadAlertExclusions},
    {"reloadServersConfiguration", reloadServersConfiguration},
    {"getFlowChecksStats", getFlowChecksStats},
    {"getFlowCheckInfo", getFlowCheckInfo},
    {"getHostCheckInfo", getHostCheckInfo},
    {"getRiskStr", getRiskStr},
    {"getRiskList", getRiskList},
    {"getFlowRiskAlerts", getFlowRiskAlerts},
    {"shouldResolveHost", shouldResolveHost},
    {nullptr, nullptr},
};

}  // namespace flowlens::lua::ntop
