// interface.* flows: getFlowsInfo with paging, sorting and filters (and its batched walk),
// getFlowsStats, getActiveFlowsStats, getFlowsStatus, getnDPIFlowsCount, getNumFlows,
// getFlowKey, findFlowByKeyAndHashId, findFlowByTuple.

#include <algorithm>
#include <map>
#include <tuple>

#include "iface/queries.h"
#include "lua/args.h"
#include "lua/interface/common.h"
#include "lua/interface/views.h"
#include "lua/registry.h"

namespace flowlens::lua::iface {
namespace {

// A host argument "ip[@vlan]" into the query's host (and VLAN) filter; false when it does not
// parse.
bool hostFilter(std::string_view text, FlowQuery* q) {
  util::IpAddress ip;
  std::optional<uint16_t> vlan;
  if (!parseHostKey(text, &ip, &vlan)) return false;
  q->host = ip;
  if (vlan) q->vlan = vlan;
  return true;
}

// {flows = {...array}, numFlows = N, [nextSlot = ...]}.
void pushFlowPage(lua_State* L, const FlowPage& page, std::optional<uint64_t> next_slot) {
  lua_createtable(L, 0, 3);
  lua_createtable(L, int(page.flows.size()), 0);
  int n = 0;
  for (const flow::Flow& f : page.flows) {
    pushFlow(L, f, catalog(L));
    lua_rawseti(L, -2, ++n);
  }
  lua_setfield(L, -2, "flows");
  setField(L, "numFlows", next_slot ? uint64_t{page.flows.size()} : page.total);
  if (next_slot) setField(L, "nextSlot", *next_slot);
}

// getFlowsInfo([host], [paginator]) -> {flows = {...}, numFlows = N}.
int getFlowsInfo(lua_State* L) {
  Args a(L, "interface.getFlowsInfo");
  FlowQuery q;
  if (auto host = a.optString(1, "host")) {
    if (!hostFilter(*host, &q)) {
      return failWithNil(L, "interface.getFlowsInfo", "invalid host '" + std::string(*host) + "'");
    }
  }
  flowPaginator(L, a, 2, &q);
  q.allowed = allowedNetworks(L);
  const PacketEngine* e = selectedEngine(L);
  FlowPage page;
  if (e) page = queryFlows(*e, q);
  pushFlowPage(L, page, std::nullopt);
  return 1;
}

// Flows a batch at a time: getBatchedFlowsInfo([begin_slot], [paginator]) ->
// {flows, numFlows (this batch), nextSlot (0 after the last batch)}, in the order flows were
// created (per packet thread); the paginator's filters apply and its maxHits is the batch
// size (default 1000), its order and toSkip are not used. A walk sees each flow that stays
// exactly once, and the flows created meanwhile.
constexpr uint32_t kBatch = 1000;

int getBatchedFlowsInfo(lua_State* L) {
  Args a(L, "interface.getBatchedFlowsInfo");
  const int64_t begin = std::max<int64_t>(0, a.optInteger(1, "begin_slot").value_or(0));
  FlowQuery q;
  q.max_hits = kBatch;
  flowPaginator(L, a, 2, &q);
  q.allowed = allowedNetworks(L);
  FlowPage page;
  uint64_t next = 0;
  if (const PacketEngine* e = selectedEngine(L); e && q.max_hits > 0) {
    next = e->walkFlows(uint64_t(begin), q.max_hits,
                        [&](const flow::Flow& f) { return matches(q, FlowRow::of(f, 0)); }, &page.flows);
  }
  pushFlowPage(L, page, next);
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

// The active flows the user may see, counted by application, category and L4 protocol (by
// name: ids nDPI names alike, such as every unknown one, add up): one pass over the flows'
// rows, no flow copied whole.
struct FlowTallies {
  std::map<std::string, Tally> apps, categories, l4;
  uint64_t num_flows = 0;
};

FlowTallies tallyFlows(lua_State* L) {
  FlowQuery q;
  q.allowed = allowedNetworks(L);
  const dpi::DpiCatalog& cat = catalog(L);
  FlowTallies out;
  std::map<uint16_t, std::string> app_names, category_names;
  const auto tally = [&](const FlowRow& f) {  // rows are visited outside the shard locks
    if (!matches(q, f)) return;
    ++out.num_flows;
    const uint16_t app = f.app_proto ? f.app_proto : f.master_proto;
    auto& an = app_names[app];
    if (an.empty()) an = cat.protocolName(app);
    auto& cn = category_names[f.category];
    if (cn.empty()) cn = cat.categoryName(f.category);
    for (Tally* t : {&out.apps[an], &out.categories[cn], &out.l4[l4Name(f.key.proto)]}) {
      ++t->count;
      t->bytes += f.bytes();
    }
  };
  if (const PacketEngine* e = selectedEngine(L)) e->scanFlowRows(tally);
  return out;
}

int getFlowsStats(lua_State* L) {
  const FlowTallies t = tallyFlows(L);
  lua_createtable(L, 0, 4);
  pushTallies(L, "ndpi", t.apps);
  pushTallies(L, "ndpi_categories", t.categories);
  pushTallies(L, "l4_protocols", t.l4);
  setField(L, "num_flows", t.num_flows);
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

// The flows' traffic per direction and per application, as ntopng's getActiveFlowsStats:
// getActiveFlowsStats([host], [paginator], [only_traffic_stats], [talking_with]) ->
// {numFlows, totBytesSent (client to server), totBytesRcvd, ndpi = {[app] = {...}},
//  ndpi_categories = {[category] = {...}}}. A host that is not active filters nothing, as
// ntopng.
int getActiveFlowsStats(lua_State* L) {
  Args a(L, "interface.getActiveFlowsStats");
  const PacketEngine* e = selectedEngine(L);
  FlowQuery q;
  const auto active = [&](std::string_view text) -> std::optional<util::IpAddress> {
    util::IpAddress ip;
    std::optional<uint16_t> vlan;
    if (e == nullptr || !parseHostKey(text, &ip, &vlan) || !findHost(*e, ip, vlan)) return std::nullopt;
    return ip;
  };
  if (auto host = a.optString(1, "host")) q.host = active(*host);
  flowPaginator(L, a, 2, &q);
  const bool only_traffic = a.optBoolean(3, "only_traffic_stats").value_or(false);
  std::optional<util::IpAddress> peer;
  if (auto with = a.optString(4, "talking_with"); with && q.host) peer = active(*with);
  q.allowed = allowedNetworks(L);
  // Copied under the shard locks, summed outside them.
  struct One {
    uint16_t app = 0, category = 0;
    host::Traffic traffic;  // sent = client to server
  };
  std::vector<One> flows;
  if (e) {
    e->scanFlows([&](const flow::Flow& f) {
      if (!matches(q, FlowRow::of(f, 0))) return;
      if (peer && !(addressOf(f.key.lo, f.key.ip_version) == *peer ||
                    addressOf(f.key.hi, f.key.ip_version) == *peer)) {
        return;
      }
      One one{f.app_proto ? f.app_proto : f.master_proto, f.category, {}};
      one.traffic.add(true, f.c2s.packets, f.c2s.bytes);
      one.traffic.add(false, f.s2c.packets, f.s2c.bytes);
      flows.push_back(one);
    });
  }
  struct Sums {
    host::Traffic traffic;
    uint64_t flows = 0;
    uint16_t id = 0;
  };
  // By name: ids nDPI names alike (every unknown one is "Unknown") add up.
  const dpi::DpiCatalog& cat = catalog(L);
  std::map<std::string, Sums> apps, categories;
  uint64_t sent = 0, rcvd = 0;
  for (const One& one : flows) {
    sent += one.traffic.bytes_sent;
    rcvd += one.traffic.bytes_rcvd;
    if (only_traffic) continue;
    for (auto [sums, name, id] : {std::tuple{&apps, cat.protocolName(one.app), one.app},
                                  std::tuple{&categories, cat.categoryName(one.category), one.category}}) {
      Sums& s = (*sums)[name];
      if (s.flows == 0) s.id = id;
      s.traffic.add(true, one.traffic.packets_sent, one.traffic.bytes_sent);
      s.traffic.add(false, one.traffic.packets_rcvd, one.traffic.bytes_rcvd);
      ++s.flows;
    }
  }
  lua_createtable(L, 0, 5);
  setField(L, "numFlows", uint64_t{flows.size()});
  setField(L, "totBytesSent", sent);
  setField(L, "totBytesRcvd", rcvd);
  if (!only_traffic) {
    lua_createtable(L, 0, int(apps.size()));
    for (const auto& [name, s] : apps) {
      lua_createtable(L, 0, 9);
      pushTraffic(L, s.traffic);
      setField(L, "num_flows", s.flows);
      setField(L, "id", int64_t{s.id});
      setField(L, "breed", cat.breedName(s.id));
      lua_setfield(L, -2, name.c_str());
    }
    lua_setfield(L, -2, "ndpi");
    lua_createtable(L, 0, int(categories.size()));
    for (const auto& [name, s] : categories) {
      lua_createtable(L, 0, 8);
      pushTraffic(L, s.traffic);
      setField(L, "num_flows", s.flows);
      setField(L, "category", int64_t{s.id});
      lua_setfield(L, -2, name.c_str());
    }
    lua_setfield(L, -2, "ndpi_categories");
  }
  return 1;
}

// TCP flows by state: {SYN = connecting, Established, FIN = closed, RST = reset}.
int getFlowsStatus(lua_State* L) {
  FlowQuery q;
  q.allowed = allowedNetworks(L);
  q.l4_proto = 6;
  uint64_t syn = 0, established = 0, fin = 0, rst = 0;
  if (const PacketEngine* e = selectedEngine(L)) {
    e->scanFlows([&](const flow::Flow& f) {
      if (!matches(q, FlowRow::of(f, 0))) return;
      switch (f.tcp_state) {
        case flow::TcpState::kSynSent: ++syn; break;
        case flow::TcpState::kEstablished: ++established; break;
        case flow::TcpState::kClosed: ++fin; break;
        case flow::TcpState::kReset: ++rst; break;
        case flow::TcpState::kNone: break;  // mid-stream: no handshake seen
      }
    });
  }
  lua_createtable(L, 0, 4);
  setField(L, "SYN", syn);
  setField(L, "Established", established);
  setField(L, "FIN", fin);
  setField(L, "RST", rst);
  return 1;
}

// {[application] = active flows}, applications with at least one flow (getFlowsStats' counts).
int getnDPIFlowsCount(lua_State* L) {
  const FlowTallies t = tallyFlows(L);
  lua_createtable(L, 0, int(t.apps.size()));
  for (const auto& [name, tally] : t.apps) {
    lua_pushinteger(L, lua_Integer(tally.count));
    lua_setfield(L, -2, name.c_str());
  }
  return 1;
}

// findFlowByTuple(src_ip, dst_ip, vlan, src_port, dst_port, l4_proto): the active flow with
// these ends in either direction, or nil.
int findFlowByTuple(lua_State* L) {
  Args a(L, "interface.findFlowByTuple");
  auto src = util::parseIp(a.string(1, "src_ip"));
  auto dst = util::parseIp(a.string(2, "dst_ip"));
  const int64_t vlan = a.integer(3, "vlan_id");
  const int64_t sport = a.integer(4, "src_port"), dport = a.integer(5, "dst_port");
  const int64_t proto = a.integer(6, "l4_proto");
  const PacketEngine* e = selectedEngine(L);
  if (!src || !dst || !e) {
    lua_pushnil(L);
    return 1;
  }
  FlowQuery q;
  q.allowed = allowedNetworks(L);
  auto flows = e->flows([&](const flow::Flow& f) {
    if (f.key.proto != proto || f.key.vlan != vlan) return false;
    const util::IpAddress lo = addressOf(f.key.lo, f.key.ip_version);
    const util::IpAddress hi = addressOf(f.key.hi, f.key.ip_version);
    const bool forward = lo == *src && f.key.lo.port == sport && hi == *dst && f.key.hi.port == dport;
    const bool reverse = hi == *src && f.key.hi.port == sport && lo == *dst && f.key.lo.port == dport;
    return (forward || reverse) && matches(q, FlowRow::of(f, 0));
  });
  if (flows.empty()) {
    lua_pushnil(L);
  } else {
    pushFlow(L, flows.front(), catalog(L));
  }
  return 1;
}

}  // namespace

const luaL_Reg kFlows[] = {
    {"getFlowsInfo", getFlowsInfo},
    {"getFlowsStats", getFlowsStats},
    {"getNumFlows", getNumFlows},
    {"getFlowKey", getFlowKey},
    {"findFlowByKeyAndHashId", findFlowByKeyAndHashId},
    {"getBatchedFlowsInfo", getBatchedFlowsInfo},
    {"getActiveFlowsStats", getActiveFlowsStats},
    {"getFlowsStatus", getFlowsStatus},
    {"getnDPIFlowsCount", getnDPIFlowsCount},
    {"findFlowByTuple", findFlowByTuple},
    {nullptr, nullptr},
};

}  // namespace flowlens::lua::iface
