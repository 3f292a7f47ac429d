#include "lua/registry.h"

#include <algorithm>
#include <set>

namespace flowlens::lua {

const std::vector<Section>& sections() {
  static const std::vector<Section> kSections = {
      {"ntop", "3 System & Information", ntop::kSystem},
      {"ntop", "4 File System", ntop::kFileSystem},
      {"ntop", "5 Redis / Cache", ntop::kCache},
      {"ntop", "6 Preferences", ntop::kPrefs},
      {"ntop", "7 User Management & Authentication", ntop::kUsers},
      {"ntop", "8 MFA / TOTP", ntop::kMfa},
      {"ntop", "9 Network & IP Utilities", ntop::kNetwork},
      {"ntop", "10 Address Resolution", ntop::kResolution},
      {"ntop", "17 nDPI / Protocol Classification, 30 Custom Categories", ntop::kNdpi},
      {"ntop", "11 HTTP Client", ntop::kHttpClient},
      {"ntop", "12 Logging", ntop::kLogging},
      {"ntop", "13 Historical Statistics (SQLite)", ntop::kHistory},
      {"ntop", "14 RRD", ntop::kRrd},
      {"ntop", "15 Alerts", ntop::kAlerts},
      {"ntop", "16 Recipient Queues", ntop::kRecipients},
      {"ntop", "18 SNMP", ntop::kSnmp},
      {"ntop", "19 Ping", ntop::kPing},
      {"ntop", "21 IPS (outside nEdge)", ntop::kIps},
      {"ntop", "22 ZMQ", ntop::kZmq},
      {"ntop", "23 Time & Ticks", ntop::kTime},
      {"ntop", "24 UDP / TCP Send", ntop::kSend},
      {"ntop", "25 ASN & Geolocation", ntop::kGeo},
      {"ntop", "26 Bitmap Utilities", ntop::kBitmap},
      {"ntop", "27 Score / Severity", ntop::kScore},
      {"ntop", "28 Edition / Platform Checks", ntop::kEdition},
      {"ntop", "29 Privilege Management", ntop::kPrivileges},
      {"ntop", "31 Flow / Host Checks & Risks (risks)", ntop::kRisks},
      {"ntop", "32 In-Memory Lua Cache", ntop::kLuaCache},
      {"ntop", "33 Miscellaneous", ntop::kMisc},
      {"ntop", "33 Miscellaneous: e-mail", ntop::kMail},
      {"interface", "interface.* (ntopng): selection", iface::kBasic},
      {"interface", "interface.* (ntopng): counters", iface::kStats},
      {"interface", "interface.* (ntopng): hosts and MACs", iface::kHosts},
      {"interface", "interface.* (ntopng): flows", iface::kFlows},
      {"interface", "interface.* (ntopng): nDPI", iface::kNdpi},
      {"interface", "interface.* (ntopng): autonomous systems and countries", iface::kGeo},
      {"interface", "interface.* (ntopng): flows grouped", iface::kAggregates},
      {"interface", "interface.* (ntopng): host pools", iface::kPools},
      {"interface", "interface.* (ntopng): live capture", iface::kCapture},
      {"flowlens", "HTTP response helpers", kResponse},
      {"flowlens", "JSON encoder for rest_utils", kJson},
  };
  return kSections;
}

void registerBindings(lua_State* L) {
  for (const auto& section : sections()) {
    if (lua_getglobal(L, section.table) != LUA_TTABLE) {
      lua_pop(L, 1);
      lua_newtable(L);
      lua_pushvalue(L, -1);
      lua_setglobal(L, section.table);
    }
    luaL_setfuncs(L, section.functions, 0);
    lua_pop(L, 1);
  }
  lua_register(L, "print", luaPrint);
  static const std::pair<const char*, int> kTraceLevels[] = {
      {"TRACE_ERROR", 0}, {"TRACE_WARNING", 1}, {"TRACE_NORMAL", 2},
      {"TRACE_INFO", 3},  {"TRACE_DEBUG", 4},
  };
  for (const auto& [name, level] : kTraceLevels) {
    lua_pushinteger(L, level);
    lua_setglobal(L, name);
  }
}

std::vector<std::string> registeredFunctionNames() {
  std::set<std::string> names;
  for (const auto& section : sections()) {
    for (const luaL_Reg* r = section.functions; r->name; ++r) {
      names.insert(std::string(section.table) + "." + r->name);
    }
  }
  return {names.begin(), names.end()};
}

}  // namespace flowlens::lua
