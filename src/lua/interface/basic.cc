// ntopng's interface.* basics: selecting an interface and reading its identity and counters.
// The packet engine fills the counters; flows, hosts and nDPI views come with it.

#include "lua/args.h"
#include "lua/registry.h"
#include "lua/state.h"

namespace flowlens::lua::iface {
namespace {

bool allowed(lua_State* L, const NetworkInterface& i) {
  const Request* r = LuaState::from(L)->context().request;
  return r == nullptr || r->mayUseInterface(i.name());
}

// The selected interface; by default the first one the user may see.
NetworkInterface* selected(lua_State* L) {
  LuaState* s = LuaState::from(L);
  ScriptContext& ctx = s->context();
  if (ctx.selected_ifid < 0) {
    for (const auto& i : s->services().interfaces->all()) {
      if (allowed(L, *i)) {
        ctx.selected_ifid = i->id();
        break;
      }
    }
  }
  NetworkInterface* i = s->services().interfaces->byId(ctx.selected_ifid);
  return i && allowed(L, *i) ? i : nullptr;
}

int select(lua_State* L) {
  Args a(L, "interface.select");
  const std::string which(a.string(1, "ifname"));
  LuaState* s = LuaState::from(L);
  NetworkInterface* i = s->services().interfaces->find(which);
  if (!i || !allowed(L, *i)) {  // one not allowed looks just like one that does not exist
    return failWithNil(L, "interface.select", "unknown interface '" + which + "'");
  }
  s->context().selected_ifid = i->id();
  lua_pushboolean(L, 1);
  return 1;
}

int getId(lua_State* L) {
  NetworkInterface* i = selected(L);
  if (!i) return failWithNil(L, "interface.getId", "no interface");
  lua_pushinteger(L, i->id());
  return 1;
}

int getName(lua_State* L) {
  NetworkInterface* i = selected(L);
  if (!i) return failWithNil(L, "interface.getName", "no interface");
  pushString(L, i->name());
  return 1;
}

int getIfNames(lua_State* L) {
  lua_newtable(L);
  for (const auto& i : LuaState::from(L)->services().interfaces->all()) {
    if (allowed(L, *i)) setField(L, std::to_string(i->id()).c_str(), i->name());  // ifid -> name
  }
  return 1;
}

int isPacketInterface(lua_State* L) {
  lua_pushboolean(L, selected(L) != nullptr);  // every flowlens interface captures packets
  return 1;
}

int isPcapDumpInterface(lua_State* L) {
  NetworkInterface* i = selected(L);
  lua_pushboolean(L, i && i->kind() == NetworkInterface::Kind::kPcapFile);
  return 1;
}

int getStats(lua_State* L) {
  NetworkInterface* i = selected(L);
  if (!i) return failWithNil(L, "interface.getStats", "no interface");
  const auto& c = i->counters();
  lua_createtable(L, 0, 12);
  setField(L, "id", i->id());
  setField(L, "name", i->name());
  setField(L, "ifname", i->name());
  setField(L, "type", i->typeName());
  setField(L, "isView", false);
  setField(L, "isDynamic", false);
  setField(L, "isPacketInterface", true);
  setField(L, "startEpoch", static_cast<int64_t>(i->startEpoch()));
  lua_createtable(L, 0, 4);
  setField(L, "packets", c.packets.load(std::memory_order_relaxed));
  setField(L, "bytes", c.bytes.load(std::memory_order_relaxed));
  setField(L, "drops", c.drops.load(std::memory_order_relaxed));
  setField(L, "discarded_probing_packets", uint64_t{0});
  lua_setfield(L, -2, "stats");
  lua_createtable(L, 0, 2);
  setField(L, "packets", i->packetsSinceReset());
  setField(L, "bytes", i->bytesSinceReset());
  lua_setfield(L, -2, "stats_since_reset");
  return 1;
}

}  // namespace

const luaL_Reg kBasic[] = {
    {"select", select},
    {"getId", getId},
    {"getName", getName},
    {"getIfNames", getIfNames},
    {"isPacketInterface", isPacketInterface},
    {"isPcapDumpInterface", isPcapDumpInterface},
    {"getStats", getStats},
    {nullptr, nullptr},
};

}  // namespace flowlens::lua::iface
