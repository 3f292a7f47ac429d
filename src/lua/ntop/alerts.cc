// Spec section 15: Alerts, over alerts::AlertStore and alerts::AlertEngine.

#include <nlohmann/json.hpp>

#include "alerts/alert_engine.h"
#include "alerts/alert_store.h"
#include "lua/args.h"
#include "lua/registry.h"
#include "lua/state.h"

namespace flowlens::lua::ntop {
namespace {

constexpr size_t kLimitedRows = 10000;

// alert_store_query(query [, ifid, limit_rows]), administrators only: runs one read-only SQL
// query on the alert store and writes its rows to the page as a JSON array of objects. Rows
// are capped at 10,000 (limit_rows, the default) or 100,000 (limit_rows = false). Returns
// nothing; false (logged) when the query is refused or fails.
int alertStoreQuery(lua_State* L) {
  constexpr const char* kFn = "ntop.alert_store_query";
  Args a(L, kFn);
  const std::string sql(a.string(1, "query"));
  a.optInteger(2, "ifid");  // one store holds every interface's alerts (interface_id column)
  const bool limited = a.optBoolean(3, "limit_rows").value_or(true);
  LuaState* s = LuaState::from(L);
  auto fail = [&](const std::string& msg) {
    failNothing(L, kFn, msg);
    lua_pushboolean(L, false);
    return 1;
  };
  if (!s->context().isAdministrator()) return fail("only administrators query the alert store");
  alerts::AlertStore* store = s->services().alert_store;
  if (!store) return fail("no alert store (--disable-alerts)");
  const auto deadline = std::chrono::steady_clock::now() + s->context().timeLeft();
  auto rows = store->query(sql, limited ? kLimitedRows : alerts::AlertStore::kMaxQueryRows,
                           deadline);
  if (s->deadlinePassed()) return s->stopRun(L);
  if (!rows) return fail(rows.error());
  nlohmann::json out = nlohmann::json::array();
  for (const auto& row : *rows) {
    nlohmann::json o = nlohmann::json::object();
    for (const auto& c : row) {
      if (c.is_null) {
        o[c.column] = nullptr;
      } else if (c.is_number) {
        auto number = nlohmann::json::parse(c.text, nullptr, false);  // Inf, NaN: null
        o[c.column] = number.is_discarded() ? nlohmann::json(nullptr) : std::move(number);
      } else {
        o[c.column] = c.text;
      }
    }
    out.push_back(std::move(o));
  }
  if (Response* r = s->context().response) {
    r->body += out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  return 0;
}

// popInternalAlerts([max]), administrators only -> the alerts raised and not yet popped, oldest
// first (at most `max`, default 1000): {{alert_id, alert_name, entity_id = 4, score, ...}, ...}.
int popInternalAlerts(lua_State* L) {
  Args a(L, "ntop.popInternalAlerts");
  const int64_t max = std::clamp<int64_t>(a.optInteger(1, "max").value_or(1000), 1, 100000);
  LuaState* s = LuaState::from(L);
  if (!s->context().isAdministrator()) {  // one queue for every user: its owner drains it
    failNothing(L, "ntop.popInternalAlerts", "only administrators");
    lua_newtable(L);
    return 1;
  }
  alerts::AlertEngine* engine = s->services().alert_engine;
  const auto popped = engine ? engine->popInternal(static_cast<size_t>(max))
                             : std::vector<alerts::FlowAlert>{};
  lua_createtable(L, static_cast<int>(popped.size()), 0);
  lua_Integer i = 0;
  for (const auto& al : popped) {
    lua_createtable(L, 0, 22);
    setField(L, "ifid", al.ifid);
    setField(L, "alert_id", al.alert_id);
    setField(L, "alert_name", al.alert_key);
    setField(L, "entity_id", 4);
    setField(L, "score", al.score);
    setField(L, "severity", al.severity);
    setField(L, "alert_category", al.category);
    setField(L, "risk", al.risk);
    setField(L, "tstamp", int64_t{al.tstamp});
    setField(L, "first_seen", int64_t{al.first_seen});
    setField(L, "cli_ip", al.cli_ip);
    setField(L, "srv_ip", al.srv_ip);
    setField(L, "cli_port", int{al.cli_port});
    setField(L, "srv_port", int{al.srv_port});
    setField(L, "vlan_id", int{al.vlan_id});
    setField(L, "proto", int{al.proto});
    setField(L, "l7_master_proto", int{al.l7_master_proto});
    setField(L, "l7_proto", int{al.l7_proto});
    setField(L, "l7_cat", int{al.l7_cat});
    setField(L, "info", al.info);
    setField(L, "ip_version", al.ip_version);
    if (!al.server_ip.empty()) setField(L, "server_ip", al.server_ip);
    setField(L, "json", al.json());
    lua_rawseti(L, -2, ++i);
  }
  return 1;
}

}  // namespace

const luaL_Reg kAlerts[] = {
    {"alert_store_query", alertStoreQuery},
    {"popInternalAlerts", popInternalAlerts},
    {nullptr, nullptr},
};

}  // namespace flowlens::lua::ntop
