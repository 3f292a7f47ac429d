// Spec section 25: ASN & Geolocation. The GeoIP databases (enrich/geoip.h) and the IEEE MAC
// vendor lists (enrich/mac_vendors.h) of the Enrichment service. Text from the databases is
// returned raw; pages escape it.
//
// An address that does not parse: nil and a log line. An address the databases do not know:
// nil for the name functions, and empty fields ("" and 0, as host answers carry them) in the
// geolocation tables.

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include "enrich/enrichment.h"
#include "lua/args.h"
#include "lua/registry.h"
#include "lua/state.h"
#include "util/ip.h"

namespace flowlens::lua::ntop {
namespace {

enrich::Enrichment& enrichment(lua_State* L, const char* fn) {
  enrich::Enrichment* e = LuaState::from(L)->services().enrichment;
  if (e == nullptr) {
    luaL_error(L, "%s: host enrichment is not running", fn);
    __builtin_unreachable();
  }
  return *e;
}

// The location fields of host answers: country, city, continent, latitude, longitude.
void setLocation(lua_State* L, const enrich::Location* loc) {
  setField(L, "continent", loc ? loc->continent : std::string());
  setField(L, "country", loc ? loc->country : std::string());
  setField(L, "country_name", loc ? loc->country_name : std::string());
  setField(L, "city", loc ? loc->city : std::string());
  setField(L, "latitude", loc ? loc->latitude : 0.0);
  setField(L, "longitude", loc ? loc->longitude : 0.0);
}

int hasGeoIP(lua_State* L) {
  enrich::Enrichment* e = LuaState::from(L)->services().enrichment;
  lua_pushboolean(L, e != nullptr && e->geoip().loaded());
  return 1;
}

int getASName(lua_State* L) {
  constexpr const char* kFn = "ntop.getASName";
  auto ip = addressArg(L, kFn, 1);
  if (!ip) return failWithNil(L, kFn, ip.error());
  const enrich::AsInfo* as = enrichment(L, kFn).geoip().lookup(*ip).as;
  if (as == nullptr || as->name.empty()) {
    lua_pushnil(L);
  } else {
    pushString(L, as->name);
  }
  return 1;
}

int getASNameFromASN(lua_State* L) {
  constexpr const char* kFn = "ntop.getASNameFromASN";
  const int64_t asn = Args(L, kFn).integer(1, "asn");
  if (asn <= 0 || asn > int64_t(UINT32_MAX)) {
    lua_pushnil(L);
    return 1;
  }
  if (auto name = enrichment(L, kFn).geoip().asName(uint32_t(asn))) {
    pushString(L, *name);
  } else {
    lua_pushnil(L);
  }
  return 1;
}

// {continent, country, country_name, city, latitude, longitude}; fields empty when unknown.
int getHostGeolocation(lua_State* L) {
  constexpr const char* kFn = "ntop.getHostGeolocation";
  auto ip = addressArg(L, kFn, 1);
  if (!ip) return failWithNil(L, kFn, ip.error());
  const enrich::GeoResult geo = enrichment(L, kFn).geoip().lookup(*ip);
  lua_createtable(L, 0, 6);
  setLocation(L, geo.location);
  return 1;
}

int getMacManufacturer(lua_State* L) {
  constexpr const char* kFn = "ntop.getMacManufacturer";
  const std::string_view mac = Args(L, kFn).string(1, "mac");
  if (auto vendor = enrichment(L, kFn).macVendors().lookup(mac)) {
    pushString(L, *vendor);
  } else {
    lua_pushnil(L);
  }
  return 1;
}

// The IPv4 address of the first interface that is up and not a loopback: ntopng's
// "management address".
std::string managementAddress() {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return "";
  std::string out;
  for (ifaddrs* i = list; i != nullptr && out.empty(); i = i->ifa_next) {
    if (i->ifa_addr == nullptr || i->ifa_addr->sa_family != AF_INET) continue;
    if ((i->ifa_flags & IFF_UP) == 0 || (i->ifa_flags & IFF_LOOPBACK) != 0) continue;
    util::IpAddress a;
    std::memcpy(a.bytes.data(), &reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr, 4);
    out = a.toString();
  }
  freeifaddrs(list);
  return out;
}

// With an address: what flowlens knows of it (name, location, AS, local network). Without:
// ntopng's answer, this machine's management address and the instance name.
int getHostInformation(lua_State* L) {
  constexpr const char* kFn = "ntop.getHostInformation";
  const Services& s = LuaState::from(L)->services();
  if (lua_isnoneornil(L, 1)) {
    lua_createtable(L, 0, 2);
    setField(L, "ip", managementAddress());
    setField(L, "instance_name", s.options != nullptr ? s.options->instance_name : "");
    return 1;
  }
  auto ip = addressArg(L, kFn, 1);
  if (!ip) return failWithNil(L, kFn, ip.error());
  enrich::Enrichment& e = enrichment(L, kFn);
  const enrich::GeoResult geo = e.geoip().lookup(*ip);
  lua_createtable(L, 0, 12);
  setField(L, "ip", ip->toString());
  if (auto name = e.resolver().name(*ip)) setField(L, "name", *name);
  setLocation(L, geo.location);
  setField(L, "asn", int64_t(geo.as ? geo.as->asn : 0));
  setField(L, "asname", geo.as ? geo.as->name : std::string());
  const int network = s.local_networks != nullptr ? s.local_networks->networkIdOf(*ip) : -1;
  setField(L, "localhost", network >= 0);
  if (network >= 0) {
    if (auto net = s.local_networks->byId(network)) setField(L, "local_network_name", net->name);
  }
  return 1;
}

}  // namespace

const luaL_Reg kGeo[] = {
    {"hasGeoIP", hasGeoIP},
    {"getASName", getASName},
    {"getASNameFromASN", getASNameFromASN},
    {"getHostGeolocation", getHostGeolocation},
    {"getMacManufacturer", getMacManufacturer},
    {"getHostInformation", getHostInformation},
    {nullptr, nullptr},
};

}  // namespace flowlens::lua::ntop
