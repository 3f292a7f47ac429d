// interface.* for ntopng's host pools (host::HostPools, loaded by ntop.reloadHostPools):
// findMemberPool, findMacPool, getHostPoolsInfo. Shapes are ntopng's (HostPools::lua and the
// find functions of LuaEngineInterface.cpp).

#include <map>

#include "host/host.h"
#include "host/host_pools.h"
#include "iface/packet_engine.h"
#include "lua/args.h"
#include "lua/interface/common.h"
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
      t.forEachIn(0, t.slotCount(), [&](const host::Host& h) { ++per_pool[h.pool_id].hosts; });
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

}  // namespace

const luaL_Reg kPools[] = {
    {"findMemberPool", findMemberPool},
    {"findMacPool", findMacPool},
    {"getHostPoolsInfo", getHostPoolsInfo},
    {nullptr, nullptr},
};

}  // namespace flowlens::lua::iface
