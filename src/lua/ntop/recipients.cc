// Spec section 16: Recipient Queues, over alerts::RecipientQueues (one per process). Ids are
// strings (the spec) or numbers (ntopng), the same recipient either way ("3" and 3). ntopng's
// extra arguments (filters, scores, the counters' numbers) are accepted (docs/api/recipients.md).

#include <ctime>
#include <sstream>

#include "alerts/recipient_queues.h"
#include "dpi/flow_alerts.h"
#include "lua/args.h"
#include "lua/registry.h"
#include "lua/state.h"

namespace flowlens::lua::ntop {
namespace {

using alerts::Notification;
using alerts::RecipientQueues;

RecipientQueues& queues(lua_State* L) { return *LuaState::from(L)->services().recipients; }

std::string idArg(lua_State* L, const Args& a) {
  if (lua_isinteger(L, 1)) return std::to_string(lua_tointeger(L, 1));
  const std::string_view id = a.string(1, "id");
  if (id.empty()) a.fail("argument #1 (id) is empty");
  return std::string(id);
}

// "1,3,5" -> {1, 3, 5}; ntopng's bitmaps given as comma-separated bit numbers.
std::set<int> idList(const Args& a, std::optional<std::string_view> csv, const char* what) {
  std::set<int> out;
  if (!csv) return out;
  std::stringstream ss{std::string(*csv)};
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item.empty()) continue;
    char* end = nullptr;
    const long v = std::strtol(item.c_str(), &end, 10);
    if (*end != '\0' || v < 0 || v > 65535) a.fail(std::string(what) + ": not a list of ids");
    out.insert(static_cast<int>(v));
  }
  return out;
}

// recipient_register(id [, min_severity, categories, host_pools, entities, flow_alert_ids,
// host_alert_ids, other_alert_ids, skip_alerts])
int recipientRegister(lua_State* L) {
  constexpr const char* kFn = "ntop.recipient_register";
  Args a(L, kFn);
  const std::string id = idArg(L, a);
  alerts::RecipientFilter f;
  f.min_severity = static_cast<int>(a.optInteger(2, "min_severity").value_or(0));
  f.categories = idList(a, a.optString(3, "categories"), "categories");
  // 4: host pools (flowlens has none yet: every host is in pool 0)
  f.entities = idList(a, a.optString(5, "entities"), "entities");
  f.flow_alert_ids = idList(a, a.optString(6, "flow_alert_ids"), "flow alert ids");
  f.host_alert_ids = idList(a, a.optString(7, "host_alert_ids"), "host alert ids");
  f.other_alert_ids = idList(a, a.optString(8, "other_alert_ids"), "other alert ids");
  f.skip_alerts = a.optBoolean(9, "skip_alerts").value_or(false);
  if (!LuaState::from(L)->context().isAdministrator()) {
    return failNothing(L, kFn, "only administrators configure recipients");
  }
  if (Status st = queues(L).registerRecipient(id, std::move(f)); !st) {
    return failNothing(L, kFn, st.error());
  }
  return 0;
}

int recipientDelete(lua_State* L) {
  Args a(L, "ntop.recipient_delete");
  const std::string id = idArg(L, a);
  if (!LuaState::from(L)->context().isAdministrator()) {
    return failNothing(L, "ntop.recipient_delete", "only administrators configure recipients");
  }
  queues(L).remove(id);
  return 0;
}

// recipient_enqueue(id, notification [, score, alert_id, entity, category]) -> whether the
// notification was taken (queued, or refused by the recipient's filter, as ntopng answers);
// false when the queue is full or the recipient unknown.
int recipientEnqueue(lua_State* L) {
  constexpr const char* kFn = "ntop.recipient_enqueue";
  Args a(L, kFn);
  const std::string id = idArg(L, a);
  Notification n;
  n.body = std::string(a.string(2, "notification"));
  if (auto score = a.optInteger(3, "score")) {
    n.score = static_cast<int>(*score);
    n.severity = static_cast<int>(dpi::severityOfScore(*score));
    n.alert_id = static_cast<int>(a.optInteger(4, "alert_id").value_or(-1));
    n.entity = static_cast<int>(a.optInteger(5, "entity").value_or(-1));
    n.category = static_cast<int>(a.optInteger(6, "category").value_or(-1));
  }
  Services& s = LuaState::from(L)->services();
  bool taken = false;
  switch (queues(L).enqueue(id, std::move(n))) {
    case RecipientQueues::Enqueued::kQueued:
    case RecipientQueues::Enqueued::kFilteredOut: taken = true; break;
    case RecipientQueues::Enqueued::kFull: ++s.alerts_dropped; break;
    case RecipientQueues::Enqueued::kTooLarge:
      failNothing(L, kFn, "notification larger than 1 MiB");
      ++s.alerts_dropped;
      break;
    case RecipientQueues::Enqueued::kUnknownRecipient:
      failNothing(L, kFn, "no recipient '" + id + "'");
      break;
  }
  lua_pushboolean(L, taken);
  return 1;
}

