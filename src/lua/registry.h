#pragma once
// THE list of Lua API areas. Each spec section has one binding file exporting a luaL_Reg array;
// this list puts them in their Lua tables. `flowlens --lua-api` prints what it registers.

#include <lua.hpp>

#include <string>
#include <vector>

namespace flowlens::lua {

struct Section {
  const char* table;        // "ntop", "interface" or "flowlens" (flowlens's own helpers)
  const char* spec_section; // e.g. "3 System & Information"
  const luaL_Reg* functions;
};

const std::vector<Section>& sections();
// Registers every section, print(), and the TRACE_* constants into a fresh state.
void registerBindings(lua_State* L);
// "ntop.getDirs", "interface.select", ... sorted, each once.
std::vector<std::string> registeredFunctionNames();

// The binding arrays, one per file (terminated by {nullptr, nullptr}).
namespace ntop {
extern const luaL_Reg kSystem[];      // ntop/system.cc    section 3
extern const luaL_Reg kFileSystem[];  // ntop/fs.cc        section 4
extern const luaL_Reg kLogging[];     // ntop/logging.cc   section 12
extern const luaL_Reg kTime[];        // ntop/time.cc      section 23
extern const luaL_Reg kSend[];        // ntop/send.cc      section 24
extern const luaL_Reg kPing[];        // ntop/ping.cc      section 19
extern const luaL_Reg kHttpClient[];  // ntop/http_client.cc section 11
extern const luaL_Reg kRrd[];         // ntop/rrd.cc       section 14
extern const luaL_Reg kHistory[];     // ntop/history.cc   section 13
extern const luaL_Reg kRecipients[];  // ntop/recipients.cc section 16
extern const luaL_Reg kSnmp[];        // ntop/snmp.cc      section 18
extern const luaL_Reg kIps[];         // ntop/ips.cc       section 21 (outside nEdge)
extern const luaL_Reg kZmq[];         // ntop/zmq.cc       section 22
extern const luaL_Reg kMail[];        // ntop/mail.cc      section 33 (sendMail)
extern const luaL_Reg kAlerts[];      // ntop/alerts.cc    section 15
extern const luaL_Reg kScore[];       // ntop/score.cc     section 27
extern const luaL_Reg kRisks[];       // ntop/risks.cc     section 31 (risks)
extern const luaL_Reg kBitmap[];      // ntop/bitmap.cc    section 26
extern const luaL_Reg kEdition[];     // ntop/edition.cc   section 28
extern const luaL_Reg kMisc[];        // ntop/misc.cc      section 33 (part)
extern const luaL_Reg kCache[];       // ntop/cache.cc     section 5
extern const luaL_Reg kPrefs[];       // ntop/prefs.cc     section 6
extern const luaL_Reg kLuaCache[];    // ntop/lua_cache.cc section 32
extern const luaL_Reg kUsers[];       // ntop/users.cc     section 7 (+ 9's isAllowed*)
extern const luaL_Reg kMfa[];         // ntop/mfa.cc       section 8
extern const luaL_Reg kNetwork[];     // ntop/network.cc   section 9 (but isAllowed*)
extern const luaL_Reg kResolution[];  // ntop/resolution.cc section 10
extern const luaL_Reg kGeo[];         // ntop/geo.cc       section 25
extern const luaL_Reg kNdpi[];        // ntop/ndpi.cc      sections 17 and 30
extern const luaL_Reg kPrivileges[];  // ntop/privileges.cc section 29
}  // namespace ntop
namespace iface {
extern const luaL_Reg kBasic[];       // interface/basic.cc
extern const luaL_Reg kStats[];       // interface/stats.cc
extern const luaL_Reg kHosts[];       // interface/hosts.cc
extern const luaL_Reg kFlows[];       // interface/flows.cc
extern const luaL_Reg kNdpi[];        // interface/ndpi.cc
extern const luaL_Reg kGeo[];         // interface/geo.cc: by AS and by country
extern const luaL_Reg kAggregates[];  // interface/aggregates.cc: flows grouped
extern const luaL_Reg kPools[];       // interface/pools.cc: host pools
extern const luaL_Reg kCapture[];     // interface/capture.cc: live capture
}  // namespace iface
extern const luaL_Reg kResponse[];    // response.cc: flowlens.* helpers behind lua_utils
extern const luaL_Reg kJson[];        // json_encode.cc: flowlens.jsonEncode (dkjson-compatible)
int luaPrint(lua_State* L);           // response.cc: print() into the HTTP response

}  // namespace flowlens::lua
