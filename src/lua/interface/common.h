#pragma once
// What every interface.* binding file shares: the selected interface (honouring the user's
// allowed interface), its engine, the user's allowed networks, and the nDPI catalog.

#include <optional>
#include <string>
#include <vector>

#include "dpi/dpi_engine.h"
#include "iface/interface.h"
#include "iface/queries.h"
#include "lua/args.h"
#include "lua/state.h"
#include "util/ip.h"

namespace flowlens::lua::iface {

bool mayUse(lua_State* L, const NetworkInterface& i);
// The selected interface; by default the first one the user may see. nullptr when none.
NetworkInterface* selected(lua_State* L);
// The selected interface's engine; nullptr (nothing captured yet) is a valid, empty answer.
const PacketEngine* selectedEngine(lua_State* L);
// The networks the user may see; empty = all.
std::vector<util::IpPrefix> allowedNetworks(lua_State* L);
const dpi::DpiCatalog& catalog(lua_State* L);
// An optional integer filter of a flow query: set when within [0, max]; out of that range the
// query matches nothing (rather than the value wrapping onto another).
template <typename T>
void rangeFilter(std::optional<int64_t> v, int64_t max, std::optional<T>* field, FlowQuery* q) {
  if (!v) return;
  if (*v < 0 || *v > max) {
    q->match_nothing = true;
  } else {
    *field = T(*v);
  }
}

// ntopng's flow paginator at stack index `idx` into `q`: sortColumn, a2zSortOrder, maxHits,
// toSkip, l4protoFilter, l7protoFilter, l7categoryFilter, portFilter, vlanIdFilter. Not a table
// (and not nil) raises.
void flowPaginator(lua_State* L, const Args& a, int idx, FlowQuery* q);

// String argument `arg` (named "mac") as a MAC address; nullopt when it is none.
std::optional<std::array<uint8_t, 6>> macArg(const Args& a, int arg);

// ntopng's host key "ip" or "ip@vlan" (VLAN 0-4095); false when it is neither.
bool parseHostKey(std::string_view text, util::IpAddress* ip, std::optional<uint16_t>* vlan);

// Fields of a paginator table at stack index `table` (ntopng's sortColumn, maxHits, ...):
// absent or of another type -> nullopt. Integers also accept numbers and numeric strings.
std::optional<int64_t> intField(lua_State* L, int table, const char* key);
std::optional<std::string> stringField(lua_State* L, int table, const char* key);
std::optional<bool> boolField(lua_State* L, int table, const char* key);

}  // namespace flowlens::lua::iface
