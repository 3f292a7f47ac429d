// interface.* views of the active flows grouped (iface/flow_groups.h): getProtocolFlowsStats
// (ntopng's aggregated live flows), getVLANFlowsStats, getHostsPorts, getHostsByPort,
// getGroupedFlows, getLocalServerPorts.

#include <algorithm>
#include <map>
#include <set>

#include "enrich/enrichment.h"
#include "host/local_networks.h"
#include "iface/flow_groups.h"
#include "iface/queries.h"
#include "lua/args.h"
#include "lua/interface/common.h"
#include "lua/interface/views.h"
#include "lua/registry.h"

namespace flowlens::lua::iface {
namespace {

int64_t seconds(uint64_t us) { return us == UINT64_MAX ? 0 : int64_t(us / 1000000); }

// ntopng's "M", "A" (master unknown) or "M.A" of a group's protocols.
std::string protoId(const FlowGroup& g) {
  if (g.app_proto == 0 || g.app_proto == g.master_proto) return std::to_string(g.master_proto);
  if (g.master_proto == 0) return std::to_string(g.app_proto);
  return std::to_string(g.master_proto) + "." + std::to_string(g.app_proto);
}

std::string protoName(lua_State* L, const FlowGroup& g) {
  return catalog(L).fullName(g.master_proto, g.app_proto);
}


// A page from `start` when there are `total` rows: past the end, ntopng answers one row,
// {num_entries = total}; true when that was pushed into the array on top.
bool pastTheEnd(lua_State* L, int64_t start, uint64_t total) {
  if (uint64_t(start) < total) return false;
  lua_createtable(L, 0, 1);
  setField(L, "num_entries", total);
  lua_rawseti(L, -2, 1);
  return true;
}

// What every row of getProtocolFlowsStats and getVLANFlowsStats carries.
void pushGroupCounts(lua_State* L, const FlowGroup& g) {
  setField(L, "vlan_id", int64_t{g.vlan});
  setField(L, "l4_proto", int64_t{g.l4_proto});
  setField(L, "num_clients", g.num_clients);
  setField(L, "num_servers", g.num_servers);
  setField(L, "num_flows", g.num_flows);
  setField(L, "bytes_sent", g.bytes_sent);
  setField(L, "bytes_rcvd", g.bytes_rcvd);
  setField(L, "total_score", g.total_score);
}

bool hasApp(FlowGrouping by) {
  return by == FlowGrouping::kApplication || by == FlowGrouping::kApplicationClientServer ||
         by == FlowGrouping::kClientServerPortApplication;
}
bool hasClient(FlowGrouping by) {
  return by == FlowGrouping::kClient || by == FlowGrouping::kClientServer ||
         by == FlowGrouping::kApplicationClientServer || by == FlowGrouping::kClientServerPort ||
         by == FlowGrouping::kClientServerPortApplication;
}
bool hasServer(FlowGrouping by) {
  return by == FlowGrouping::kServer || by == FlowGrouping::kClientServer ||
         by == FlowGrouping::kApplicationClientServer || by == FlowGrouping::kClientServerPort ||
         by == FlowGrouping::kClientServerPortApplication;
}

// getProtocolFlowsStats([criteria [, _ [, sort [, order [, start [, max [, search [, host
// [, vlan]]]]]]]]]) -> array of groups, each with num_entries (the groups before paging); an
// empty page is {{num_entries = total}}, as ntopng. Criteria: 1 application, 2 client (also
// anything else), 3 server, 4 client and server, 5 application, client and server, 6 the
// server name asked for (info), 7 client, server and server port, 8 the same and application.
// `search` keeps groups whose protocol name (info, for 6) contains it, in any case.
int getProtocolFlowsStats(lua_State* L) {
  Args a(L, "interface.getProtocolFlowsStats");
  int64_t criteria = a.optInteger(1, "criteria").value_or(2);
  if (criteria < 1 || criteria > 8) criteria = 2;
  const auto by = FlowGrouping(criteria);
  const std::string sort(a.optString(3, "sort").value_or("bytes_sent"));
  const bool ascending = a.optString(4, "order").value_or("asc") == "asc";
  const int64_t start = std::max<int64_t>(0, a.optInteger(5, "start").value_or(0));
  int64_t max_rows = a.optInteger(6, "max").value_or(0);
  if (max_rows <= 0) max_rows = 999;
  std::string search(a.optString(7, "search").value_or(""));
  FlowQuery filter;
  if (auto host = a.optString(8, "host"); host && !host->empty()) {
    util::IpAddress ip;
    std::optional<uint16_t> vlan;
    if (!parseHostKey(*host, &ip, &vlan)) {
      return failWithNil(L, "interface.getProtocolFlowsStats", "invalid host '" + std::string(*host) + "'");
    }
    filter.host = ip;
    filter.vlan = vlan;
  }
  rangeFilter(a.optInteger(9, "vlan"), 4095, &filter.vlan, &filter);
  filter.allowed = allowedNetworks(L);
  std::vector<FlowGroup> groups;
  if (const PacketEngine* e = selectedEngine(L)) groups = groupFlows(*e, by, filter);
  const auto lower = [](std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
  };
  if (!search.empty()) {
    search = lower(search);
    std::erase_if(groups, [&](const FlowGroup& g) {
      return lower(by == FlowGrouping::kInfo ? g.info : protoName(L, g)).find(search) == std::string::npos;
    });
  }
  sortFlowGroups(groups, sort, ascending, [&](const FlowGroup& g) { return protoName(L, g); });
  const uint64_t total = groups.size();
  lua_createtable(L, 0, 0);
  if (pastTheEnd(L, start, total)) return 1;
  int n = 0;
  for (size_t k = size_t(start); k < groups.size() && n < max_rows; ++k) {
    const FlowGroup& g = groups[k];
    lua_createtable(L, 0, 20);
    pushGroupCounts(L, g);
    setField(L, "device_ip", "");
    setField(L, "num_entries", total);
    if (hasApp(by)) {
      setField(L, "proto_id", protoId(g));
      setField(L, "proto_name", protoName(L, g));
      setField(L, "is_not_guessed", !g.guessed);
    }
    if (hasClient(by)) {
      setField(L, "cli_vlan_id", int64_t{g.vlan});
      setField(L, "client_ip", g.client.toString());
      setField(L, "client_name", resolvedName(L, g.client).value_or(""));
      setField(L, "is_cli_in_mem", true);
    }
    if (hasServer(by)) {
      setField(L, "srv_vlan_id", int64_t{g.vlan});
      setField(L, "server_ip", g.server.toString());
      setField(L, "server_name", resolvedName(L, g.server).value_or(""));
      setField(L, "is_srv_in_mem", true);
    }
    if (by == FlowGrouping::kClientServerPort || by == FlowGrouping::kClientServerPortApplication) {
      setField(L, "srv_port", int64_t{g.server_port});
    }
    if (by == FlowGrouping::kInfo) setField(L, "info", g.info);
    lua_rawseti(L, -2, ++n);
  }
  return 1;
}

// getVLANFlowsStats() -> array, one entry per VLAN, server port and protocol.
int getVLANFlowsStats(lua_State* L) {
  FlowQuery filter;
  filter.allowed = allowedNetworks(L);
  std::vector<FlowGroup> groups;
  if (const PacketEngine* e = selectedEngine(L)) {
    groups = groupFlows(*e, FlowGrouping::kVlanPortApplication, filter);
  }
  sortFlowGroups(groups, "vlan_id", true, [&](const FlowGroup& g) { return protoName(L, g); });
  lua_createtable(L, int(groups.size()), 0);
  int n = 0;
  for (const FlowGroup& g : groups) {
    lua_createtable(L, 0, 11);
    pushGroupCounts(L, g);
    setField(L, "dst_port", int64_t{g.server_port});
    setField(L, "proto_id", protoId(g));
    setField(L, "proto_name", protoName(L, g));
    lua_rawseti(L, -2, ++n);
  }
  return 1;
}

// getHostsPorts(l4_proto [, vlan]) -> array, one entry per server port and protocol of the
// active flows of that L4 protocol: {proto_id, l7_proto_name, srv_port, l4_proto, n_hosts,
// num_entries}.
int getHostsPorts(lua_State* L) {
  Args a(L, "interface.getHostsPorts");
  const int64_t l4 = a.integer(1, "l4_proto");
  FlowQuery filter;
  rangeFilter(std::optional<int64_t>(l4), 255, &filter.l4_proto, &filter);
  rangeFilter(a.optInteger(2, "vlan"), 4095, &filter.vlan, &filter);
  filter.allowed = allowedNetworks(L);
  std::vector<FlowGroup> groups;
  const PacketEngine* e = selectedEngine(L);
  if (e) groups = groupFlows(*e, FlowGrouping::kVlanPortApplication, filter);
  // VLANs together: one entry per port and protocol, its servers counted across VLANs.
  struct Entry {
    FlowGroup first;
    uint64_t servers = 0;
  };
  std::map<std::tuple<uint16_t, uint16_t, uint16_t>, Entry> ports;
  for (const FlowGroup& g : groups) {
    Entry& entry = ports[{g.server_port, g.master_proto, g.app_proto}];
    if (entry.servers == 0) entry.first = g;
    entry.servers += g.num_servers;
  }
  lua_createtable(L, int(ports.size()), 0);
  int n = 0;
  for (const auto& [key, entry] : ports) {
    lua_createtable(L, 0, 6);
    setField(L, "proto_id", protoId(entry.first));
    setField(L, "l7_proto_name", protoName(L, entry.first));
    setField(L, "srv_port", int64_t{entry.first.server_port});
    setField(L, "l4_proto", l4Name(entry.first.l4_proto));
    setField(L, "n_hosts", entry.servers);
    setField(L, "num_entries", uint64_t{ports.size()});
    lua_rawseti(L, -2, ++n);
  }
  return 1;
}

// getHostsByPort(l4_proto, port [, app [, sort [, order [, start [, max [, master]]]]]]) ->
// array of the servers of that port: {ip, mac, mac_manufacturer, name, vlan_id, flows, score,
// tot_traffic, num_entries}; an empty page is {{num_entries = total}}. `app`/`master` (nDPI
// ids, 0 = any) keep the flows of that application or master protocol. Sort: ip (default),
// name, mac, mac_manufacturer, vlan_id, flows, score, tot_traffic; order "asc" (default) or
// anything else for descending; max 0 = all.
int getHostsByPort(lua_State* L) {
  Args a(L, "interface.getHostsByPort");
  const int64_t l4 = a.integer(1, "l4_proto");
  const int64_t port = a.integer(2, "port");
  const int64_t app = a.optInteger(3, "app").value_or(0);
  const std::string sort(a.optString(4, "sort").value_or("ip"));
  const bool ascending = a.optString(5, "order").value_or("asc") == "asc";
  const int64_t start = std::max<int64_t>(0, a.optInteger(6, "start").value_or(0));
  const int64_t max_rows = a.optInteger(7, "max").value_or(0);
  const int64_t master = a.optInteger(8, "master").value_or(0);
  FlowQuery filter;
  rangeFilter(std::optional<int64_t>(l4), 255, &filter.l4_proto, &filter);
  rangeFilter(std::optional<int64_t>(port), 65535, &filter.server_port, &filter);
  filter.allowed = allowedNetworks(L);
  std::vector<FlowGroup> groups;
  const PacketEngine* e = selectedEngine(L);
  if (e) groups = groupFlows(*e, FlowGrouping::kApplicationClientServer, filter);
  struct Row {
    util::IpAddress ip;
    uint16_t vlan = 0;
    uint64_t flows = 0, score = 0, traffic = 0;
    std::string name, mac, manufacturer;
  };
  std::map<std::pair<std::string, uint16_t>, Row> rows;
  for (const FlowGroup& g : groups) {
    if (app > 0 && g.app_proto != app) continue;
    if (master > 0 && g.master_proto != master) continue;
    Row& r = rows[{std::string(reinterpret_cast<const char*>(g.server.bytes.data()), 16) +
                       (g.server.v6 ? "6" : "4"),
                   g.vlan}];
    r.ip = g.server;
    r.vlan = g.vlan;
    r.flows += g.num_flows;
    r.score += g.total_score;
    r.traffic += g.bytes_sent + g.bytes_rcvd;
  }
  std::vector<Row> list;
  for (auto& [k, r] : rows) {
    // What the host table knows of a server (name, MAC) only for servers the user may see.
    if (auto h = inAllowed(filter.allowed, r.ip) ? findHost(*e, r.ip, r.vlan) : std::nullopt) {
      r.name = displayName(L, *h);
      if (h->has_mac) {
        r.mac = host::macToString(h->mac);
        enrich::Enrichment* enrichment = LuaState::from(L)->services().enrichment;
        if (enrichment != nullptr) {
          if (auto v = enrichment->macVendors().lookup(h->mac)) r.manufacturer = std::string(*v);
        }
      }
    }
    list.push_back(std::move(r));
  }
  std::stable_sort(list.begin(), list.end(), [&](const Row& x, const Row& y) {
    const auto cmp = [&]() -> int {
      const auto num = [](auto p, auto q) { return p < q ? -1 : (q < p ? 1 : 0); };
      if (sort == "flows") return num(x.flows, y.flows);
      if (sort == "score") return num(x.score, y.score);
      if (sort == "tot_traffic") return num(x.traffic, y.traffic);
      if (sort == "vlan_id") return num(x.vlan, y.vlan);
      if (sort == "name") return x.name.compare(y.name);
      if (sort == "mac") return x.mac.compare(y.mac);
      if (sort == "mac_manufacturer") return x.manufacturer.compare(y.manufacturer);
      return 0;  // ip
    }();
    int c = cmp != 0 ? cmp : util::compare(x.ip, y.ip);
    if (c == 0) c = int(x.vlan) - int(y.vlan);
    return ascending ? c < 0 : c > 0;
  });
  const uint64_t total = list.size();
  lua_createtable(L, 0, 0);
  if (pastTheEnd(L, start, total)) return 1;
  int n = 0;
  for (size_t k = size_t(start); k < list.size() && (max_rows <= 0 || n < max_rows); ++k) {
    const Row& r = list[k];
    lua_createtable(L, 0, 9);
    setField(L, "ip", r.ip.toString());
    setField(L, "mac", r.mac);
    setField(L, "mac_manufacturer", r.manufacturer);
    setField(L, "name", r.name);
    setField(L, "vlan_id", int64_t{r.vlan});
    setField(L, "flows", r.flows);
    setField(L, "score", r.score);
    setField(L, "tot_traffic", r.traffic);
    setField(L, "num_entries", total);
    lua_rawseti(L, -2, ++n);
  }
  return 1;
}

// getGroupedFlows(column [, paginator]) -> array, one entry per application: {proto, bytes,
// seen.first, seen.last, num_flows, num_blocked_flows, throughput_bps}. As ntopng, only
// "column_ndpi" groups; any other column gives {}. The paginator's filters apply.
int getGroupedFlows(lua_State* L) {
  Args a(L, "interface.getGroupedFlows");
  const std::string column(a.string(1, "group_column"));
  FlowQuery filter;
  flowPaginator(L, a, 2, &filter);
  filter.allowed = allowedNetworks(L);
  std::map<uint16_t, FlowGroup> apps;
  const PacketEngine* e = selectedEngine(L);
  if (e && column == "column_ndpi") {
    for (const FlowGroup& g : groupFlows(*e, FlowGrouping::kApplication, filter)) {
      const uint16_t id = g.app_proto ? g.app_proto : g.master_proto;
      FlowGroup& sum = apps[id];
      sum.num_flows += g.num_flows;
      sum.bytes_sent += g.bytes_sent + g.bytes_rcvd;
      sum.first_seen_us = std::min(sum.first_seen_us, g.first_seen_us);
      sum.last_seen_us = std::max(sum.last_seen_us, g.last_seen_us);
      sum.throughput_bps += g.throughput_bps;
    }
  }
  lua_createtable(L, int(apps.size()), 0);
  int n = 0;
  for (const auto& [id, g] : apps) {
    lua_createtable(L, 0, 7);
    setField(L, "proto", int64_t{id});
    setField(L, "bytes", g.bytes_sent);
    setField(L, "seen.first", seconds(g.first_seen_us));
    setField(L, "seen.last", seconds(g.last_seen_us));
    setField(L, "num_flows", g.num_flows);
    setField(L, "num_blocked_flows", g.num_flows);  // as ntopng outside nEdge
    setField(L, "throughput_bps", g.throughput_bps);
    lua_rawseti(L, -2, ++n);
  }
  return 1;
}

// getLocalServerPorts() -> {["port"] = local hosts serving it}: the server ports local hosts
// answer on in the active flows (TCP and UDP counted apart, as ntopng).
int getLocalServerPorts(lua_State* L) {
  const LocalNetworks* local = LuaState::from(L)->services().local_networks;
  FlowQuery filter;
  filter.allowed = allowedNetworks(L);
  std::set<std::tuple<std::string, uint16_t, uint8_t, uint16_t>> served;  // server, VLAN, L4, port
  if (const PacketEngine* e = selectedEngine(L); e && local != nullptr) {
    for (const FlowGroup& g : groupFlows(*e, FlowGrouping::kClientServerPort, filter)) {
      if ((g.l4_proto != 6 && g.l4_proto != 17) || !local->isLocal(g.server)) continue;
      served.insert({g.server.toString(), g.vlan, g.l4_proto, g.server_port});
    }
  }
  std::map<uint16_t, uint64_t> hosts_per_port;
  for (const auto& [ip, vlan, l4, port] : served) ++hosts_per_port[port];
  lua_createtable(L, 0, int(hosts_per_port.size()));
  for (const auto& [port, n] : hosts_per_port) setField(L, std::to_string(port).c_str(), n);
  return 1;
}

}  // namespace

const luaL_Reg kAggregates[] = {
    {"getProtocolFlowsStats", getProtocolFlowsStats},
    {"getVLANFlowsStats", getVLANFlowsStats},
    {"getHostsPorts", getHostsPorts},
    {"getHostsByPort", getHostsByPort},
    {"getGroupedFlows", getGroupedFlows},
    {"getLocalServerPorts", getLocalServerPorts},
    {nullptr, nullptr},
};

}  // namespace flowlens::lua::iface
