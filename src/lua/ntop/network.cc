// Spec section 9: Network & IP Utilities. isAllowedInterface and isAllowedNetwork answer for the
// current user and live in users.cc. The local networks are the LocalNetworks service
// (host/local_networks.h); address arithmetic is util/ip.h.
//
// An address that does not parse makes the predicates (isIPv6, isLocalAddress,
// isLocalInterfaceAddress) answer false, as ntopng does; the other functions return nil and
// log a line.

#include <cstring>

#include "enrich/enrichment.h"
#include "host/local_networks.h"
#include "lua/args.h"
#include "lua/registry.h"
#include "lua/state.h"
#include "store/cache_service.h"
#include "util/ip.h"

namespace flowlens::lua::ntop {
namespace {

// ntopng's reverse-DNS cache: DNS_CACHE "ntopng.dns.cache" + "." + address, kept
// DNS_CACHE_DURATION (3600 s). The resolver reads these keys.
using enrich::kDnsCachePrefix;
constexpr int64_t kDnsCacheTtlSeconds = 3600;

LocalNetworks& nets(lua_State* L, const char* fn) {
  LocalNetworks* n = LuaState::from(L)->services().local_networks;
  if (!n) {
    luaL_error(L, "%s: the local networks service is not running", fn);
    __builtin_unreachable();
  }
  return *n;
}

std::string quoted(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.append(1, '\'').append(s).append(1, '\'');
  return out;
}

uint32_t toUint32(const util::IpAddress& a) {
  return (uint32_t{a.bytes[0]} << 24) | (uint32_t{a.bytes[1]} << 16) | (uint32_t{a.bytes[2]} << 8) |
         uint32_t{a.bytes[3]};
}

// ntop.ipToNumber("192.168.1.1") -> 3232235777
int ipToNumber(lua_State* L) {
  Args a(L, "ntop.ipToNumber");
  const auto text = a.string(1, "ip");
  auto ip = util::parseIp(text);
  if (!ip || ip->v6) {
    return failWithNil(L, "ntop.ipToNumber", "not an IPv4 address " + quoted(text));
  }
  lua_pushinteger(L, toUint32(*ip));
  return 1;
}

// ntop.inet_ntoa(3232235777) -> "192.168.1.1"; a decimal string is accepted too.
int inetNtoa(lua_State* L) {
  Args a(L, "ntop.inet_ntoa");
  int64_t n = 0;
  switch (lua_type(L, 1)) {
    case LUA_TNUMBER:
      n = a.integer(1, "n");
      break;
    case LUA_TSTRING: {
      int ok = 0;
      n = lua_tointegerx(L, 1, &ok);
      if (!ok) return failWithNil(L, "ntop.inet_ntoa", "not a number " + quoted(a.string(1, "n")));
      break;
    }
    default:
      a.typeError(1, "n", "integer or string");
  }
  if (n < 0 || n > int64_t{0xFFFFFFFF}) {
    return failWithNil(L, "ntop.inet_ntoa", std::to_string(n) + " is not in 0..4294967295");
  }
  util::IpAddress ip;
  for (int i = 0; i < 4; ++i) ip.bytes[i] = static_cast<uint8_t>(n >> (24 - 8 * i));
  pushString(L, ip.toString());
  return 1;
}

// ntop.networkPrefix("192.168.1.77", 24) -> "192.168.1.0"
int networkPrefix(lua_State* L) {
  Args a(L, "ntop.networkPrefix");
  const auto text = a.string(1, "ip");
  const int64_t bits = a.integer(2, "bits");
  auto ip = util::parseIp(text);
  if (!ip) return failWithNil(L, "ntop.networkPrefix", "not an IP address " + quoted(text));
  const int width = ip->v6 ? 128 : 32;
  if (bits < 0 || bits > width) {
    a.fail(std::string("argument #2 (bits) must be 0..") + std::to_string(width) + " for an " +
           (ip->v6 ? "IPv6" : "IPv4") + " address");
  }
  pushString(L, util::maskAddress(*ip, static_cast<int>(bits)).toString());
  return 1;
}

// -1, 0 or 1: IPv4 before IPv6, then numerically.
int ipCmp(lua_State* L) {
  Args a(L, "ntop.ipCmp");
  const auto t1 = a.string(1, "ip1");
  const auto t2 = a.string(2, "ip2");
  auto ip1 = util::parseIp(t1);
  if (!ip1) return failWithNil(L, "ntop.ipCmp", "not an IP address " + quoted(t1));
  auto ip2 = util::parseIp(t2);
  if (!ip2) return failWithNil(L, "ntop.ipCmp", "not an IP address " + quoted(t2));
  int c = 0;
  if (ip1->v6 != ip2->v6) {
    c = ip1->v6 ? 1 : -1;
  } else {
    c = std::memcmp(ip1->bytes.data(), ip2->bytes.data(), ip1->v6 ? 16 : 4);
  }
  lua_pushinteger(L, c < 0 ? -1 : (c > 0 ? 1 : 0));
  return 1;
}

int isIPv6(lua_State* L) {
  auto ip = util::parseIp(Args(L, "ntop.isIPv6").string(1, "ip"));
  lua_pushboolean(L, ip.ok() && ip->v6);
  return 1;
}

// An address, or a network ("10.1.0.0/16"): local when it lies wholly in a local network.
int isLocalAddress(lua_State* L) {
  const auto text = Args(L, "ntop.isLocalAddress").string(1, "ip");
  LocalNetworks& n = nets(L, "ntop.isLocalAddress");
  bool local = false;
  if (text.find('/') != std::string_view::npos) {
    auto p = util::parsePrefix(text);
    local = p.ok() && n.networkIdOf(*p) >= 0;
  } else {
    auto ip = util::parseIp(text);
    local = ip.ok() && n.isLocal(*ip);
  }
  lua_pushboolean(L, local);
  return 1;
}

int isLocalInterfaceAddress(lua_State* L) {
  static InterfaceAddresses addresses;  // getifaddrs, re-read at most every 5 s
  auto ip = util::parseIp(Args(L, "ntop.isLocalInterfaceAddress").string(1, "ip"));
  lua_pushboolean(L, ip.ok() && addresses.contains(*ip));
  return 1;
}

// addLocalNetwork("10.9.0.0/16") or, as -m takes them, "10.9.0.0/16=lab,10.8.0.0/16".
// Administrators only. Nothing is added unless every entry parses.
int addLocalNetwork(lua_State* L) {
  constexpr const char* kFn = "ntop.addLocalNetwork";
  const auto list = Args(L, kFn).string(1, "cidr");
  LocalNetworks& n = nets(L, kFn);
  if (!LuaState::from(L)->context().isAdministrator()) {
    return failNothing(L, kFn, "administrators only");
  }
  if (auto ids = n.addList(list); !ids) return failNothing(L, kFn, ids.error());
  return 0;
}

// {["192.168.1.0/24"] = 0, ["10.0.0.0/8"] = 1, ...}
int getNetworks(lua_State* L) {
  const auto all = nets(L, "ntop.getNetworks").all();
  lua_createtable(L, 0, static_cast<int>(all.size()));
  for (const auto& net : all) setField(L, net.name.c_str(), net.id);
  return 1;
}

// The network's name (its CIDR), "" for an unknown id (as ntopng).
int getNetworkNameById(lua_State* L) {
  const int64_t id = Args(L, "ntop.getNetworkNameById").integer(1, "id");
  auto net = id >= 0 && id < LocalNetworks::kMaxNetworks
                 ? nets(L, "ntop.getNetworkNameById").byId(static_cast<int>(id))
                 : std::nullopt;
  pushString(L, net ? net->name : std::string());
  return 1;
}

// The id, -1 for an unknown name (as ntopng).
int getNetworkIdByName(lua_State* L) {
  const auto name = Args(L, "ntop.getNetworkIdByName").string(1, "name");
  lua_pushinteger(L, nets(L, "ntop.getNetworkIdByName").idByName(name));
  return 1;
}

// The spec's "network info for an IP": {network_id = 2, network = "10.1.0.0/16", alias = "lab"}
// for the longest local network holding the address; {network_id = -1} when none.
int getAddressNetwork(lua_State* L) {
  const auto text = Args(L, "ntop.getAddressNetwork").string(1, "ip");
  auto ip = util::parseIp(text);
  if (!ip) return failWithNil(L, "ntop.getAddressNetwork", "not an IP address " + quoted(text));
  LocalNetworks& n = nets(L, "ntop.getAddressNetwork");
  auto net = n.byId(n.networkIdOf(*ip));
  lua_createtable(L, 0, 3);
  setField(L, "network_id", net ? net->id : -1);
  if (net) {
    setField(L, "network", net->name);
    if (!net->alias.empty()) setField(L, "alias", net->alias);
  }
  return 1;
}

// The alias given with -m / addLocalNetwork ("10.0.0.0/8=lab"), nil when none.
int getLocalNetworkAlias(lua_State* L) {
  const auto name = Args(L, "ntop.getLocalNetworkAlias").string(1, "cidr");
  LocalNetworks& n = nets(L, "ntop.getLocalNetworkAlias");
  auto net = n.byId(n.idByName(name));
  if (net && !net->alias.empty()) {
    pushString(L, net->alias);
  } else {
    lua_pushnil(L);
  }
  return 1;
}

// The id of the local network named `cidr`, nil when there is none (as ntopng).
int getLocalNetworkID(lua_State* L) {
  const auto name = Args(L, "ntop.getLocalNetworkID").string(1, "cidr");
  const int id = nets(L, "ntop.getLocalNetworkID").idByName(name);
  if (id >= 0) {
    lua_pushinteger(L, id);
  } else {
    lua_pushnil(L);
  }
  return 1;
}

// Stores `hostname` as the name of `ip` ("a;b;c" names several addresses, as ntopng allows)
// under ntopng's key, for an hour. Addresses are stored in canonical form.
int setResolvedAddress(lua_State* L) {
  constexpr const char* kFn = "ntop.setResolvedAddress";
  Args a(L, kFn);
  std::string_view list = a.string(1, "ip");
  const auto name = a.string(2, "hostname");
  std::vector<util::IpAddress> ips;
  while (!list.empty()) {
    const auto semi = list.find(';');
    const std::string_view item = list.substr(0, semi);
    list = semi == std::string_view::npos ? std::string_view() : list.substr(semi + 1);
    auto ip = util::parseIp(item);
    if (!ip) return failNothing(L, kFn, "not an IP address " + quoted(item));
    ips.push_back(*ip);
  }
  if (ips.empty()) return failNothing(L, kFn, "no address given");
  const Services& services = LuaState::from(L)->services();
  store::CacheService& cache = *services.cache;
  for (const auto& ip : ips) {
    // Hosts take the name at once; the store has it before this returns.
    if (services.enrichment != nullptr) {
      services.enrichment->resolver().learn(ip, name, enrich::NameSource::kUser, false);
    }
    const std::string key = std::string(kDnsCachePrefix) + ip.toString();
    cache.count(store::Op::kSet);
    Status st = cache.store().set(key, name, kDnsCacheTtlSeconds);
    cache.noteWrite(key);
    if (!st) return failNothing(L, kFn, st.error(), st.unavailable());
  }
  return 0;
}

// checkNetworkPolicy(local_devices [, corporate_devices [, whitelisted_networks]]): ntopng's
// check of a network configuration, lists of "cidr,cidr,...". {error = false, error_msg = ""},
// or {error = true, error_msg = "Overlapping address error 10.0.0.5"}.
int checkNetworkPolicy(lua_State* L) {
  Args a(L, "ntop.checkNetworkPolicy");
  std::vector<std::string_view> lists = {a.string(1, "local_devices")};
  if (auto s = a.optString(2, "corporate_devices")) lists.push_back(*s);
  if (auto s = a.optString(3, "whitelisted_networks")) lists.push_back(*s);
  const Status st = flowlens::checkNetworkPolicy(lists);
  lua_createtable(L, 0, 2);
  setField(L, "error", !st.ok());
  setField(L, "error_msg", st.error());
  return 1;
}

}  // namespace

const luaL_Reg kNetwork[] = {
    {"ipToNumber", ipToNumber},
    {"inet_ntoa", inetNtoa},
    {"networkPrefix", networkPrefix},
    {"ipCmp", ipCmp},
    {"isIPv6", isIPv6},
    {"isLocalAddress", isLocalAddress},
    {"isLocalInterfaceAddress", isLocalInterfaceAddress},
    {"addLocalNetwork", addLocalNetwork},
    {"getNetworks", getNetworks},
    {"getNetworkNameById", getNetworkNameById},
    {"getNetworkIdByName", getNetworkIdByName},
    {"getAddressNetwork", getAddressNetwork},
    {"getLocalNetworkAlias", getLocalNetworkAlias},
    {"getLocalNetworkID", getLocalNetworkID},
    {"setResolvedAddress", setResolvedAddress},
    {"checkNetworkPolicy", checkNetworkPolicy},
    {nullptr, nullptr},
};

}  // namespace flowlens::lua::ntop
