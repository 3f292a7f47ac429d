// ntopng's interface.* basics: selecting an interface and reading its identity: ids and names,
// the kind of interface, its MAC address and link speed.

#include <net/if.h>

#include <ctime>
#include <fstream>

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

// The first interface the user may use: what ntopng selects by default.
int getFirstInterfaceId(lua_State* L) {
  for (const auto& i : LuaState::from(L)->services().interfaces->all()) {
    if (mayUse(L, *i)) {
      lua_pushinteger(L, i->id());
      return 1;
    }
  }
  lua_pushnil(L);
  return 1;
}

// An interface of `id` (a number or a numeric string) that the user may use.
NetworkInterface* byIdArg(lua_State* L, int arg) {
  int64_t id = -1;
  if (lua_isinteger(L, arg)) {
    id = lua_tointeger(L, arg);
  } else if (lua_type(L, arg) == LUA_TSTRING) {
    const char* text = lua_tostring(L, arg);
    char* end = nullptr;
    const long long n = std::strtoll(text, &end, 0);  // as ntopng: "3" and "0x3"
    if (*text != '\0' && *end == '\0') id = n;
  }
  if (id < 0 || id > INT32_MAX) return nullptr;
  NetworkInterface* i = LuaState::from(L)->services().interfaces->byId(int(id));
  return i && mayUse(L, *i) ? i : nullptr;
}

int isValidIfId(lua_State* L) {
  lua_pushboolean(L, byIdArg(L, 1) != nullptr);
  return 1;
}

// name2id(ifname) -> its ifid; -1 for a name no interface has (as ntopng).
int name2id(lua_State* L) {
  const std::string name(Args(L, "interface.name2id").string(1, "ifname"));
  for (const auto& i : LuaState::from(L)->services().interfaces->all()) {
    if (i->name() == name && mayUse(L, *i)) {
      lua_pushinteger(L, i->id());
      return 1;
    }
  }
  lua_pushinteger(L, -1);
  return 1;
}

// An interface named by argument 1 (ifid number or name), or the selected one when absent.
NetworkInterface* argOrSelected(lua_State* L) {
  if (lua_isnoneornil(L, 1)) return selected(L);
  if (lua_isinteger(L, 1)) return byIdArg(L, 1);
  if (lua_type(L, 1) == LUA_TSTRING) {
    NetworkInterface* i = LuaState::from(L)->services().interfaces->find(lua_tostring(L, 1));
    return i && mayUse(L, *i) ? i : nullptr;
  }
  return nullptr;
}

// flowlens has no sub-interfaces or views: every interface is its own master.
int getMasterInterfaceId(lua_State* L) {
  NetworkInterface* i = argOrSelected(L);
  if (!i) return failWithNil(L, "interface.getMasterInterfaceId", "unknown interface", true);
  lua_pushinteger(L, i->id());
  return 1;
}

int pushFalse(lua_State* L) {
  lua_pushboolean(L, 0);
  return 1;
}

// isView, isViewed, isSubInterface, hasEBPF: flowlens has no view, sub-interface or eBPF
// interfaces, so these are false for every interface.
int isView(lua_State* L) { return pushFalse(L); }
int isViewed(lua_State* L) { return pushFalse(L); }
int isSubInterface(lua_State* L) {
  if (!selected(L)) {
    lua_pushnil(L);
    return 1;
  }
  return pushFalse(L);
}
int hasEBPF(lua_State* L) { return pushFalse(L); }

// isBridgeInterface, isZMQInterface, isSyslogInterface, isDatabaseViewInterface: flowlens's
// interfaces are packet captures (live or file), never a bridge, a ZMQ or syslog collector or
// a database view.
int isBridgeInterface(lua_State* L) { return pushFalse(L); }
int isZMQInterface(lua_State* L) { return pushFalse(L); }
int isSyslogInterface(lua_State* L) { return pushFalse(L); }
int isDatabaseViewInterface(lua_State* L) { return pushFalse(L); }

// setActiveInterfaceId(ifid) -> the name of that interface (the user may see), or nil. As
// ntopng's, it only looks the interface up: interface.select changes the selection.
int setActiveInterfaceId(lua_State* L) {
  Args(L, "interface.setActiveInterfaceId").integer(1, "ifid");
  NetworkInterface* i = byIdArg(L, 1);
  if (!i) {
    lua_pushnil(L);
    return 1;
  }
  pushString(L, i->name());
  return 1;
}

// isMulticastMac(mac) -> whether the address has the group bit set (multicast and broadcast).
int isMulticastMac(lua_State* L) {
  const auto mac = macArg(Args(L, "interface.isMulticastMac"), 1);
  lua_pushboolean(L, mac && ((*mac)[0] & 1) != 0);
  return 1;
}

