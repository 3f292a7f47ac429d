// Spec section 22: ZMQ, over util::ZmqSubscriber. The subscription belongs to the run: it ends
// with zmq_disconnect() or with the run.

#include "lua/args.h"
#include "lua/registry.h"
#include "lua/state.h"
#include "util/zmq_subscriber.h"

namespace flowlens::lua::ntop {
namespace {

std::shared_ptr<void>& slot(lua_State* L) {
  static char kKey;  // its address names the slot (not const: never merged with another)
  return LuaState::from(L)->runResource(&kKey);
}

// zmq_connect(endpoint, topic): a new subscription, replacing the run's previous one.
int zmqConnect(lua_State* L) {
  constexpr const char* kFn = "ntop.zmq_connect";
  Args a(L, kFn);
  const std::string endpoint(a.string(1, "endpoint"));
  const std::string topic(a.optString(2, "topic").value_or(""));
  slot(L).reset();
  auto sub = util::ZmqSubscriber::connect(endpoint, topic);
  if (!sub) a.fail(sub.error());
  slot(L) = std::shared_ptr<util::ZmqSubscriber>(std::move(*sub));
  return 0;
}

int zmqDisconnect(lua_State* L) {
  slot(L).reset();
  return 0;
}

// zmq_receive([timeout_ms]) -> the next message's payload; nil when none came within the
// timeout (default: until the run's time limit). Raises without a subscription.
int zmqReceive(lua_State* L) {
  constexpr const char* kFn = "ntop.zmq_receive";
  Args a(L, kFn);
  auto* sub = static_cast<util::ZmqSubscriber*>(slot(L).get());
  if (!sub) a.fail("not connected (ntop.zmq_connect first)");
  LuaState* s = LuaState::from(L);
  auto left = s->context().timeLeft();
  if (auto ms = a.optInteger(1, "timeout_ms")) {
    left = std::min(left, std::chrono::milliseconds(std::max<int64_t>(0, *ms)));
  }
  // Wait in slices, so that shutdown ends the wait too.
  const auto deadline = std::chrono::steady_clock::now() + left;
  for (;;) {
    const auto now = std::chrono::steady_clock::now();
    const auto slice = std::min(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now),
                                std::chrono::milliseconds(200));
    auto msg = sub->receive(std::max(slice, std::chrono::milliseconds(0)));
    if (!msg) a.fail(msg.error());
    if (*msg) {
      pushString(L, **msg);
      return 1;
    }
    if (s->deadlinePassed()) return s->stopRun(L);
    if (std::chrono::steady_clock::now() >= deadline) break;
  }
  lua_pushnil(L);
  return 1;
}

}  // namespace

const luaL_Reg kZmq[] = {
    {"zmq_connect", zmqConnect},
    {"zmq_disconnect", zmqDisconnect},
    {"zmq_receive", zmqReceive},
    {nullptr, nullptr},
};

}  // namespace flowlens::lua::ntop
