// Spec section 31, the risk API: nDPI 4.2's risk names, ntopng's alert for each risk, and
// whether a host's name is looked up (-n). The check-management functions of the section
// arrive with the alerts and checks engine.

#include "dpi/dpi_engine.h"
#include "dpi/flow_alerts.h"
#include "enrich/enrichment.h"
#include "lua/args.h"
#include "lua/registry.h"
#include "lua/state.h"

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

}  // namespace

const luaL_Reg kRisks[] = {
    {"getRiskStr", getRiskStr},
    {"getRiskList", getRiskList},
    {"getFlowRiskAlerts", getFlowRiskAlerts},
    {"shouldResolveHost", shouldResolveHost},
    {nullptr, nullptr},
};

}  // namespace flowlens::lua::ntop
