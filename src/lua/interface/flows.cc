// interface.* flows: getFlowsInfo with paging, sorting and filters, getFlowsStats, getNumFlows,
// getFlowKey, findFlowByKeyAndHashId.

#include <algorithm>
#include <map>

#include "iface/queries.h"
#include "lua/args.h"
#include "lua/interface/common.h"
#include "lua/interface/views.h"
#include "lua/registry.h"

namespace flowlens::lua::iface {
namespace {

// getFlowsInfo([host], [paginator]) -> {flows = {...}, numFlows = N}. The paginator takes
// ntopng's keys: sortColumn, a2zSortOrder, maxHits, toSkip, l4protoFilter, l7protoFilter,
// l7categoryFilter, portFilter, vlanIdFilter.
int getFlowsInfo(lua_State* L) {
  Args a(L, "interface.getFlowsInfo");
  FlowQuery q;
  if (auto host = a.optString(1, "host")) {
    const std::string text(host->substr(0, host->find('@')));
    auto ip = util::parseIp(text);
    if (!ip) return failWithNil(L, "interface.getFlowsInfo", "invalid host '" + text + "'");
    q.host = *ip;
    if (host->find('@') != std::string_view::npos) {
      q.vlan = uint16_t(std::atoi(std::string(host->substr(host->find('@') + 1)).c_str()));
    }
  }
  if (lua_type(L, 2) == LUA_TTABLE) {
    if (auto v = stringField(L, 2, "sortColumn")) q.sort_column = *v;
    if (auto v = boolField(L, 2, "a2zSortOrder")) q.ascending = *v;
    if (auto v = intField(L, 2, "maxHits")) q.max_hits = uint32_t(std::clamp<int64_t>(*v, 0, UINT32_MAX));
    if (auto v = intField(L, 2, "toSkip")) q.to_skip = uint32_t(std::clamp<int64_t>(*v, 0, UINT32_MAX));
    if (auto v = intField(L, 2, "l4protoFilter")) q.l4_proto = uint8_t(*v);
    if (auto v = intField(L, 2, "l7protoFilter")) q.application = uint16_t(*v);
    if (auto v = intField(L, 2, "l7categoryFilter")) q.category = uint16_t(*v);
    if (auto v = intField(L, 2, "portFilter")) q.port = uint16_t(*v);
    if (auto v = intField(L, 2, "vlanIdFilter")) q.vlan = uint16_t(*v);
  } else if (lua_type(L, 2) > LUA_TNIL) {
    a.table(2, "paginator");
  }
  q.allowed = allowedNetworks(L);
  const PacketEngine* e = selectedEngine(L);
  FlowPage page;
  if (e) page = queryFlows(*e, q);
  lua_createtable(L, 0, 2);
  lua_createtable(L, int(page.flows.size()), 0);
  int n = 0;
  for (const flow::Flow& f : page.flows) {
    pushFlow(L, f, catalog(L));
    lua_rawseti(L, -2, ++n);
  }
  lua_setfield(L, -2, "flows");
  setField(L, "numFlows", page.total);
  return 1;
}

struct Tally {
  uint64_t count = 0, bytes = 0;
};

void pushTallies(lua_State* L, const char* field, const std::map<std::string, Tally>& m) {
  lua_createtable(L, 0, int(m.size()));
  for (const auto& [name, t] : m) {
    lua_createtable(L, 0, 2);
    setField(L, "count", t.count);
    setField(L, "bytes", t.bytes);
    lua_setfield(L, -2, name.c_str());
  }
  lua_setfield(L, -2, field);
}

// Active flows counted by application, category and L4 protocol: one pass over the flows' rows
// (no flow is copied whole).
int getFlowsStats(lua_State* L) {
  FlowQuery q;
  q.allowed = allowedNetworks(L);
  const dpi::DpiCatalog& cat = catalog(L);
  std::map<std::string, Tally> apps, categories, l4;
  std::map<uint16_t, std::string> app_names, category_names;
  uint64_t num_flows = 0;
  const auto tally = [&](const FlowRow& f) {  // rows are visited outside the shard locks
    if (!matches(q, f)) return;
    ++num_flows;
    const uint16_t app = f.app_proto ? f.app_proto : f.master_proto;
    auto& an = app_names[app];
    if (an.empty()) an = cat.protocolName(app);
    auto& cn = category_names[f.category];
    if (cn.empty()) cn = cat.categoryName(f.category);
    for (Tally* t : {&apps[an], &categories[cn], &l4[l4Name(f.key.proto)]}) {
      ++t->count;
      t->bytes += f.bytes();
    }
  };
  if (const PacketEngine* e = selectedEngine(L)) e->scanFlowRows(tally);
  lua_createtable(L, 0, 4);
  pushTallies(L, "ndpi", apps);
  pushTallies(L, "ndpi_categories", categories);
  pushTallies(L, "l4_protocols", l4);
  setField(L, "num_flows", num_flows);
  return 1;
}

int getNumFlows(lua_State* L) {
  const NetworkInterface* i = selected(L);
  lua_pushinteger(L, i ? lua_Integer(i->totals().flows) : 0);
  return 1;
}

// getFlowKey(cli_ip, cli_port, srv_ip, srv_port, l4_proto) -> the key of that active flow, or nil.
int getFlowKey(lua_State* L) {
  Args a(L, "interface.getFlowKey");
  auto cli = util::parseIp(a.string(1, "cli_ip"));
  const int64_t cli_port = a.integer(2, "cli_port");
  auto srv = util::parseIp(a.string(3, "srv_ip"));
  const int64_t srv_port = a.integer(4, "srv_port");
  const int64_t proto = a.integer(5, "l4_proto");
  const PacketEngine* e = selectedEngine(L);
  if (!cli || !srv || !e) {
    lua_pushnil(L);
    return 1;
  }
  auto flows = e->flows([&](const flow::Flow& f) {
    return f.key.proto == proto && addressOf(f.client(), f.key.ip_version) == *cli &&
           f.client().port == cli_port && addressOf(f.server(), f.key.ip_version) == *srv &&
           f.server().port == srv_port;
  });
  if (flows.empty()) {
    lua_pushnil(L);
  } else {
    lua_pushinteger(L, flowKey(flows.front()));
  }
  return 1;
}

int findFlowByKeyAndHashId(lua_State* L) {
  Args a(L, "interface.findFlowByKeyAndHashId");
  const int64_t key = a.integer(1, "key");
  const int64_t hash_id = a.integer(2, "hash_id");
  const PacketEngine* e = selectedEngine(L);
  std::optional<flow::Flow> f;
  if (e && key >= 0 && hash_id >= 0) f = findFlow(*e, uint32_t(key), uint32_t(hash_id));
  const auto allowed = allowedNetworks(L);
  if (f && !allowed.empty()) {
    const auto in = [&](const util::IpAddress& ip) {
      return std::any_of(allowed.begin(), allowed.end(), [&](const auto& p) { return p.contains(ip); });
    };
    if (!in(addressOf(f->key.lo, f->key.ip_version)) && !in(addressOf(f->key.hi, f->key.ip_version))) {
      f.reset();
    }
  }
  if (!f) {
    lua_pushnil(L);
    return 1;
  }
  pushFlow(L, *f, catalog(L));
  return 1;
}

}  // namespace

const luaL_Reg kFlows[] = {
    {"getFlowsInfo", getFlowsInfo},
    {"getFlowsStats", getFlowsStats},
    {"getNumFlows", getNumFlows},
    {"getFlowKey", getFlowKey},
    {"findFlowByKeyAndHashId", findFlowByKeyAndHashId},
    {nullptr, nullptr},
};

}  // namespace flowlens::lua::iface
