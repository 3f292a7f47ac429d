#pragma once
// What every interface.* binding file shares: the selected interface (honouring the user's
// allowed interface), its engine, the user's allowed networks, and the nDPI catalog.

#include <vector>

#include "dpi/dpi_engine.h"
#include "iface/interface.h"
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

}  // namespace flowlens::lua::iface