// recipient_dequeue(id) -> the oldest notification: its text (the spec), or ntopng's table
// {alert, score, alert_severity} when it was enqueued with a score; nil when none.
int recipientDequeue(lua_State* L) {
  Args a(L, "ntop.recipient_dequeue");
  auto n = queues(L).dequeue(idArg(L, a), std::time(nullptr));
  if (!n) {
    lua_pushnil(L);
  } else if (!n->score) {
    pushString(L, n->body);
  } else {
    lua_createtable(L, 0, 3);
    setField(L, "alert", n->body);
    setField(L, "score", *n->score);
    setField(L, "alert_severity", n->severity);
  }
  return 1;
}

void pushStats(lua_State* L, const alerts::RecipientStats& s) {
  lua_createtable(L, 0, 8);
  setField(L, "last_use", int64_t{s.last_use});
  setField(L, "num_uses", s.num_uses);
  setField(L, "num_drops", s.num_drops);
  setField(L, "num_filtered_out", s.num_filtered_out);
  setField(L, "num_delivered", s.num_delivered);
  setField(L, "num_failures", s.num_failures);
  setField(L, "queued", uint64_t{s.queued});
  setField(L, "fill_pct", s.fill_pct);
}

// recipient_stats() -> {[id] = stats} (the spec); recipient_stats(id) -> stats (ntopng), nil
// when unknown.
int recipientStats(lua_State* L) {
  Args a(L, "ntop.recipient_stats");
  if (lua_isnoneornil(L, 1)) {
    const auto all = queues(L).allStats();
    lua_createtable(L, 0, static_cast<int>(all.size()));
    for (const auto& s : all) {
      pushStats(L, s);
      lua_setfield(L, -2, s.id.c_str());
    }
    return 1;
  }
  auto s = queues(L).stats(idArg(L, a));
  if (!s) {
    lua_pushnil(L);
  } else {
    pushStats(L, *s);
  }
  return 1;
}

// recipient_inc_stats(id, stat) with stat "delivered", "filtered_out" or "failures" (the spec);
// or ntopng's (id [, delivered, filtered_out, failures]) counts.
int recipientIncStats(lua_State* L) {
  constexpr const char* kFn = "ntop.recipient_inc_stats";
  Args a(L, kFn);
  const std::string id = idArg(L, a);
  uint64_t counts[3] = {0, 0, 0};
  if (lua_type(L, 2) == LUA_TSTRING) {
    const std::string_view stat = a.string(2, "stat");
    if (stat == "delivered" || stat == "num_delivered") counts[0] = 1;
    else if (stat == "filtered_out" || stat == "num_filtered_out") counts[1] = 1;
    else if (stat == "failures" || stat == "num_failures") counts[2] = 1;
    else a.fail("argument #2 (stat) must be delivered, filtered_out or failures");
  } else {
    const char* names[] = {"delivered", "filtered_out", "failures"};
    for (int i = 0; i < 3; ++i) {
      const int64_t v = a.optInteger(i + 2, names[i]).value_or(0);
      if (v < 0) a.fail(std::string("argument (") + names[i] + ") must not be negative");
      counts[i] = static_cast<uint64_t>(v);
    }
  }
  if (!queues(L).addDeliveryStats(id, counts[0], counts[1], counts[2])) {
    return failNothing(L, kFn, "no recipient '" + id + "'");
  }
  return 0;
}

int recipientLastUse(lua_State* L) {
  Args a(L, "ntop.recipient_last_use");
  lua_pushinteger(L, queues(L).lastUse(idArg(L, a)));
  return 1;
}

}  // namespace

const luaL_Reg kRecipients[] = {
    {"recipient_register", recipientRegister},
    {"recipient_delete", recipientDelete},
    {"recipient_enqueue", recipientEnqueue},
    {"recipient_dequeue", recipientDequeue},
    {"recipient_stats", recipientStats},
    {"recipient_inc_stats", recipientIncStats},
    {"recipient_last_use", recipientLastUse},
    {nullptr, nullptr},
};

}  // namespace flowlens::lua::ntop
