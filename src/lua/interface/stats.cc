// interface.* counters: getStats, getThroughput, isRunning/isIdle, resetCounters, and the
// per-VLAN and per-network aggregates.

#include <ifaddrs.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>
#include <optional>

#include "lua/args.h"
#include "lua/interface/common.h"
#include "lua/interface/views.h"
#include "lua/registry.h"

namespace flowlens::lua::iface {
namespace {

// The addresses configured on live interface `name`, "a,b,..." (ntopng's ip_addresses); none
// for a capture file or "any".
std::string interfaceAddresses(const std::string& name) {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return "";
  std::string out;
  for (ifaddrs* a = list; a != nullptr; a = a->ifa_next) {
    if (a->ifa_addr == nullptr || name != a->ifa_name) continue;
    util::IpAddress ip;
    if (a->ifa_addr->sa_family == AF_INET) {
      std::memcpy(ip.bytes.data(), &reinterpret_cast<sockaddr_in*>(a->ifa_addr)->sin_addr, 4);
    } else if (a->ifa_addr->sa_family == AF_INET6) {
      ip.v6 = true;
      std::memcpy(ip.bytes.data(), &reinterpret_cast<sockaddr_in6*>(a->ifa_addr)->sin6_addr, 16);
    } else {
      continue;
    }
    if (!out.empty()) out += ",";
    out += ip.toString();
  }
  freeifaddrs(list);
  return out;
}

int getStats(lua_State* L) {
  NetworkInterface* i = selected(L);
  if (!i) return failWithNil(L, "interface.getStats", "no interface");
  const EngineTotals t = i->totals();
  const EngineTotals r = i->totalsSinceReset();
  const uint64_t local_hosts = i->engine() ? i->engine()->localHosts() : 0;
  lua_createtable(L, 0, 26);
  setField(L, "id", i->id());
  setField(L, "name", i->name());
  setField(L, "ifname", i->name());
  setField(L, "description", i->name());
  setField(L, "type", i->typeName());
  setField(L, "isView", false);
  setField(L, "isDynamic", false);
  setField(L, "isPacketInterface", true);
  setField(L, "isRunning", i->engine() != nullptr && i->engine()->running());
  setField(L, "startEpoch", static_cast<int64_t>(i->startEpoch()));
  setField(L, "throughput_bps", i->throughputBps());
  setField(L, "throughput_pps", i->throughputPps());
  setField(L, "num_flows", t.flows);
  setField(L, "num_hosts", t.hosts);
  setField(L, "num_local_hosts", local_hosts);
  setField(L, "num_macs", t.macs);
  setField(L, "ip_addresses", i->kind() == NetworkInterface::Kind::kPcapFile
                                  ? std::string()
                                  : interfaceAddresses(i->name()));
  // The table caps (-X, -x): with num_flows and num_hosts, how full the tables are.
  const Options* opts = LuaState::from(L)->services().options;
  setField(L, "max_num_flows", uint64_t{opts ? opts->max_num_flows : 0});
  setField(L, "max_num_hosts", uint64_t{opts ? opts->max_num_hosts : 0});
  lua_createtable(L, 0, 12);
  setField(L, "packets", t.packets);
  setField(L, "bytes", t.bytes);
  setField(L, "drops", t.kernel_drops);
  setField(L, "flows", t.flows);
  setField(L, "hosts", t.hosts);
  setField(L, "local_hosts", local_hosts);
  setField(L, "current_macs", t.macs);
  setField(L, "discarded_probing_packets", uint64_t{0});
  setField(L, "malformed", t.malformed);
  setField(L, "fragments", t.fragments);
  setField(L, "non_ip_packets", t.non_ip_packets);
  setField(L, "flow_drops", t.flow_drops);  // packets whose flow found no room (-X)
  setField(L, "host_drops", t.host_drops);  // flows whose host found no room (-x)
  const PacketEngine* engine = i->engine();  // running live captures (interface.liveCapture)
  setField(L, "num_live_captures",
           uint64_t(engine != nullptr ? engine->liveCaptureRegistry()->list().size() : 0));
  lua_createtable(L, 0, int(t.malformed_by_reason.size()));
  for (size_t k = 1; k < t.malformed_by_reason.size(); ++k) {
    if (t.malformed_by_reason[k] != 0) {
      setField(L, decode::reasonName(decode::Reason(k)), t.malformed_by_reason[k]);
    }
  }
  lua_setfield(L, -2, "malformed_by_reason");
  lua_setfield(L, -2, "stats");
  // Traffic per L4 protocol ({TCP = {bytes, packets, num_flows, ...}, ...}) and per DSCP code
  // of the flows' first packets ({[code] = {bytes.sent, packets.sent, ...}}, both directions
  // counted as sent, as ntopng's interface DSCP stats).
  std::map<uint8_t, AppStats> l4;
  std::map<uint8_t, host::Traffic> dscp;
  if (const PacketEngine* e = i->engine()) {
    e->readShared([&](const host::HostTable&, const TrafficStats& s) {
      l4 = s.l4;
      dscp = s.dscp;
    });
  }
  lua_createtable(L, 0, int(dscp.size()));
  for (const auto& [code, traffic] : dscp) {
    lua_createtable(L, 0, 4);
    pushTraffic(L, traffic);
    lua_rawseti(L, -2, lua_Integer(code));
  }
  lua_setfield(L, -2, "dscp");
  lua_createtable(L, 0, int(l4.size()));
  for (const auto& [proto, a] : l4) {
    lua_createtable(L, 0, 7);
    pushTraffic(L, a.traffic);
    setField(L, "num_flows", a.flows);
    lua_setfield(L, -2, l4Name(proto));
  }
  lua_setfield(L, -2, "l4_protocols");
  lua_createtable(L, 0, 4);
  setField(L, "packets", r.packets);
  setField(L, "bytes", r.bytes);
  setField(L, "drops", r.kernel_drops);
  lua_setfield(L, -2, "stats_since_reset");
  return 1;
}

int getThroughput(lua_State* L) {
  NetworkInterface* i = selected(L);
  if (!i) return failWithNil(L, "interface.getThroughput", "no interface");
  lua_createtable(L, 0, 2);
  setField(L, "throughput_bps", i->throughputBps());
  setField(L, "throughput_pps", i->throughputPps());
  return 1;
}

int isRunning(lua_State* L) {
  NetworkInterface* i = selected(L);
  lua_pushboolean(L, i && i->engine() && i->engine()->running());
  return 1;
}

int isIdle(lua_State* L) {
  NetworkInterface* i = selected(L);
  lua_pushboolean(L, i == nullptr || i->idle());
  return 1;
}

int resetCounters(lua_State* L) {
  NetworkInterface* i = selected(L);
  if (!i) return failWithNil(L, "interface.resetCounters", "no interface");
  if (!LuaState::from(L)->context().isAdministrator()) {
    return failWithNil(L, "interface.resetCounters", "administrators only");
  }
  i->resetCounters();
  lua_pushboolean(L, 1);
  return 1;
}

std::map<uint16_t, AppStats> vlanStats(lua_State* L) {
  std::map<uint16_t, AppStats> vlans;
  if (const PacketEngine* e = selectedEngine(L)) {
    e->readShared([&](const host::HostTable&, const TrafficStats& s) { vlans = s.vlans; });
  }
  return vlans;
}

void pushVlan(lua_State* L, uint16_t id, const AppStats& v) {
  lua_createtable(L, 0, 8);
  setField(L, "vlan_id", int64_t{id});
  pushTraffic(L, v.traffic);
  setField(L, "num_flows", v.flows);
}

// getVLANInfo(vlan_id) -> that VLAN's entry of getVLANsInfo, or nil when none was seen.
int getVLANInfo(lua_State* L) {
  const int64_t id = Args(L, "interface.getVLANInfo").integer(1, "vlan_id");
  const auto vlans = vlanStats(L);
  const auto it = id > 0 && id < 4096 ? vlans.find(uint16_t(id)) : vlans.end();
  if (it == vlans.end()) {
    lua_pushnil(L);
    return 1;
  }
  pushVlan(L, it->first, it->second);
  return 1;
}

// Whether tagged traffic was seen.
int hasVLANs(lua_State* L) {
  const auto vlans = vlanStats(L);
  lua_pushboolean(L, std::any_of(vlans.begin(), vlans.end(), [](const auto& v) { return v.first != 0; }));
  return 1;
}

// ntopng's getVLANsInfo shape (getVLANsList too): {VLANs = {{vlan_id, bytes.sent, ...}, ...}, numVLANs = n}.
int getVLANsInfo(lua_State* L) {
  const auto vlans = vlanStats(L);
  lua_createtable(L, 0, 2);
  lua_createtable(L, int(vlans.size()), 0);
  int n = 0;
  for (const auto& [id, v] : vlans) {
    if (id == 0) continue;
    pushVlan(L, id, v);
    lua_rawseti(L, -2, ++n);
  }
  lua_setfield(L, -2, "VLANs");
  setField(L, "numVLANs", n);
  return 1;
}

// Traffic of each local network (-m): {[name] = {network_id, network_key, bytes.sent, ...}};
// only network `only` when given.
int networksStats(lua_State* L, std::optional<int> only) {
  const PacketEngine* e = selectedEngine(L);
  std::map<int, host::Traffic> nets;
  std::map<int, uint64_t> hosts_per_net;
  if (e) {
    e->readShared([&](const host::HostTable& hosts, const TrafficStats& s) {
      nets = s.networks;
      hosts.forEach([&](const host::Host& h) {
        if (h.local) ++hosts_per_net[h.network_id];
      });
    });
  }
  const LocalNetworks* local = LuaState::from(L)->services().local_networks;
  lua_newtable(L);
  if (local == nullptr) return 1;
  for (const auto& entry : local->all()) {
    if (only && entry.id != *only) continue;
    const host::Traffic& t = nets[entry.id];
    lua_createtable(L, 0, 10);
    setField(L, "network_id", entry.id);
    setField(L, "network_key", entry.name);
    pushTraffic(L, t);
    setField(L, "ingress", t.bytes_rcvd);
    setField(L, "egress", t.bytes_sent);
    setField(L, "num_hosts", hosts_per_net[entry.id]);
    lua_setfield(L, -2, entry.name.c_str());
  }
  return 1;
}

int getNetworksStats(lua_State* L) { return networksStats(L, std::nullopt); }

// getNetworkStats(network_id) -> {[name] = {...}} for that network alone ({} when unknown).
int getNetworkStats(lua_State* L) {
  const int64_t id = Args(L, "interface.getNetworkStats").integer(1, "network_id");
  return networksStats(L, id >= 0 && id <= INT32_MAX ? std::optional<int>(int(id)) : std::optional<int>(-2));
}

// getHashTablesStats() -> {FlowHash = {max_hash_size, hash_entry_states = {hash_entry_state_idle,
// hash_entry_state_active}}, HostHash = {...}, MacHash = {...}} (ntopng's hash names). Flows
// and hosts past their timeouts are purged at the pass that finds them, so none waits idle.
int getHashTablesStats(lua_State* L) {
  NetworkInterface* i = selected(L);
  if (!i) return failWithNil(L, "interface.getHashTablesStats", "no interface", true);
  const EngineTotals t = i->totals();
  const Options* opts = LuaState::from(L)->services().options;
  lua_createtable(L, 0, 3);
  const auto hash = [&](const char* name, std::optional<uint64_t> max, uint64_t active) {
    lua_createtable(L, 0, 2);
    if (max) setField(L, "max_hash_size", *max);
    lua_createtable(L, 0, 2);
    setField(L, "hash_entry_state_idle", uint64_t{0});
    setField(L, "hash_entry_state_active", active);
    lua_setfield(L, -2, "hash_entry_states");
    lua_setfield(L, -2, name);
  };
  hash("FlowHash", opts ? std::optional<uint64_t>(opts->max_num_flows) : std::nullopt, t.flows);
  hash("HostHash", opts ? std::optional<uint64_t>(opts->max_num_hosts) : std::nullopt, t.hosts);
  hash("MacHash", std::nullopt, t.macs);
  return 1;
}

}  // namespace

const luaL_Reg kStats[] = {
    {"getStats", getStats},
    {"getThroughput", getThroughput},
    {"isRunning", isRunning},
    {"isIdle", isIdle},
    {"resetCounters", resetCounters},
    {"getVLANsInfo", getVLANsInfo},
    {"getNetworksStats", getNetworksStats},
    {"getNetworkStats", getNetworkStats},
    {"getVLANsList", getVLANsInfo},
    {"getVLANInfo", getVLANInfo},
    {"hasVLANs", hasVLANs},
    {"getHashTablesStats", getHashTablesStats},
    {nullptr, nullptr},
};

}  // namespace flowlens::lua::iface
