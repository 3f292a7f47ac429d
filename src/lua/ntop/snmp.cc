// Spec section 18: SNMP, over snmp::perform and snmp::AsyncEngine (net-snmp). The spec's
// argument orders and ntopng's (v1/v2c and v3) are told apart by their types
// (docs/api/snmp.md). Answers are ntopng's {[oid] = value}; a failed request answers nil (the
// sync calls) and is logged. Async engines and the batch live as long as the run.

#include <strings.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <memory>

#include "core/log.h"
#include "lua/args.h"
#include "lua/registry.h"
#include "lua/state.h"
#include "snmp/snmp_client.h"

namespace flowlens::lua::ntop {
namespace {

using snmp::Credentials;
using snmp::Request;

constexpr int kMaxEngines = 8;          // ntopng's MAX_NUM_ASYNC_SNMP_ENGINES
constexpr int64_t kDefaultTimeout = 3;  // seconds
constexpr int64_t kMaxTimeout = 15;
std::atomic<int> g_bulk_repetitions{10};  // snmpSetBulkMaxNumRepetitions, process-wide

bool isLevel(lua_State* L, int arg) {
  if (lua_type(L, arg) != LUA_TSTRING) return false;
  const char* s = lua_tostring(L, arg);
  return strcasecmp(s, "noAuthNoPriv") == 0 || strcasecmp(s, "authNoPriv") == 0 ||
         strcasecmp(s, "authPriv") == 0;
}

void setTimeout(lua_State* L, Request& r, std::optional<int64_t> seconds) {
  r.timeout = LuaState::from(L)->context().waitFor(seconds, kDefaultTimeout, kMaxTimeout);
}

std::string field(lua_State* L, int table, const char* key) {
  lua_getfield(L, table, key);
  std::string v = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
  lua_pop(L, 1);
  return v;
}

// The OIDs from `arg` on: a string each (ntopng), or one table of strings.
void oidsFrom(lua_State* L, const Args& a, int arg, std::vector<std::string>& out) {
  if (lua_istable(L, arg)) {
    const lua_Integer n = luaL_len(L, arg);
    for (lua_Integer i = 1; i <= n; ++i) {
      lua_rawgeti(L, arg, i);
      if (lua_type(L, -1) != LUA_TSTRING) a.fail("the OIDs must be strings");
      out.emplace_back(lua_tostring(L, -1));
      lua_pop(L, 1);
    }
    return;
  }
  for (int i = arg; lua_type(L, i) == LUA_TSTRING; ++i) out.emplace_back(lua_tostring(L, i));
}

// Parses a request's target, credentials and timeout starting at `first` (the host); returns
// the index of the first OID argument.
//   spec:          host, community | v3 table, oid | {oids}, version [, timeout]
//   ntopng v1/v2c: host, community, timeout, version, oid, ...
//   ntopng v3:     host, level, user, auth_proto, auth_pass, priv_proto, priv_pass,
//                  [context,] timeout, oid, ...
int targetArgs(lua_State* L, const Args& a, int first, Request& r, bool& spec_form) {
  r.host = a.string(first, "host");
  Credentials& c = r.credentials;
  spec_form = false;
  if (lua_type(L, first + 2) == LUA_TNUMBER && lua_type(L, first + 3) == LUA_TNUMBER) {
    c.community = a.string(first + 1, "community");
    setTimeout(L, r, a.integer(first + 2, "timeout"));
    c.version = a.integer(first + 3, "version") == 0 ? Credentials::Version::kV1
                                                     : Credentials::Version::kV2c;
    return first + 4;
  }
  if (isLevel(L, first + 1)) {
    c.version = Credentials::Version::kV3;
    c.level = a.string(first + 1, "level");
    c.user = a.string(first + 2, "user");
    c.auth_protocol = a.string(first + 3, "auth_protocol");
    c.auth_passphrase = a.string(first + 4, "auth_passphrase");
    c.priv_protocol = a.string(first + 5, "priv_protocol");
    c.priv_passphrase = a.string(first + 6, "priv_passphrase");
    int next = first + 7;
    if (lua_type(L, next) == LUA_TSTRING) c.context = a.string(next++, "context");
    setTimeout(L, r, a.integer(next, "timeout"));
    return next + 1;
  }
  spec_form = true;
  if (lua_istable(L, first + 1)) {
    c.version = Credentials::Version::kV3;
    const int t = first + 1;
    c.user = field(L, t, "user");
    c.level = field(L, t, "level");
    c.auth_protocol = field(L, t, "auth_protocol");
    c.auth_passphrase = field(L, t, "auth_passphrase");
    c.priv_protocol = field(L, t, "priv_protocol");
    c.priv_passphrase = field(L, t, "priv_passphrase");
    c.context = field(L, t, "context");
  } else {
    c.community = a.string(first + 1, "community");
  }
  return first + 2;
}

// The version and timeout after the spec form's OID (and SET's type and value).
void specTail(lua_State* L, const Args& a, int arg, Request& r) {
  const int64_t version = a.optInteger(arg, "version").value_or(1);
  if (r.credentials.version != Credentials::Version::kV3) {
    if (version < 0 || version > 3) a.fail("the version must be 0 (v1), 1 (v2c) or 3 (v3)");
    if (version == 3) a.fail("SNMPv3 takes a table of credentials in place of the community");
    r.credentials.version = version == 0 ? Credentials::Version::kV1 : Credentials::Version::kV2c;
  }
  setTimeout(L, r, a.optInteger(arg + 1, "timeout"));
}

// A read request (GET, GETNEXT, GETBULK) from the arguments at `first`.
Request readRequest(lua_State* L, const Args& a, int first, Request::Op op) {
  Request r;
  r.op = op;
  r.bulk_repetitions = g_bulk_repetitions.load();
  bool spec_form = false;
  const int oid_arg = targetArgs(L, a, first, r, spec_form);
  if (spec_form) {
    if (!lua_istable(L, oid_arg)) a.string(oid_arg, "oid");
    oidsFrom(L, a, oid_arg, r.oids);
    specTail(L, a, oid_arg + 1, r);
  } else {
    oidsFrom(L, a, oid_arg, r.oids);
  }
  if (r.oids.empty()) a.fail("no OID");
  if (r.oids.size() > snmp::kMaxOids) a.fail("at most 64 OIDs");
  return r;
}

void pushVarbinds(lua_State* L, const std::vector<snmp::Varbind>& v) {
  lua_createtable(L, 0, static_cast<int>(v.size()));
  for (const auto& b : v) setField(L, b.oid.c_str(), b.value);
}

int syncRead(lua_State* L, const char* fn, Request::Op op) {
  Args a(L, fn);
  const Request r = readRequest(L, a, 1, op);
  auto answer = snmp::perform(r);
  if (LuaState* s = LuaState::from(L); s->deadlinePassed()) return s->stopRun(L);
  if (!answer) return failWithNil(L, fn, answer.error());
  pushVarbinds(L, *answer);
  return 1;
}

int snmpget(lua_State* L) { return syncRead(L, "ntop.snmpget", Request::Op::kGet); }
int snmpgetnext(lua_State* L) { return syncRead(L, "ntop.snmpgetnext", Request::Op::kGetNext); }
int snmpgetnextbulk(lua_State* L) {
  return syncRead(L, "ntop.snmpgetnextbulk", Request::Op::kGetBulk);
}

char typeArg(const Args& a, std::string_view t) {
  static constexpr std::string_view kTypes = "iutaosxdbUIFDn";
  if (t.empty() || kTypes.find(t.front()) == std::string_view::npos) {
    a.fail("the type must be one of net-snmp's i u t a o s x d b U I F D n");
  }
  return t.front();
}

// snmpset(host, community, oid, type, value, version [, timeout]) -> whether the agent took
// it; ntopng's (host, community, timeout, version, oid, type, value, ...) and its v3 form
// answer the agent's echo {[oid] = value}, or nil.
int snmpset(lua_State* L) {
  constexpr const char* kFn = "ntop.snmpset";
  Args a(L, kFn);
  if (!LuaState::from(L)->context().isAdministrator()) {
    return failWithNil(L, kFn, "only administrators write to devices");
  }
  Request r;
  r.op = Request::Op::kSet;
  bool spec_form = false;
  int arg = targetArgs(L, a, 1, r, spec_form);
  do {
    snmp::SetValue v;
    v.oid = a.string(arg, "oid");
    v.type = typeArg(a, a.string(arg + 1, "type"));
    v.value = a.string(arg + 2, "value");
    r.values.push_back(std::move(v));
    arg += 3;
  } while (!spec_form && lua_type(L, arg) == LUA_TSTRING && r.values.size() < snmp::kMaxOids);
  if (spec_form) specTail(L, a, arg, r);
  auto answer = snmp::perform(r);
  if (LuaState* s = LuaState::from(L); s->deadlinePassed()) return s->stopRun(L);
  if (!answer) {
    if (!spec_form) return failWithNil(L, kFn, answer.error());
    failNothing(L, kFn, answer.error());
    lua_pushboolean(L, false);
    return 1;
  }
  if (spec_form) {
    lua_pushboolean(L, true);
  } else {
    pushVarbinds(L, *answer);
  }
  return 1;
}

// The run's async engines (handles 0..7) and its batch.
struct RunEngines {
  std::array<std::unique_ptr<snmp::AsyncEngine>, kMaxEngines> engines;
  snmp::AsyncEngine batch;
};

RunEngines& runEngines(lua_State* L) {
  static char kKey;  // its address names the slot (not const: never merged with another)
  std::shared_ptr<void>& slot = LuaState::from(L)->runResource(&kKey);
  if (!slot) slot = std::make_shared<RunEngines>();
  return *static_cast<RunEngines*>(slot.get());
}

snmp::AsyncEngine* engineArg(lua_State* L, const Args& a) {
  const int64_t h = a.integer(1, "handle");
  if (h < 0 || h >= kMaxEngines) return nullptr;
  return runEngines(L).engines[static_cast<size_t>(h)].get();
}

// snmpallocasnyncengine() -> a handle (0..7), or nil when the run has 8.
int snmpallocasnyncengine(lua_State* L) {
  RunEngines& e = runEngines(L);
  for (int h = 0; h < kMaxEngines; ++h) {
    if (!e.engines[size_t(h)]) {
      e.engines[size_t(h)] = std::make_unique<snmp::AsyncEngine>();
      lua_pushinteger(L, h);
      return 1;
    }
  }
  return failWithNil(L, "ntop.snmpallocasnyncengine", "every engine of this run is in use");
}

// snmpfreeasnycengine(handle): waits for its requests still running.
int snmpfreeasnycengine(lua_State* L) {
  Args a(L, "ntop.snmpfreeasnycengine");
  const int64_t h = a.integer(1, "handle");
  if (h >= 0 && h < kMaxEngines) runEngines(L).engines[size_t(h)].reset();
  return 0;
}

int asyncRead(lua_State* L, const char* fn, Request::Op op) {
  Args a(L, fn);
  a.integer(1, "handle");
  // The arguments first: reading them may run the script's code (a table's __index), which
  // may free the engine; the engine is looked up after.
  Request r = readRequest(L, a, 2, op);
  snmp::AsyncEngine* engine = engineArg(L, a);
  if (!engine) return failNothing(L, fn, "no such engine");
  if (Status st = engine->submit(std::move(r)); !st) return failNothing(L, fn, st.error());
  return 0;
}
int snmpgetasync(lua_State* L) { return asyncRead(L, "ntop.snmpgetasync", Request::Op::kGet); }
int snmpgetnextasync(lua_State* L) {
  return asyncRead(L, "ntop.snmpgetnextasync", Request::Op::kGetNext);
}
int snmpgetnextbulkasync(lua_State* L) {
  return asyncRead(L, "ntop.snmpgetnextbulkasync", Request::Op::kGetBulk);
}

// A read's wait: `timeout` seconds, default 0 (no wait).
std::chrono::milliseconds waitArg(lua_State* L, const Args& a, int arg) {
  return LuaState::from(L)->context().waitFor(a.optInteger(arg, "timeout"), 0, kMaxTimeout,
                                              std::chrono::milliseconds(0));
}

// snmpreadasyncrsp(handle [, timeout]) -> the next answer {[oid] = value} ({error = text} for
// a request that failed), waiting up to `timeout` seconds (default 0); nil when none.
int snmpreadasyncrsp(lua_State* L) {
  constexpr const char* kFn = "ntop.snmpreadasyncrsp";
  Args a(L, kFn);
  snmp::AsyncEngine* engine = engineArg(L, a);
  if (!engine) return failWithNil(L, kFn, "no such engine");
  auto answer = engine->next(waitArg(L, a, 2));
  if (!answer) {
    lua_pushnil(L);
  } else if (!answer->varbinds) {
    lua_createtable(L, 0, 1);
    setField(L, "error", answer->varbinds.error());
  } else {
    pushVarbinds(L, *answer->varbinds);
  }
  return 1;
}

// snmpGetBatch(params) with params {host, community | v3 fields, oid, version, timeout}; or
// ntopng's (host, community, oid, version) and (host, level, user, auth_proto, auth_pass,
// priv_proto, priv_pass, context, oid). One GET of one OID, answered by snmpReadResponses.
int snmpGetBatch(lua_State* L) {
  constexpr const char* kFn = "ntop.snmpGetBatch";
  Args a(L, kFn);
  Request r;
  r.op = Request::Op::kGet;
  Credentials& c = r.credentials;
  if (lua_istable(L, 1)) {
    r.host = field(L, 1, "host");
    const std::string oid = field(L, 1, "oid");
    if (r.host.empty() || oid.empty()) a.fail("params.host and params.oid are required");
    r.oids = {oid};
    c.user = field(L, 1, "user");
    if (!c.user.empty()) {
      c.version = Credentials::Version::kV3;
      c.level = field(L, 1, "level");
      c.auth_protocol = field(L, 1, "auth_protocol");
      c.auth_passphrase = field(L, 1, "auth_passphrase");
      c.priv_protocol = field(L, 1, "priv_protocol");
      c.priv_passphrase = field(L, 1, "priv_passphrase");
      c.context = field(L, 1, "context");
    } else {
      c.community = field(L, 1, "community");
      lua_getfield(L, 1, "version");
      c.version = lua_tointeger(L, -1) == 0 && lua_isinteger(L, -1) ? Credentials::Version::kV1
                                                                    : Credentials::Version::kV2c;
      lua_pop(L, 1);
    }
    lua_getfield(L, 1, "timeout");
    const std::optional<int64_t> t =
        lua_isinteger(L, -1) ? std::optional<int64_t>(lua_tointeger(L, -1)) : std::nullopt;
    lua_pop(L, 1);
    setTimeout(L, r, t);
  } else if (isLevel(L, 2)) {
    r.host = a.string(1, "host");
    c.version = Credentials::Version::kV3;
    c.level = a.string(2, "level");
    c.user = a.string(3, "user");
    c.auth_protocol = a.string(4, "auth_protocol");
    c.auth_passphrase = a.string(5, "auth_passphrase");
    c.priv_protocol = a.string(6, "priv_protocol");
    c.priv_passphrase = a.string(7, "priv_passphrase");
    c.context = a.string(8, "context");
    r.oids = {std::string(a.string(9, "oid"))};
    setTimeout(L, r, std::nullopt);
  } else {
    r.host = a.string(1, "host");
    c.community = a.string(2, "community");
    r.oids = {std::string(a.string(3, "oid"))};
    c.version = a.optInteger(4, "version").value_or(1) == 0 ? Credentials::Version::kV1
                                                             : Credentials::Version::kV2c;
    setTimeout(L, r, std::nullopt);
  }
  r.tag = r.host;
  if (Status st = runEngines(L).batch.submit(std::move(r)); !st) {
    return failNothing(L, kFn, st.error());
  }
  return 0;
}

// snmpReadResponses([timeout]) -> {[host] = value} of the batch answers ready, after waiting up
// to `timeout` seconds (default 0) for the first that succeeded; nil when none did. A failed
// request's host is not in it (logged).
int snmpReadResponses(lua_State* L) {
  constexpr const char* kFn = "ntop.snmpReadResponses";
  Args a(L, kFn);
  snmp::AsyncEngine& batch = runEngines(L).batch;
  const auto deadline = std::chrono::steady_clock::now() + waitArg(L, a, 1);
  std::vector<snmp::Answer> got;
  bool any = false;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    auto answer = batch.next(any ? std::chrono::milliseconds(0)
                                 : std::max(left, std::chrono::milliseconds(0)));
    if (!answer) break;
    if (!answer->varbinds) {
      log::warning("{}: {}: {}", kFn, answer->tag, answer->varbinds.error());
      continue;
    }
    any = true;
    got.push_back(std::move(*answer));
  }
  if (!any) {
    lua_pushnil(L);
    return 1;
  }
  lua_createtable(L, 0, static_cast<int>(got.size()));
  for (const snmp::Answer& ans : got) {
    if (!ans.varbinds->empty()) setField(L, ans.tag.c_str(), ans.varbinds->front().value);
  }
  return 1;
}

int available(lua_State* L) {
  lua_pushboolean(L, true);  // net-snmp with USM (v3), SET and GETBULK
  return 1;
}

int snmpMaxNumEngines(lua_State* L) {
  lua_pushinteger(L, kMaxEngines);
  return 1;
}

int snmpSetBulkMaxNumRepetitions(lua_State* L) {
  Args a(L, "ntop.snmpSetBulkMaxNumRepetitions");
  const int64_t n = a.integer(1, "n");
  if (n < 1 || n > 255) a.fail("argument #1 (n) must be 1..255");
  g_bulk_repetitions = static_cast<int>(n);
  return 0;
}

}  // namespace

const luaL_Reg kSnmp[] = {
    {"snmpv3available", available},
    {"snmpsetavailable", available},
    {"snmpgetbulkavailable", available},
    {"snmpMaxNumEngines", snmpMaxNumEngines},
    {"snmpSetBulkMaxNumRepetitions", snmpSetBulkMaxNumRepetitions},
    {"snmpget", snmpget},
    {"snmpgetnext", snmpgetnext},
    {"snmpgetnextbulk", snmpgetnextbulk},
    {"snmpset", snmpset},
    {"snmpallocasnyncengine", snmpallocasnyncengine},
    {"snmpfreeasnycengine", snmpfreeasnycengine},
    {"snmpgetasync", snmpgetasync},
    {"snmpgetnextasync", snmpgetnextasync},
    {"snmpgetnextbulkasync", snmpgetnextbulkasync},
    {"snmpreadasyncrsp", snmpreadasyncrsp},
    {"snmpGetBatch", snmpGetBatch},
    {"snmpReadResponses", snmpReadResponses},
    {nullptr, nullptr},
};

}  // namespace flowlens::lua::ntop
