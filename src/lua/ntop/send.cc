// Spec section 24: UDP / TCP Send. send_udp_data and send_tcp_data return nil, as the spec
// says (ntopng's send_tcp_data returns a boolean: docs/compat.md); a failure is logged.
// tcpProbe answers a boolean. Hosts are address literals (util/net_send.h).

#include "lua/args.h"
#include "lua/registry.h"
#include "lua/state.h"
#include "util/net_send.h"

namespace flowlens::lua::ntop {
namespace {

constexpr int64_t kDefaultTimeoutS = 3;  // ntopng's tcpProbe default

uint16_t portArg(const Args& a, int arg) {
  const int64_t port = a.integer(arg, "port");
  if (port < 1 || port > 65535) a.fail("argument #" + std::to_string(arg) + " (port) must be 1-65535");
  return uint16_t(port);
}

// The wait a call may take: `timeout` seconds (default 3, at most 60), and never past the
// run's time limit (the limit then ends the run, as after ntop.msleep).
std::chrono::milliseconds timeoutArg(lua_State* L, const Args& a, int arg) {
  return LuaState::from(L)->context().waitFor(a.optInteger(arg, "timeout"), kDefaultTimeoutS, 60);
}

// send_udp_data(host, port, data)
int sendUdpData(lua_State* L) {
  constexpr const char* kFn = "ntop.send_udp_data";
  Args a(L, kFn);
  const std::string_view host = a.string(1, "host");
  const uint16_t port = portArg(a, 2);
  const std::string_view data = a.string(3, "data");
  if (Status st = util::sendUdp(host, port, data); !st.ok()) return failNothing(L, kFn, st.error());
  return 0;
}

// send_tcp_data(host, port, data [, timeout]): over a connection kept for the next send.
int sendTcpData(lua_State* L) {
  constexpr const char* kFn = "ntop.send_tcp_data";
  static util::TcpSender sender;  // the process's kept connections
  Args a(L, kFn);
  const std::string_view host = a.string(1, "host");
  const uint16_t port = portArg(a, 2);
  const std::string_view data = a.string(3, "data");
  const Status st = sender.send(host, port, data, timeoutArg(L, a, 4));
  if (LuaState* s = LuaState::from(L); s->deadlinePassed()) return s->stopRun(L);
  if (!st.ok()) return failNothing(L, kFn, st.error());
  return 0;
}

// tcpProbe(host, port [, timeout_s]) -> whether a connection is accepted (default 3 s).
int tcpProbe(lua_State* L) {
  constexpr const char* kFn = "ntop.tcpProbe";
  Args a(L, kFn);
  const std::string_view host = a.string(1, "host");
  const uint16_t port = portArg(a, 2);
  auto up = util::tcpProbe(host, port, timeoutArg(L, a, 3));
  if (LuaState* s = LuaState::from(L); s->deadlinePassed()) return s->stopRun(L);
  if (!up) return failWithNil(L, kFn, up.error());
  lua_pushboolean(L, *up);
  return 1;
}

}  // namespace

const luaL_Reg kSend[] = {
    {"send_udp_data", sendUdpData},
    {"send_tcp_data", sendTcpData},
    {"tcpProbe", tcpProbe},
    {nullptr, nullptr},
};

}  // namespace flowlens::lua::ntop
