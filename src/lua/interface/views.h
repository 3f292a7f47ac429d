#pragma once
// Lua tables for hosts, flows and MAC hosts, with ntopng's field names (Host::lua, Flow::lua,
// Mac::lua). Text learned from traffic (names, SNI) is pushed raw: escaping is the output's job.

#include <lua.hpp>

#include <optional>
#include <string>

#include "dpi/dpi_engine.h"
#include "flow/flow.h"
#include "host/host.h"

namespace flowlens::lua::iface {

// "192.168.1.1" or "192.168.1.1@10" (VLAN), as ntopng keys hosts.
std::string hostKey(const host::Host& h);
void pushHost(lua_State* L, const host::Host& h, int ifid, bool details,
              const dpi::DpiCatalog& catalog);
// The host's `ndpi` (per application) and `ndpi_categories` fields, into the table on top.
void pushHostNdpi(lua_State* L, const host::Host& h, const dpi::DpiCatalog& catalog);
// The resolver's name of `ip` (reverse DNS, a DNS answer, set by a script), if any.
std::optional<std::string> resolvedName(lua_State* L, const util::IpAddress& ip);
// The name scripts show for a host: resolved (reverse DNS, a DNS answer, set by a script), else
// the one clients asked it by (TLS SNI, HTTP Host), else "".
std::string displayName(lua_State* L, const host::Host& h);
void pushFlow(lua_State* L, const flow::Flow& f, const dpi::DpiCatalog& catalog);
void pushMac(lua_State* L, const host::MacHost& m);
// bytes.sent, bytes.rcvd, packets.sent, packets.rcvd, bytes, packets into the table on top.
void pushTraffic(lua_State* L, const host::Traffic& t);
// An `ndpi_categories` entry as ntopng's CategoryCounter::lua ({category, bytes, bytes.sent,
// bytes.rcvd, duration}), set under the category's name in the table on top.
void setCategoryEntry(lua_State* L, const dpi::DpiCatalog& catalog, uint16_t category,
                      const host::Traffic& t, uint64_t duration_s);
const char* l4Name(uint8_t proto);

}  // namespace flowlens::lua::iface
