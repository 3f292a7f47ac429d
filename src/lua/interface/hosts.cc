// interface.* hosts: getHostsInfo (and its Local/Remote variants) with ntopng's positional
// filters, getHostInfo, findHost, getNumHosts, getMacsInfo, getMacInfo.

#include <algorithm>

#include "iface/queries.h"
#include "lua/args.h"
#include "lua/interface/common.h"
#include "lua/interface/views.h"
#include "lua/registry.h"

namespace flowlens::lua::iface {
namespace {

// "ip" or "ip@vlan".
bool parseHostKey(std::string_view text, util::IpAddress* ip, std::optional<uint16_t>* vlan) {
  const size_t at = text.find('@');
  auto a = util::parseIp(text.substr(0, at));
  if (!a) return false;
  *ip = *a;
  if (at != std::string_view::npos) {
    const std::string v(text.substr(at + 1));
    char* end = nullptr;
    const long n = std::strtol(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || n < 0 || n > 4095) return false;
    *vlan = uint16_t(n);
  }
  return true;
}

// ntopng's argument order: show_details, sortColumn, maxHits, toSkip, a2zSortOrder, country,
// os, vlan, asn, network, mac, pool, ipversion, proto, traffic_type, filtered, blacklisted,
// hide_top_hidden, anomalous, dhcp, cidr.
int hostsInfo(lua_State* L, HostScope scope, const char* fn) {
  Args a(L, fn);
  HostQuery q;
  q.scope = scope;
  const bool details = a.optBoolean(1, "show_details").value_or(true);
  q.sort_column = std::string(a.optString(2, "sortColumn").value_or("column_ip"));
  if (auto n = a.optInteger(3, "maxHits")) q.max_hits = uint32_t(std::clamp<int64_t>(*n, 0, UINT32_MAX));
  if (auto n = a.optInteger(4, "toSkip")) q.to_skip = uint32_t(std::clamp<int64_t>(*n, 0, UINT32_MAX));
  q.ascending = a.optBoolean(5, "a2zSortOrder").value_or(true);
  if (auto c = a.optString(6, "country")) {
    std::string code(*c);
    std::transform(code.begin(), code.end(), code.begin(), ::toupper);
    if (!code.empty()) q.country = code;
  }
  if (auto v = a.optInteger(8, "vlan")) q.vlan = uint16_t(*v);
  if (auto n = a.optInteger(9, "asn")) {
    if (*n >= 0) q.asn = uint32_t(*n);
  }
  if (auto n = a.optInteger(10, "network")) {
    if (*n >= 0) q.network_id = int(*n);
  }
  if (auto m = a.optString(11, "mac")) {
    std::array<uint8_t, 6> mac;
    if (!host::parseMac(std::string(*m), &mac)) return failWithNil(L, fn, "invalid MAC address");
    q.mac = mac;
  }
  if (auto v = a.optInteger(13, "ipversion")) {
    if (*v == 4 || *v == 6) q.ip_version = int(*v);
  }
  if (auto p = a.optInteger(14, "proto")) {
    if (*p >= 0) q.application = uint16_t(*p);
  }
  if (auto c = a.optString(21, "cidr")) {
    auto prefix = util::parsePrefix(*c);
    if (!prefix) return failWithNil(L, fn, prefix.error());
    q.cidr = *prefix;
  }
  q.allowed = allowedNetworks(L);
  const PacketEngine* e = selectedEngine(L);
  HostPage page;
  if (e) page = queryHosts(*e, q);
  const NetworkInterface* i = selected(L);
  lua_createtable(L, 0, 3);
  lua_createtable(L, 0, int(page.hosts.size()));
  for (const host::Host& h : page.hosts) {
    pushHost(L, h, i ? i->id() : -1, details, catalog(L));
    lua_setfield(L, -2, hostKey(h).c_str());
  }
  lua_setfield(L, -2, "hosts");
  setField(L, "numHosts", page.total);
  setField(L, "nextSlot", int64_t{0});
  return 1;
}

int getHostsInfo(lua_State* L) { return hostsInfo(L, HostScope::kAll, "interface.getHostsInfo"); }
int getLocalHostsInfo(lua_State* L) {
  return hostsInfo(L, HostScope::kLocal, "interface.getLocalHostsInfo");
}
int getRemoteHostsInfo(lua_State* L) {
  return hostsInfo(L, HostScope::kRemote, "interface.getRemoteHostsInfo");
}

// getHostInfo(host_ip[, vlan]) and findHost: the host's table or nil.
std::optional<host::Host> lookup(lua_State* L, const char* fn) {
  Args a(L, fn);
  const std::string_view text = a.string(1, "host");
  util::IpAddress ip;
  std::optional<uint16_t> vlan;
  if (!parseHostKey(text, &ip, &vlan)) return std::nullopt;
  if (auto v = a.optInteger(2, "vlan")) vlan = uint16_t(*v);
  const PacketEngine* e = selectedEngine(L);
  if (!e) return std::nullopt;
  auto h = findHost(*e, ip, vlan);
  if (!h) return std::nullopt;
  const auto allowed = allowedNetworks(L);
  if (!allowed.empty() &&
      std::none_of(allowed.begin(), allowed.end(), [&](const auto& p) { return p.contains(h->ip); })) {
    return std::nullopt;  // a host the user may not see does not exist for them
  }
  return h;
}

int getHostInfo(lua_State* L) {
  auto h = lookup(L, "interface.getHostInfo");
  if (!h) {
    lua_pushnil(L);
    return 1;
  }
  const NetworkInterface* i = selected(L);
  pushHost(L, *h, i ? i->id() : -1, true, catalog(L));
  return 1;
}

int findHost(lua_State* L) {
  auto h = lookup(L, "interface.findHost");
  if (!h) {
    lua_pushnil(L);
    return 1;
  }
  const NetworkInterface* i = selected(L);
  pushHost(L, *h, i ? i->id() : -1, false, catalog(L));
  return 1;
}

int getNumHosts(lua_State* L) {
  const NetworkInterface* i = selected(L);
  lua_pushinteger(L, i ? lua_Integer(i->totals().hosts) : 0);
  return 1;
}

int getNumLocalHosts(lua_State* L) {
  const PacketEngine* e = selectedEngine(L);
  if (e == nullptr) {
    lua_pushinteger(L, 0);
  } else if (allowedNetworks(L).empty()) {
    lua_pushinteger(L, lua_Integer(e->localHosts()));  // kept by the host table
  } else {  // only those the user may see: count them
    HostQuery q;
    q.scope = HostScope::kLocal;
    q.max_hits = 0;
    q.allowed = allowedNetworks(L);
    lua_pushinteger(L, lua_Integer(queryHosts(*e, q).total));
  }
  return 1;
}

// getMacsInfo(sortColumn, maxHits, toSkip, a2zSortOrder, sourceMacsOnly, manufacturer):
// {macs = {...array}, numMacs = N}.
int getMacsInfo(lua_State* L) {
  Args a(L, "interface.getMacsInfo");
  const std::string column(a.optString(1, "sortColumn").value_or("column_mac"));
  const int64_t max_hits = std::max<int64_t>(0, a.optInteger(2, "maxHits").value_or(INT32_MAX));
  const int64_t skip = std::max<int64_t>(0, a.optInteger(3, "toSkip").value_or(0));
  const bool asc = a.optBoolean(4, "a2zSortOrder").value_or(true);
  std::vector<host::MacHost> macs;
  if (const PacketEngine* e = selectedEngine(L)) {
    e->readShared([&](const host::HostTable& t, const TrafficStats&) {
      t.forEachMac([&](const host::MacHost& m) { macs.push_back(m); });
    });
  }
  const auto less = [&](const host::MacHost& x, const host::MacHost& y) {
    if (column == "column_traffic" || column == "column_bytes") {
      if (x.traffic.bytes() != y.traffic.bytes()) return x.traffic.bytes() < y.traffic.bytes();
    } else if (column == "column_hosts") {
      if (x.num_hosts != y.num_hosts) return x.num_hosts < y.num_hosts;
    } else if (column == "column_since") {
      if (x.first_seen_us != y.first_seen_us) return x.first_seen_us < y.first_seen_us;
    }
    return x.mac < y.mac;
  };
  std::sort(macs.begin(), macs.end(), [&](const auto& x, const auto& y) {
    return asc ? less(x, y) : less(y, x);
  });
  lua_createtable(L, 0, 2);
  lua_newtable(L);
  int n = 0;
  for (size_t k = size_t(skip); k < macs.size() && n < max_hits; ++k) {
    pushMac(L, macs[k]);
    lua_rawseti(L, -2, ++n);
  }
  lua_setfield(L, -2, "macs");
  setField(L, "numMacs", uint64_t{macs.size()});
  return 1;
}

int getMacInfo(lua_State* L) {
  Args a(L, "interface.getMacInfo");
  std::array<uint8_t, 6> mac;
  if (!host::parseMac(std::string(a.string(1, "mac")), &mac)) {
    return failWithNil(L, "interface.getMacInfo", "invalid MAC address", true);
  }
  std::optional<host::MacHost> found;
  if (const PacketEngine* e = selectedEngine(L)) {
    e->readShared([&](const host::HostTable& t, const TrafficStats&) {
      if (const host::MacHost* m = t.findMac(mac)) found = *m;
    });
  }
  if (!found) {
    lua_pushnil(L);
    return 1;
  }
  pushMac(L, *found);
  return 1;
}

}  // namespace

const luaL_Reg kHosts[] = {
    {"getHostsInfo", getHostsInfo},
    {"getLocalHostsInfo", getLocalHostsInfo},
    {"getRemoteHostsInfo", getRemoteHostsInfo},
    {"getHostInfo", getHostInfo},
    {"findHost", findHost},
    {"getNumHosts", getNumHosts},
    {"getNumLocalHosts", getNumLocalHosts},
    {"getMacsInfo", getMacsInfo},
    {"getMacInfo", getMacInfo},
    {nullptr, nullptr},
};

}  // namespace flowlens::lua::iface
