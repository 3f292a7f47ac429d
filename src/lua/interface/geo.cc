// interface.* by autonomous system and by country: getASesInfo, getASInfo, getCountriesInfo,
// getCountryInfo. The groups are the selected interface's active hosts summed by the AS and
// country the GeoIP databases give them (iface/queries.h groupHosts), within the user's allowed
// networks. Field names are ntopng's (AutonomousSystem::lua, Country::lua).

#include <algorithm>
#include <cstdlib>

#include "iface/queries.h"
#include "lua/args.h"
#include "lua/interface/common.h"
#include "lua/registry.h"

namespace flowlens::lua::iface {
namespace {

int64_t seconds(uint64_t us) { return us == UINT64_MAX ? 0 : int64_t(us / 1000000); }

void pushGroup(lua_State* L, const HostGroup& g, HostGrouping by) {
  lua_createtable(L, 0, 14);
  if (by == HostGrouping::kAs) {
    setField(L, "asn", uint64_t{g.asn});
    setField(L, "asname", g.asname);
  } else {
    setField(L, "country", g.country);
  }
  setField(L, "bytes", g.traffic.bytes());
  setField(L, "bytes.sent", g.traffic.bytes_sent);
  setField(L, "bytes.rcvd", g.traffic.bytes_rcvd);
  setField(L, "packets.sent", g.traffic.packets_sent);
  setField(L, "packets.rcvd", g.traffic.packets_rcvd);
  setField(L, "num_hosts", g.num_hosts);
  setField(L, "seen.first", seconds(g.first_seen_us));
  setField(L, "seen.last", seconds(g.last_seen_us));
  setField(L, "duration", seconds(g.last_seen_us) - seconds(g.first_seen_us) + 1);
  setField(L, "throughput_bps", g.throughput_bps);
  setField(L, "throughput_pps", g.throughput_pps);
  setField(L, "score", 0);
}

std::vector<HostGroup> groups(lua_State* L, HostGrouping by, const std::string& sort,
                              bool ascending) {
  const PacketEngine* e = selectedEngine(L);
  if (e == nullptr) return {};
  return groupHosts(*e, by, allowedNetworks(L), sort, ascending);
}

// ([paginator]) -> {<list> = {...}, <count> = N}: paginator keys sortColumn, a2zSortOrder,
// maxHits, toSkip, as in getFlowsInfo.
int groupsInfo(lua_State* L, HostGrouping by, const char* fn, const char* list, const char* count) {
  Args a(L, fn);
  std::string sort = "column_traffic";
  bool ascending = false;
  uint64_t max_hits = UINT64_MAX, to_skip = 0;
  if (lua_type(L, 1) == LUA_TTABLE) {
    if (auto v = stringField(L, 1, "sortColumn")) sort = *v;
    if (auto v = boolField(L, 1, "a2zSortOrder")) ascending = *v;
    if (auto v = intField(L, 1, "maxHits")) max_hits = uint64_t(std::max<int64_t>(*v, 0));
    if (auto v = intField(L, 1, "toSkip")) to_skip = uint64_t(std::max<int64_t>(*v, 0));
  } else if (lua_type(L, 1) > LUA_TNIL) {
    a.table(1, "paginator");
  }
  const std::vector<HostGroup> all = groups(L, by, sort, ascending);
  const size_t first = size_t(std::min<uint64_t>(to_skip, all.size()));
  const size_t last = size_t(std::min<uint64_t>(first + std::min<uint64_t>(max_hits, all.size()),
                                                all.size()));
  lua_createtable(L, 0, 2);
  lua_createtable(L, int(last - first), 0);
  for (size_t i = first; i < last; ++i) {
    pushGroup(L, all[i], by);
    lua_rawseti(L, -2, lua_Integer(i - first + 1));
  }
  lua_setfield(L, -2, list);
  setField(L, count, uint64_t{all.size()});
  return 1;
}

int getASesInfo(lua_State* L) {
  return groupsInfo(L, HostGrouping::kAs, "interface.getASesInfo", "ASes", "numASes");
}

int getCountriesInfo(lua_State* L) {
  return groupsInfo(L, HostGrouping::kCountry, "interface.getCountriesInfo", "Countries",
                    "numCountries");
}

// getASInfo(asn) -> the AS's table, nil when no active host is in it.
int getASInfo(lua_State* L) {
  const int64_t asn = Args(L, "interface.getASInfo").integer(1, "asn");
  for (const HostGroup& g : groups(L, HostGrouping::kAs, "column_asn", true)) {
    if (g.asn == asn) {
      pushGroup(L, g, HostGrouping::kAs);
      return 1;
    }
  }
  lua_pushnil(L);
  return 1;
}

// getCountryInfo(code) -> the country's table ("IT", any case), nil when no active host is there.
int getCountryInfo(lua_State* L) {
  std::string code(Args(L, "interface.getCountryInfo").string(1, "country"));
  std::transform(code.begin(), code.end(), code.begin(), ::toupper);
  for (const HostGroup& g : groups(L, HostGrouping::kCountry, "column_country", true)) {
    if (g.country == code) {
      pushGroup(L, g, HostGrouping::kCountry);
      return 1;
    }
  }
  lua_pushnil(L);
  return 1;
}

// A two-letter country code packed in 16 bits, first letter high: "IT" -> 0x4954.
int convertCountryCode2U16(lua_State* L) {
  const std::string_view code = Args(L, "interface.convertCountryCode2U16").string(1, "country");
  if (code.size() != 2) return failWithNil(L, "interface.convertCountryCode2U16", "not a two-letter code");
  lua_pushinteger(L, (lua_Integer(uint8_t(code[0])) << 8) | uint8_t(code[1]));
  return 1;
}

// The reverse, from the number as a string (ntopng takes a string here).
int convertCountryU162Code(lua_State* L) {
  const std::string text(Args(L, "interface.convertCountryU162Code").string(1, "country_u16"));
  char* end = nullptr;
  const long n = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || n < 0 || n > 0xffff) {
    return failWithNil(L, "interface.convertCountryU162Code", "not a 16-bit number '" + text + "'");
  }
  const char code[2] = {char(n >> 8), char(n & 0xff)};
  pushString(L, std::string_view(code, 2));
  return 1;
}

}  // namespace

const luaL_Reg kGeo[] = {
    {"getASesInfo", getASesInfo},
    {"getASInfo", getASInfo},
    {"getCountriesInfo", getCountriesInfo},
    {"getCountryInfo", getCountryInfo},
    {"convertCountryCode2U16", convertCountryCode2U16},
    {"convertCountryU162Code", convertCountryU162Code},
    {nullptr, nullptr},
};

}  // namespace flowlens::lua::iface
