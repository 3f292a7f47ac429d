// interface.* hosts: getHostsInfo (and its Local/Remote variants) with ntopng's positional
// filters, the NoTX/public/broadcast selections and batched walks, getHostInfo, findHost,
// getHostCountry, getAddressInfo, getNumHosts, getMacsInfo, getMacInfo, getBatchedMacsInfo,
// getMacManufacturers, findHostByMac.

#include <algorithm>
#include <map>

#include "enrich/enrichment.h"
#include "host/local_networks.h"
#include "iface/queries.h"
#include "lua/args.h"
#include "lua/interface/common.h"
#include "lua/interface/views.h"
#include "lua/registry.h"

namespace flowlens::lua::iface {
namespace {

// A VLAN filter out of 0-4095 matches no host (rather than wrapping onto another VLAN).
constexpr uint16_t kNoVlan = 0xffff;

// {hosts = {[key] = host}, numHosts, nextSlot}.
void pushHostPage(lua_State* L, const HostPage& page, bool details, uint64_t num_hosts,
                  uint64_t next_slot) {
  const NetworkInterface* i = selected(L);
  lua_createtable(L, 0, 3);
  lua_createtable(L, 0, int(page.hosts.size()));
  for (const host::Host& h : page.hosts) {
    pushHost(L, h, i ? i->id() : -1, details, catalog(L));
    lua_setfield(L, -2, hostKey(h).c_str());
  }
  lua_setfield(L, -2, "hosts");
  setField(L, "numHosts", num_hosts);
  setField(L, "nextSlot", next_slot);
}

// ntopng's argument order: show_details, sortColumn, maxHits, toSkip, a2zSortOrder, country,
// os, vlan, asn, network, mac, pool, ipversion, proto, traffic_type, filtered, blacklisted,
// hide_top_hidden, anomalous, dhcp, cidr.
int hostsInfo(lua_State* L, HostScope scope, const char* fn, HostKind kind = HostKind::kAny) {
  Args a(L, fn);
  HostQuery q;
  q.scope = scope;
  q.kind = kind;
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
  if (auto v = a.optInteger(8, "vlan")) q.vlan = *v >= 0 && *v <= 4095 ? uint16_t(*v) : kNoVlan;
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
  if (auto p = a.optInteger(12, "pool")) {
    if (*p >= 0 && *p <= 65535) q.pool = uint16_t(*p);
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
  pushHostPage(L, page, details, page.total, 0);
  return 1;
}

int getHostsInfo(lua_State* L) { return hostsInfo(L, HostScope::kAll, "interface.getHostsInfo"); }
int getLocalHostsInfo(lua_State* L) {
  return hostsInfo(L, HostScope::kLocal, "interface.getLocalHostsInfo");
}
int getRemoteHostsInfo(lua_State* L) {
  return hostsInfo(L, HostScope::kRemote, "interface.getRemoteHostsInfo");
}
int getLocalHostsInfoNoTX(lua_State* L) {
  return hostsInfo(L, HostScope::kLocal, "interface.getLocalHostsInfoNoTX", HostKind::kRxOnly);
}
int getRemoteHostsInfoNoTX(lua_State* L) {
  return hostsInfo(L, HostScope::kRemote, "interface.getRemoteHostsInfoNoTX", HostKind::kRxOnly);
}
int getLocalHostsInfoNoTXTCP(lua_State* L) {
  return hostsInfo(L, HostScope::kLocal, "interface.getLocalHostsInfoNoTXTCP", HostKind::kRxOnlyTcp);
}
int getRemoteHostsInfoNoTXTCP(lua_State* L) {
  return hostsInfo(L, HostScope::kRemote, "interface.getRemoteHostsInfoNoTXTCP", HostKind::kRxOnlyTcp);
}
int getPublicHostsInfo(lua_State* L) {
  return hostsInfo(L, HostScope::kAll, "interface.getPublicHostsInfo", HostKind::kPublic);
}
int getBroadcastMulticastHostsInfo(lua_State* L) {
  return hostsInfo(L, HostScope::kAll, "interface.getBroadcastMulticastHostsInfo",
                   HostKind::kBroadcastMulticast);
}

// Hosts a batch at a time: getBatchedHostsInfo([begin_slot], [show_details], [maxHits],
// [anomalousOnly]) -> {hosts, numHosts (this batch), nextSlot (0 after the last batch)}. Slots
// are the host table's, which stay put: a walk sees each host that stays exactly once.
// flowlens finds no anomalous hosts, so anomalousOnly gives none.
constexpr int64_t kHostBatch = 1000;

int batchedHosts(lua_State* L, HostScope scope, const char* fn) {
  Args a(L, fn);
  const int64_t begin = std::max<int64_t>(0, a.optInteger(1, "begin_slot").value_or(0));
  const bool details = a.optBoolean(2, "show_details").value_or(true);
  const int64_t batch = std::clamp<int64_t>(a.optInteger(3, "maxHits").value_or(kHostBatch), 1, UINT32_MAX);
  const bool anomalous_only = a.optBoolean(4, "anomalousOnly").value_or(false);
  HostQuery q;
  q.scope = scope;
  q.allowed = allowedNetworks(L);
  HostPage page;
  uint64_t next = 0;
  const PacketEngine* e = selectedEngine(L);
  if (e && !anomalous_only) {
    next = e->walkHosts(uint64_t(begin), size_t(batch),
                        [&](const host::Host& h) { return hostMatches(q, h); }, &page.hosts);
  }
  pushHostPage(L, page, details, page.hosts.size(), next);
  return 1;
}

int getBatchedHostsInfo(lua_State* L) {
  return batchedHosts(L, HostScope::kAll, "interface.getBatchedHostsInfo");
}
int getBatchedLocalHostsInfo(lua_State* L) {
  return batchedHosts(L, HostScope::kLocal, "interface.getBatchedLocalHostsInfo");
}
int getBatchedRemoteHostsInfo(lua_State* L) {
  return batchedHosts(L, HostScope::kRemote, "interface.getBatchedRemoteHostsInfo");
}

// getHostInfo(host_ip[, vlan]) and findHost: the host's table or nil.
// `vlan_arg`: argument 2 is an optional VLAN (else it is the caller's, and a key without
// "@vlan" means VLAN 0, as ntopng's writes take it).
std::optional<host::Host> lookup(lua_State* L, const char* fn, bool vlan_arg = true) {
  Args a(L, fn);
  const std::string_view text = a.string(1, "host");
  util::IpAddress ip;
  std::optional<uint16_t> vlan;
  if (!parseHostKey(text, &ip, &vlan)) return std::nullopt;
  if (vlan_arg) {
    if (auto v = a.optInteger(2, "vlan")) {
      if (*v < 0 || *v > 4095) return std::nullopt;
      vlan = uint16_t(*v);
    }
  } else if (!vlan) {
    vlan = 0;
  }
  const PacketEngine* e = selectedEngine(L);
  if (!e) return std::nullopt;
  auto h = findHost(*e, ip, vlan);
  if (!h) return std::nullopt;
  if (!inAllowed(allowedNetworks(L), h->ip)) return std::nullopt;  // unseen: does not exist
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

// The interface's MAC hosts, sorted by ntopng's column (column_mac, column_traffic or
// column_bytes, column_hosts, column_since).
std::vector<host::MacHost> sortedMacs(lua_State* L, const std::string& column, bool asc) {
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
  return macs;
}

// {macs = {...array}, numMacs = N[, nextSlot]}: macs[from, from + count).
void pushMacPage(lua_State* L, const std::vector<host::MacHost>& macs, size_t from, size_t count,
                 std::optional<uint64_t> next_slot) {
  lua_createtable(L, 0, 3);
  lua_newtable(L);
  int n = 0;
  for (size_t k = from; k < macs.size() && size_t(n) < count; ++k) {
    pushMac(L, macs[k]);
    lua_rawseti(L, -2, ++n);
  }
  lua_setfield(L, -2, "macs");
  setField(L, "numMacs", next_slot ? uint64_t(n) : uint64_t{macs.size()});
  if (next_slot) setField(L, "nextSlot", *next_slot);
}

// getMacsInfo(sortColumn, maxHits, toSkip, a2zSortOrder): {macs = {...array}, numMacs = N}.
int getMacsInfo(lua_State* L) {
  Args a(L, "interface.getMacsInfo");
  const std::string column(a.optString(1, "sortColumn").value_or("column_mac"));
  const int64_t max_hits = std::max<int64_t>(0, a.optInteger(2, "maxHits").value_or(INT32_MAX));
  const int64_t skip = std::max<int64_t>(0, a.optInteger(3, "toSkip").value_or(0));
  const bool asc = a.optBoolean(4, "a2zSortOrder").value_or(true);
  pushMacPage(L, sortedMacs(L, column, asc), size_t(skip), size_t(max_hits), std::nullopt);
  return 1;
}

uint64_t macValue(const std::array<uint8_t, 6>& m) {
  uint64_t v = 0;
  for (uint8_t b : m) v = v << 8 | b;
  return v;
}

// getBatchedMacsInfo([begin_slot]) -> {macs, numMacs (this batch), nextSlot (0 after the
// last)}, 1000 at a time in address order. The slot is the address (as a 48-bit number) to go
// on from, so a walk sees each MAC address that stays exactly once.
int getBatchedMacsInfo(lua_State* L) {
  Args a(L, "interface.getBatchedMacsInfo");
  constexpr size_t kMacBatch = 1000;
  const uint64_t begin = uint64_t(std::max<int64_t>(0, a.optInteger(1, "begin_slot").value_or(0)));
  auto macs = sortedMacs(L, "column_mac", true);
  std::erase_if(macs, [&](const host::MacHost& m) { return macValue(m.mac) < begin; });
  const bool more = macs.size() > kMacBatch;
  if (more) macs.resize(kMacBatch);
  pushMacPage(L, macs, 0, kMacBatch, more ? macValue(macs.back().mac) + 1 : 0);
  return 1;
}

// getMacManufacturers([maxHits], [sourceMacsOnly]) -> {[manufacturer] = MAC hosts}, from the
// IEEE lists (MACs of no listed vendor are left out). Every MAC host here was a source.
int getMacManufacturers(lua_State* L) {
  Args a(L, "interface.getMacManufacturers");
  const int64_t max_hits = std::max<int64_t>(0, a.optInteger(1, "maxHits").value_or(INT32_MAX));
  std::map<std::string, uint64_t, std::less<>> counts;
  enrich::Enrichment* enrichment = LuaState::from(L)->services().enrichment;
  if (enrichment != nullptr) {
    for (const host::MacHost& m : sortedMacs(L, "column_mac", true)) {
      if (auto vendor = enrichment->macVendors().lookup(m.mac); vendor && !vendor->empty()) {
        auto it = counts.find(*vendor);
        if (it == counts.end()) it = counts.emplace(std::string(*vendor), 0).first;
        ++it->second;
      }
    }
  }
  // The maxHits manufacturers with the most MACs (ties by name).
  std::vector<std::pair<std::string, uint64_t>> top(counts.begin(), counts.end());
  std::stable_sort(top.begin(), top.end(), [](const auto& x, const auto& y) { return x.second > y.second; });
  if (top.size() > size_t(max_hits)) top.resize(size_t(max_hits));
  lua_createtable(L, 0, int(top.size()));
  for (const auto& [name, n] : top) {
    lua_pushinteger(L, lua_Integer(n));
    lua_setfield(L, -2, name.c_str());
  }
  return 1;
}

// The active hosts seen with `mac` that the user may see, by address.
std::vector<host::Host> hostsWithMac(lua_State* L, const std::array<uint8_t, 6>& mac) {
  HostQuery q;
  q.mac = mac;
  q.sort_column = "column_ip";
  q.ascending = true;
  q.allowed = allowedNetworks(L);
  const PacketEngine* e = selectedEngine(L);
  return e ? queryHosts(*e, q).hosts : std::vector<host::Host>{};
}

// findHostByMac(mac) -> {[ip] = host key} of the hosts seen with that MAC address.
int findHostByMac(lua_State* L) {
  const auto mac = macArg(Args(L, "interface.findHostByMac"), 1);
  if (!mac) return failWithNil(L, "interface.findHostByMac", "invalid MAC address", true);
  const std::vector<host::Host> hosts = hostsWithMac(L, *mac);
  lua_createtable(L, 0, int(hosts.size()));
  for (const host::Host& h : hosts) {
    setField(L, h.ip.toString().c_str(), hostKey(h));
  }
  return 1;
}

// getHostCountry("ip[@vlan]") -> the active host's ISO country code ("" when the GeoIP
// databases place it nowhere), or nil.
int getHostCountry(lua_State* L) {
  auto h = lookup(L, "interface.getHostCountry", false);
  if (!h) {
    lua_pushnil(L);
    return 1;
  }
  pushString(L, h->geo.location ? h->geo.location->country : std::string());
  return 1;
}

int getAddressInfo(lua_State* L);

// getHostMinInfo("ip[@vlan]"[, vlan]) -> the active host's identity, flags and location, or
// nil: {ip, vlan, mac, name, localhost, privatehost, systemhost, broadcast_domain_host,
// dhcpHost, is_blacklisted, is_broadcast, is_multicast, continent, country, city, latitude,
// longitude}.
int getHostMinInfo(lua_State* L) {
  auto h = lookup(L, "interface.getHostMinInfo");
  if (!h) {
    lua_pushnil(L);
    return 1;
  }
  lua_createtable(L, 0, 17);
  setField(L, "ip", h->ip.toString());
  setField(L, "vlan", int64_t{h->vlan});
  setField(L, "mac", h->has_mac ? host::macToString(h->mac) : std::string("00:00:00:00:00:00"));
  setField(L, "name", displayName(L, *h));
  setField(L, "localhost", h->local);
  setField(L, "privatehost", util::isPrivate(h->ip));
  setField(L, "systemhost", false);
  setField(L, "broadcast_domain_host", false);
  setField(L, "dhcpHost", false);
  setField(L, "is_blacklisted", false);
  setField(L, "is_broadcast", util::isBroadcast(h->ip));
  setField(L, "is_multicast", util::isMulticast(h->ip));
  const enrich::Location* loc = h->geo.location;
  setField(L, "continent", loc ? loc->continent : std::string());
  setField(L, "country", loc ? loc->country : std::string());
  setField(L, "city", loc ? loc->city : std::string());
  setField(L, "latitude", loc ? loc->latitude : 0.0);
  setField(L, "longitude", loc ? loc->longitude : 0.0);
  return 1;
}

// getnDPIHostStats("ip[@vlan]"[, vlan]) -> {ndpi, ndpi_categories} of the active host (as
// getHostInfo's); for an address that is no active host, getAddressInfo's table, as ntopng.
int getnDPIHostStats(lua_State* L) {
  auto h = lookup(L, "interface.getnDPIHostStats");
  if (!h) {
    // The address alone ("ip@vlan" names a host, getAddressInfo takes an address).
    const std::string key(Args(L, "interface.getnDPIHostStats").string(1, "host"));
    lua_settop(L, 0);
    pushString(L, key.substr(0, key.find('@')));
    return getAddressInfo(L);
  }
  lua_createtable(L, 0, 2);
  pushHostNdpi(L, *h, catalog(L));
  return 1;
}

// getMacHosts(mac) -> {[host key] = host} of the active hosts seen with that MAC address.
int getMacHosts(lua_State* L) {
  const auto mac = macArg(Args(L, "interface.getMacHosts"), 1);
  lua_newtable(L);
  if (!mac) return 1;
  const NetworkInterface* i = selected(L);
  for (const host::Host& h : hostsWithMac(L, *mac)) {
    pushHost(L, h, i ? i->id() : -1, false, catalog(L));
    lua_setfield(L, -2, hostKey(h).c_str());
  }
  return 1;
}

// getActiveMacs() -> array of the interface's MAC addresses, in address order.
int getActiveMacs(lua_State* L) {
  const auto macs = sortedMacs(L, "column_mac", true);
  lua_createtable(L, int(macs.size()), 0);
  int n = 0;
  for (const host::MacHost& m : macs) {
    pushString(L, host::macToString(m.mac));
    lua_rawseti(L, -2, ++n);
  }
  return 1;
}

// getMacDeviceTypes() -> {[device type] = number of MAC addresses}: ntopng's DeviceType, 0 for
// an address no script typed (ntop.setMacDeviceType).
int getMacDeviceTypes(lua_State* L) {
  std::map<int, uint64_t> counts;
  if (const PacketEngine* e = selectedEngine(L)) {
    e->readShared([&](const host::HostTable& t, const TrafficStats&) {
      t.forEachMac([&](const host::MacHost& m) { ++counts[m.device_type]; });
    });
  }
  lua_newtable(L);
  for (const auto& [type, n] : counts) {
    lua_pushinteger(L, lua_Integer(n));
    lua_rawseti(L, -2, type);
  }
  return 1;
}

// getAddressInfo(address) -> {is_blacklisted, is_broadcast, is_multicast, is_private,
// is_local}; no interface needed. flowlens keeps no address blacklists: is_blacklisted is
// false.
int getAddressInfo(lua_State* L) {
  auto ip = util::parseIp(Args(L, "interface.getAddressInfo").string(1, "address"));
  if (!ip) return failWithNil(L, "interface.getAddressInfo", ip.error(), true);
  const LocalNetworks* local = LuaState::from(L)->services().local_networks;
  lua_createtable(L, 0, 5);
  setField(L, "is_blacklisted", false);
  setField(L, "is_broadcast", util::isBroadcast(*ip));
  setField(L, "is_multicast", util::isMulticast(*ip));
  setField(L, "is_private", util::isPrivate(*ip));
  setField(L, "is_local", local != nullptr && local->isLocal(*ip));
  return 1;
}

int getMacInfo(lua_State* L) {
  const auto mac = macArg(Args(L, "interface.getMacInfo"), 1);
  if (!mac) return failWithNil(L, "interface.getMacInfo", "invalid MAC address", true);
  std::optional<host::MacHost> found;
  if (const PacketEngine* e = selectedEngine(L)) {
    e->readShared([&](const host::HostTable& t, const TrafficStats&) {
      if (const host::MacHost* m = t.findMac(*mac)) found = *m;
    });
  }
  if (!found) {
    lua_pushnil(L);
    return 1;
  }
  pushMac(L, *found);
  return 1;
}

// resetHostStats("ip[@vlan]"[, blacklisted_only]) / deleteHostData(...): administrators only.
// Zeroes the active host's counters (deleteHostData also forgets the name learned from its
// traffic). true when the host was found, false when not; with blacklisted_only (ntopng's
// blacklist counters, which flowlens does not keep) nothing is reset.
int resetHost(lua_State* L, const char* fn, bool forget) {
  if (!LuaState::from(L)->context().isAdministrator()) return failWithNil(L, fn, "administrators only");
  auto h = lookup(L, fn, false);
  const bool blacklisted_only = Args(L, fn).optBoolean(2, "reset_blacklisted").value_or(false);
  NetworkInterface* i = selected(L);
  bool found = h.has_value();
  if (h && !blacklisted_only && i && i->engine()) found = i->engine()->resetHost(h->ip, h->vlan, forget);
  lua_pushboolean(L, found);
  return 1;
}

int resetHostStats(lua_State* L) { return resetHost(L, "interface.resetHostStats", false); }
int deleteHostData(lua_State* L) { return resetHost(L, "interface.deleteHostData", true); }

// resetMacStats(mac) / deleteMacData(mac): administrators only; zeroes the MAC host's traffic.
// true when it was found.
int resetMac(lua_State* L, const char* fn) {
  const auto mac = macArg(Args(L, fn), 1);
  if (!mac) return failWithNil(L, fn, "invalid MAC address", true);
  if (!LuaState::from(L)->context().isAdministrator()) return failWithNil(L, fn, "administrators only");
  NetworkInterface* i = selected(L);
  lua_pushboolean(L, i && i->engine() && i->engine()->resetMac(*mac));
  return 1;
}

int resetMacStats(lua_State* L) { return resetMac(L, "interface.resetMacStats"); }
int deleteMacData(lua_State* L) { return resetMac(L, "interface.deleteMacData"); }

// setHostResolvedName("ip[@vlan]", name): the active host's name, as ntop.setResolvedAddress
// would set it (kept by the resolver, so every interface shows it). Returns nothing.
int setHostResolvedName(lua_State* L) {
  constexpr const char* kFn = "interface.setHostResolvedName";
  const std::string name(Args(L, kFn).string(2, "name"));
  auto h = lookup(L, kFn, false);
  enrich::Enrichment* enrichment = LuaState::from(L)->services().enrichment;
  if (h && enrichment != nullptr && !name.empty()) {
    enrichment->resolver().learn(h->ip, name, enrich::NameSource::kUser);
  }
  return 0;
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
    {"getLocalHostsInfoNoTX", getLocalHostsInfoNoTX},
    {"getRemoteHostsInfoNoTX", getRemoteHostsInfoNoTX},
    {"getLocalHostsInfoNoTXTCP", getLocalHostsInfoNoTXTCP},
    {"getRemoteHostsInfoNoTXTCP", getRemoteHostsInfoNoTXTCP},
    {"getPublicHostsInfo", getPublicHostsInfo},
    {"getBroadcastMulticastHostsInfo", getBroadcastMulticastHostsInfo},
    {"getBatchedHostsInfo", getBatchedHostsInfo},
    {"getBatchedLocalHostsInfo", getBatchedLocalHostsInfo},
    {"getBatchedRemoteHostsInfo", getBatchedRemoteHostsInfo},
    {"getBatchedMacsInfo", getBatchedMacsInfo},
    {"getMacManufacturers", getMacManufacturers},
    {"findHostByMac", findHostByMac},
    {"getHostCountry", getHostCountry},
    {"getAddressInfo", getAddressInfo},
    {"getHostMinInfo", getHostMinInfo},
    {"getnDPIHostStats", getnDPIHostStats},
    {"getMacHosts", getMacHosts},
    {"getActiveMacs", getActiveMacs},
    {"getMacDeviceTypes", getMacDeviceTypes},
    {"resetHostStats", resetHostStats},
    {"deleteHostData", deleteHostData},
    {"resetMacStats", resetMacStats},
    {"deleteMacData", deleteMacData},
    {"setHostResolvedName", setHostResolvedName},
    {nullptr, nullptr},
};

}  // namespace flowlens::lua::iface
