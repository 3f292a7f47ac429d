// interface.* for ntopng's host pools (host::HostPools, loaded by ntop.reloadHostPools):
// findMemberPool, findMacPool, getHostPoolsInfo, and the pools' traffic (TrafficStats::pools):
// getHostPoolsStats, getHostPoolStats, resetPoolsQuotas. Shapes are ntopng's (HostPools::lua,
// HostPools::luaStats, HostPoolStats::lua and the functions of LuaEngineInterface.cpp).

#include <map>
#include <optional>
#include <vector>

#include "host/host.h"
#include "host/host_pools.h"
#include "iface/packet_engine.h"
#include "lua/args.h"
#include "lua/interface/common.h"
#include "lua/interface/views.h"
#include "lua/registry.h"
#include "lua/state.h"

namespace flowlens::lua::iface {
namespace {

const host::HostPools* pools(lua_State* L) { return LuaState::from(L)->services().host_pools; }

// findMemberPool(address, vlan, is_mac) -> {pool_id, matched_prefix, matched_bitmask} for an
// address, {pool_id} for a MAC; nil when no pool holds it. Pools are the process's: any
// interface answers the same.
int findMemberPool(lua_State* L) {
  Args a(L, "interface.findMemberPool");
  const std::string member(a.string(1, "address"));
  const int64_t vlan = a.integer(2, "vlan");
  const bool is_mac = a.optBoolean(3, "is_mac").value_or(false);
  const host::HostPools* p = pools(L);
  if (p == nullptr) {
    lua_pushnil(L);
    return 1;
  }
  const auto snapshot = p->snapshot();
  if (is_mac) {
    std::array<uint8_t, 6> mac;
    const auto pool = host::parseMac(member, &mac) ? snapshot->findMac(mac) : std::nullopt;
    if (!pool) {
      lua_pushnil(L);
      return 1;
    }
    lua_createtable(L, 0, 1);
    setField(L, "pool_id", int64_t{*pool});
    return 1;
  }
  const auto ip = util::parseIp(member);
  const auto match = ip && vlan >= 0 && vlan <= 4095
                         ? snapshot->findNetwork(*ip, uint16_t(vlan))
                         : std::nullopt;
  if (!match) {
    lua_pushnil(L);
    return 1;
  }
  lua_createtable(L, 0, 3);
  setField(L, "pool_id", int64_t{match->pool});
  setField(L, "matched_prefix", match->prefix.network.toString());
  setField(L, "matched_bitmask", int64_t{match->prefix.bits});
  return 1;
}

// findMacPool(mac) -> the pool listing the MAC address, or nil.
int findMacPool(lua_State* L) {
  const auto mac = macArg(Args(L, "interface.findMacPool"), 1);
  const host::HostPools* p = pools(L);
  const auto pool = mac && p != nullptr ? p->snapshot()->findMac(*mac) : std::nullopt;
  if (!pool) {
    lua_pushnil(L);
    return 1;
  }
  lua_pushinteger(L, *pool);
  return 1;
}

// The active hosts of each pool, or of pool `only`. Caller holds the shared lock.
std::map<uint16_t, uint64_t> hostsPerPool(const host::HostTable& t,
                                          std::optional<uint16_t> only = std::nullopt) {
  std::map<uint16_t, uint64_t> n;
  t.forEachIn(0, t.slotCount(), [&](const host::Host& h) {
    if (!only || h.pool_id == *only) ++n[h.pool_id];
  });
  return n;
}

// getHostPoolsInfo() -> {num_members_per_pool = {["<pool id>"] = {num_hosts, num_l2_devices}},
// num_members = {num_hosts, num_l2_devices, num_active_pools}}: the selected interface's
// active hosts per pool (0: none), and its MAC addresses a pool lists. Only pools with members
// active are listed, keyed by the id as a string (as ntopng).
int getHostPoolsInfo(lua_State* L) {
  struct Members {
    uint64_t hosts = 0, devices = 0;
  };
  std::map<uint16_t, Members> per_pool;
  const host::HostPools* p = pools(L);
  if (const PacketEngine* e = selectedEngine(L)) {
    const auto snapshot = p != nullptr ? p->snapshot() : nullptr;
    e->readShared([&](const host::HostTable& t, const TrafficStats&) {
      for (const auto& [pool, n] : hostsPerPool(t)) per_pool[pool].hosts = n;
      if (snapshot == nullptr || !snapshot->hasMacs()) return;
      t.forEachMac([&](const host::MacHost& m) {
        if (auto pool = snapshot->findMac(m.mac)) ++per_pool[*pool].devices;
      });
    });
  }
  Members total;
  lua_createtable(L, 0, 2);
  lua_createtable(L, 0, int(per_pool.size()));
  for (const auto& [pool, n] : per_pool) {
    lua_createtable(L, 0, 2);
    setField(L, "num_hosts", n.hosts);
    setField(L, "num_l2_devices", n.devices);
    lua_setfield(L, -2, std::to_string(pool).c_str());
    total.hosts += n.hosts;
    total.devices += n.devices;
  }
  lua_setfield(L, -2, "num_members_per_pool");
  lua_createtable(L, 0, 3);
  setField(L, "num_hosts", total.hosts);
  setField(L, "num_l2_devices", total.devices);
  setField(L, "num_active_pools", uint64_t{per_pool.size()});
  lua_setfield(L, -2, "num_members");
  return 1;
}

// ntopng's HostPoolStats::lua, with num_hosts (HostPools::luaStats).
void pushPoolStats(lua_State* L, const PoolStats& p, uint64_t hosts, const dpi::DpiCatalog& cat) {
  lua_createtable(L, 0, 14);
  setField(L, "throughput_bps", p.throughput_bps);
  setField(L, "throughput_pps", p.throughput_pps);
  pushTraffic(L, p.traffic);
  setField(L, "bytes.ndpi.unknown", p.apps.empty() ? 0 : p.apps[0].traffic.bytes());
  setField(L, "seen.first", p.first_seen_s);
  setField(L, "seen.last", p.last_seen_s);
  lua_createtable(L, 0, 8);
  for (size_t id = 0; id < p.apps.size(); ++id) {
    const PoolStats::Share& a = p.apps[id];
    if (a.traffic.bytes() == 0) continue;  // (as ntopng: applications with traffic only)
    lua_createtable(L, 0, 8);
    setField(L, "breed", cat.breedName(uint16_t(id)));
    pushTraffic(L, a.traffic);
    setField(L, "duration", a.duration_s);
    setField(L, "num_flows", a.flows);
    lua_setfield(L, -2, cat.protocolName(uint16_t(id)).c_str());
  }
  lua_setfield(L, -2, "ndpi");
  lua_createtable(L, 0, 4);
  for (size_t id = 0; id < p.categories.size(); ++id) {
    const PoolStats::Share& c = p.categories[id];
    if (c.traffic.bytes() != 0) setCategoryEntry(L, cat, uint16_t(id), c.traffic, c.duration_s);
  }
  lua_setfield(L, -2, "ndpi_categories");
  lua_createtable(L, 0, 2);
  setField(L, "bytes", p.all.traffic.bytes());
  setField(L, "duration", p.all.duration_s);
  lua_setfield(L, -2, "cross_application");
  setField(L, "num_hosts", hosts);
}

// {[pool id] = stats} for pool `only`, or for every pool: 0 (no pool) and the pools loaded,
// listed whether they had traffic or not (as ntopng, which makes their stats at reload).
void pushPoolsStats(lua_State* L, std::optional<uint16_t> only) {
  std::vector<uint16_t> ids;
  const auto list = [&](uint16_t id) {
    if (!only || id == *only) ids.push_back(id);
  };
  list(host::HostPools::kNoPool);
  if (const host::HostPools* p = pools(L)) {
    const auto snapshot = p->snapshot();  // (held: a reload may replace it meanwhile)
    for (uint16_t id : snapshot->ids()) {
      if (id != host::HostPools::kNoPool) list(id);
    }
  }
  std::map<uint16_t, PoolStats> stats;
  std::map<uint16_t, uint64_t> hosts;
  if (const PacketEngine* e = selectedEngine(L); e != nullptr && !ids.empty()) {
    e->readShared([&](const host::HostTable& t, const TrafficStats& s) {
      for (uint16_t id : ids) {
        if (auto it = s.pools.find(id); it != s.pools.end()) stats.emplace(id, it->second);
      }
      hosts = hostsPerPool(t, only);
    });
  }
  const dpi::DpiCatalog& cat = catalog(L);
  lua_createtable(L, 0, int(ids.size()));
  for (uint16_t id : ids) {
    const auto it = stats.find(id);
    pushPoolStats(L, it != stats.end() ? it->second : PoolStats{}, hosts[id], cat);
    lua_rawseti(L, -2, id);
  }
}

// getHostPoolsStats() -> {[pool id] = {bytes.sent, ..., ndpi, ndpi_categories, num_hosts}}.
int getHostPoolsStats(lua_State* L) {
  pushPoolsStats(L, std::nullopt);
  return 1;
}

// getHostPoolStats(pool_id) -> {[pool_id] = stats}, as ntopng wraps it; {} for a pool not
// loaded.
int getHostPoolStats(lua_State* L) {
  const int64_t id = Args(L, "interface.getHostPoolStats").integer(1, "pool_id");
  if (id < 0 || id > UINT16_MAX) {
    lua_newtable(L);
    return 1;
  }
  pushPoolsStats(L, uint16_t(id));
  return 1;
}

// resetPoolsQuotas([pool_id]) -> nil: zeroes the traffic of the pool, or of every pool, on the
// selected interface (administrators only: the counters are everyone's).
int resetPoolsQuotas(lua_State* L) {
  constexpr const char* fn = "interface.resetPoolsQuotas";
  const auto id = Args(L, fn).optInteger(1, "pool_id");
  if (!LuaState::from(L)->context().isAdministrator()) {
    return failWithNil(L, fn, "administrators only");
  }
  NetworkInterface* i = selected(L);
  PacketEngine* e = i != nullptr ? i->engine() : nullptr;
  if (e == nullptr) return failWithNil(L, fn, "no interface");
  if (id && (*id < 0 || *id > UINT16_MAX)) {  // no such pool: nothing to reset
    lua_pushnil(L);
    return 1;
  }
  e->resetPoolStats(id ? std::optional<uint16_t>(uint16_t(*id)) : std::nullopt);
  lua_pushnil(L);
  return 1;
}

}  // namespace

const luaL_Reg kPools[] = {
    {"findMemberPool", findMemberPool},
    {"findMacPool", findMacPool},
    {"getHostPoolsInfo", getHostPoolsInfo},
    {"getHostPoolsStats", getHostPoolsStats},
    {"getHostPoolStats", getHostPoolStats},
    {"resetPoolsQuotas", resetPoolsQuotas},
    {nullptr, nullptr},
};

}  // namespace flowlens::lua::iface