// The view interface aggregating this one: none.
int viewedBy(lua_State* L) {
  lua_pushnil(L);
  return 1;
}

// A live interface's file under /sys/class/net (empty for capture files or "any").
std::string sysfs(const NetworkInterface& i, const char* file) {
  if (i.kind() != NetworkInterface::Kind::kLive) return "";
  if (i.name().empty() || i.name().find('/') != std::string::npos || i.name() == "..") return "";
  std::ifstream in("/sys/class/net/" + i.name() + "/" + file);
  std::string line;
  std::getline(in, line);
  return line;
}

int isLoopback(lua_State* L) {
  NetworkInterface* i = selected(L);
  const std::string flags = i ? sysfs(*i, "flags") : "";
  lua_pushboolean(L, !flags.empty() && (std::strtoul(flags.c_str(), nullptr, 16) & IFF_LOOPBACK) != 0);
  return 1;
}

// The interface's own MAC address; all zeros for a capture file (as ntopng) or an interface
// without one.
int getIfMac(lua_State* L) {
  NetworkInterface* i = selected(L);
  if (!i) return failWithNil(L, "interface.getIfMac", "no interface", true);
  std::array<uint8_t, 6> mac{};
  const std::string text = sysfs(*i, "address");
  if (!host::parseMac(text, &mac)) mac = {};
  pushString(L, host::macToString(mac));
  return 1;
}

// Link speed in Mbit/s of an interface named by its OS name (a string) or by ifid (a number):
// the kernel's figure where the link reports one, else 1000, ntopng's default. nil without an
// argument, as ntopng.
int getMaxIfSpeed(lua_State* L) {
  NetworkInterface* i = nullptr;
  std::string os_name;
  if (lua_isinteger(L, 1)) {
    i = byIdArg(L, 1);
    if (!i) {
      lua_pushnil(L);
      return 1;
    }
    if (i->kind() == NetworkInterface::Kind::kLive) os_name = i->name();
  } else if (lua_type(L, 1) == LUA_TSTRING) {
    os_name = lua_tostring(L, 1);
  } else {
    lua_pushnil(L);
    return 1;
  }
  long speed = 0;
  if (!os_name.empty() && os_name.find('/') == std::string::npos && os_name != "..") {
    std::ifstream in("/sys/class/net/" + os_name + "/speed");  // EINVAL when the link is down
    if (!(in >> speed)) speed = 0;
  }
  lua_pushinteger(L, speed > 0 ? speed : 1000);
  return 1;
}

// Hosts' and the interface's figures are updated once a second (PacketEngine's sync and the
// throughput sample).
constexpr int kStatsUpdateSeconds = 1;

int getStatsUpdateFreq(lua_State* L) {
  NetworkInterface* i = lua_isnoneornil(L, 1) ? selected(L) : byIdArg(L, 1);
  if (!i) return failWithNil(L, "interface.getStatsUpdateFreq", "unknown interface", true);
  lua_pushinteger(L, kStatsUpdateSeconds);
  return 1;
}

// Seconds until two samples exist (rates need two): 0 once the interface has run that long.
int getSecsToFirstData(lua_State* L) {
  NetworkInterface* i = lua_isnoneornil(L, 1) ? selected(L) : byIdArg(L, 1);
  if (!i) return failWithNil(L, "interface.getSecsToFirstData", "unknown interface", true);
  const int64_t up = int64_t(std::time(nullptr) - i->startEpoch());
  lua_pushinteger(L, std::max<int64_t>(0, 2 * kStatsUpdateSeconds - up));
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
    {"getFirstInterfaceId", getFirstInterfaceId},
    {"isValidIfId", isValidIfId},
    {"name2id", name2id},
    {"getMasterInterfaceId", getMasterInterfaceId},
    {"isView", isView},
    {"isViewed", isViewed},
    {"viewedBy", viewedBy},
    {"isSubInterface", isSubInterface},
    {"hasEBPF", hasEBPF},
    {"isBridgeInterface", isBridgeInterface},
    {"isZMQInterface", isZMQInterface},
    {"isSyslogInterface", isSyslogInterface},
    {"isDatabaseViewInterface", isDatabaseViewInterface},
    {"setActiveInterfaceId", setActiveInterfaceId},
    {"isMulticastMac", isMulticastMac},
    {"isLoopback", isLoopback},
    {"getIfMac", getIfMac},
    {"getMaxIfSpeed", getMaxIfSpeed},
    {"getStatsUpdateFreq", getStatsUpdateFreq},
    {"getSecsToFirstData", getSecsToFirstData},
    {nullptr, nullptr},
};

}  // namespace flowlens::lua::iface
