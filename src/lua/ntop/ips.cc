// Spec section 21 (IPS / nEdge), the functions ntopng has outside nEdge builds: the IPS
// messages published on --zmq-publish-events (util::ZmqPublisher, for nProbe or a firewall
// that applies them), the "refresh the IPS rules" flag, and BPF syntax checks. The nEdge-only
// functions (routing mode, LAN/WAN interfaces, bind addresses) are not registered: flowlens is
// a passive monitor, as ntopng's non-nEdge builds, which do not have them either.

#include "capture/bpf.h"
#include "iface/packet_engine.h"
#include "lua/args.h"
#include "lua/interface/common.h"
#include "lua/registry.h"
#include "lua/state.h"
#include "util/zmq_publisher.h"

namespace flowlens::lua::ntop {
namespace {

Services& services(lua_State* L) { return LuaState::from(L)->services(); }

// broadcastIPSMessage(msg) -> true when published, false when not (no --zmq-publish-events,
// or the publisher refused it). Administrators only: IPS rules make a peer drop traffic.
int broadcastIPSMessage(lua_State* L) {
  constexpr const char* fn = "ntop.broadcastIPSMessage";
  const std::string msg(Args(L, fn).string(1, "msg"));
  if (!LuaState::from(L)->context().isAdministrator()) {
    return failWithNil(L, fn, "administrators only");
  }
  util::ZmqPublisher* events = services(L).events;
  if (events == nullptr) {
    failWithNil(L, fn, "no --zmq-publish-events endpoint", true);
    lua_pop(L, 1);
    lua_pushboolean(L, false);
    return 1;
  }
  const Status st = events->publish("ips", msg);
  if (!st) {
    failWithNil(L, fn, st.error());
    lua_pop(L, 1);
  }
  lua_pushboolean(L, bool(st));
  return 1;
}

// timeToRefreshIPSRules() -> whether someone asked since the last call (the flag is cleared).
int timeToRefreshIPSRules(lua_State* L) {
  lua_pushboolean(L, services(L).refresh_ips_rules.exchange(false));
  return 1;
}

// askToRefreshIPSRules() -> true: the next timeToRefreshIPSRules() answers true.
int askToRefreshIPSRules(lua_State* L) {
  services(L).refresh_ips_rules.store(true);
  lua_pushboolean(L, true);
  return 1;
}

// Whether `filter` compiles as a libpcap (BPF) filter for the selected interface's link type
// (Ethernet for an interface without a packet engine); false when no interface is selected, as
// ntopng, and for a filter over 4,096 bytes.
bool compiles(lua_State* L, const std::string& filter) {
  if (iface::selected(L) == nullptr) return false;
  const PacketEngine* e = iface::selectedEngine(L);
  return bool(capture::checkFilter(filter, e != nullptr ? e->linkType() : DLT_EN10MB));
}

// checkFilterSyntax(filter) -> boolean: a traffic profile's filter.
int checkFilterSyntax(lua_State* L) {
  const std::string filter(Args(L, "ntop.checkFilterSyntax").string(1, "filter"));
  lua_pushboolean(L, compiles(L, filter));
  return 1;
}

// checkSubInterfaceSyntax(filter) -> boolean: a sub-interface's filter (also BPF).
int checkSubInterfaceSyntax(lua_State* L) {
  const std::string filter(Args(L, "ntop.checkSubInterfaceSyntax").string(1, "filter"));
  lua_pushboolean(L, compiles(L, filter));
  return 1;
}

}  // namespace

const luaL_Reg kIps[] = {
    {"broadcastIPSMessage", broadcastIPSMessage},
    {"timeToRefreshIPSRules", timeToRefreshIPSRules},
    {"askToRefreshIPSRules", askToRefreshIPSRules},
    {"checkFilterSyntax", checkFilterSyntax},
    {"checkSubInterfaceSyntax", checkSubInterfaceSyntax},
    {nullptr, nullptr},
};

}  // namespace flowlens::lua::ntop
