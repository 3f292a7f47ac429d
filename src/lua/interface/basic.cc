// ntopng's interface.* basics: selecting an interface and reading its identity.

#include "lua/args.h"
#include "lua/interface/common.h"
#include "lua/registry.h"
#include "lua/state.h"

namespace flowlens::lua::iface {
namespace {

int select(lua_State* L) {
  Args a(L, "interface.select");
  const std::string which(a.string(1, "ifname"));
  LuaState* s = LuaState::from(L);
  NetworkInterface* i = s->services().interfaces->find(which);
  if (!i || !mayUse(L, *i)) {  // one not allowed looks just like one that does not exist
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
    if (mayUse(L, *i)) setField(L, std::to_string(i->id()).c_str(), i->name());  // ifid -> name
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

}  // namespace

const luaL_Reg kBasic[] = {
    {"select", select},
    {"getId", getId},
    {"getName", getName},
    {"getIfNames", getIfNames},
    {"isPacketInterface", isPacketInterface},
    {"isPcapDumpInterface", isPcapDumpInterface},
    {nullptr, nullptr},
};

}  // namespace flowlens::lua::iface
