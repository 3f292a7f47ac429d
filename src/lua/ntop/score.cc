// Spec section 27: Score / Severity, over dpi/flow_alerts (ntopng's mapping and flow alert
// types, with nDPI's risk scores).

#include "dpi/flow_alerts.h"
#include "lua/args.h"
#include "lua/registry.h"

namespace flowlens::lua::ntop {
namespace {

// mapScoreToSeverity(score) -> ntopng's alert level (0 none .. 8 emergency).
int mapScoreToSeverity(lua_State* L) {
  Args a(L, "ntop.mapScoreToSeverity");
  lua_pushinteger(L, static_cast<int>(dpi::severityOfScore(a.integer(1, "score"))));
  return 1;
}

// mapSeverityToScore(severity) -> the score of that level.
int mapSeverityToScore(lua_State* L) {
  Args a(L, "ntop.mapSeverityToScore");
  lua_pushinteger(L, dpi::scoreOfSeverity(a.integer(1, "severity")));
  return 1;
}

// getFlowAlertScore(alert_id) -> the alert type's default score; 0 for ids without one.
int getFlowAlertScore(lua_State* L) {
  Args a(L, "ntop.getFlowAlertScore");
  const auto t = dpi::flowAlertType(a.integer(1, "alert_id"));
  lua_pushinteger(L, t ? t->score : 0);
  return 1;
}

// getFlowAlertRisk(alert_id) -> the nDPI risk the alert stands for; 0 for other alerts.
int getFlowAlertRisk(lua_State* L) {
  Args a(L, "ntop.getFlowAlertRisk");
  const auto t = dpi::flowAlertType(a.integer(1, "alert_id"));
  lua_pushinteger(L, t ? t->risk : 0);
  return 1;
}

}  // namespace

const luaL_Reg kScore[] = {
    {"mapScoreToSeverity", mapScoreToSeverity},
    {"mapSeverityToScore", mapSeverityToScore},
    {"getFlowAlertScore", getFlowAlertScore},
    {"getFlowAlertRisk", getFlowAlertRisk},
    {nullptr, nullptr},
};

}  // namespace flowlens::lua::ntop
