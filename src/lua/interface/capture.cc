// interface.* for ntopng's live capture (a pcap of an interface's live traffic, streamed to the
// HTTP client): liveCapture, stopLiveCapture, dumpLiveCaptures. The packets come from the packet
// threads through iface/live_capture.h; the stream is the HTTP server's (lua::ResponseStream).

#include <algorithm>
#include <cmath>
#include <ctime>
#include <map>
#include <mutex>
#include <string>

#include "auth/users.h"
#include "core/log.h"
#include "iface/live_capture.h"
#include "iface/packet_engine.h"
#include "iface/queries.h"
#include "lua/args.h"
#include "lua/interface/common.h"
#include "lua/registry.h"
#include "lua/state.h"

namespace flowlens::lua::iface {
namespace {

constexpr uint64_t kMaxPackets = 100000;  // ntopng's CONST_MAX_NUM_PACKETS_PER_LIVE
constexpr int64_t kMaxSeconds = 3600;
constexpr auto kPoll = std::chrono::milliseconds(50);

// ntopng's Ntop::isPcapDownloadAllowed: an administrator, or a user given the right
// (ntop.changePcapDownloadPermission) on an interface the user may see (selected() already
// keeps to that one).
bool pcapDownloadAllowed(lua_State* L) {
  ScriptContext& c = LuaState::from(L)->context();
  if (c.isAdministrator()) return true;
  auth::UserService* users = LuaState::from(L)->services().users;
  if (users == nullptr) return false;
  auto u = users->get(c.userName());
  return u && *u && (*u)->allow_pcap;
}

// Live captures across the process. Each holds an HTTP worker and a Lua state while it runs:
// at most 4 in all (fewer when there are few Lua states, so that pages and REST calls still
// get one), one at a time for a user who is not an administrator.
class Slots {
 public:
  // False when the capture may not start now.
  bool take(const std::string& user, bool admin, size_t lua_states) {
    const size_t most = std::min<size_t>(LiveCaptures::kMaxCaptures,
                                         lua_states > 3 ? lua_states - 2 : 1);
    std::lock_guard g(mutex_);
    if (total_ >= most || (!admin && by_user_[user] >= 1)) return false;
    ++total_;
    ++by_user_[user];
    return true;
  }
  void give(const std::string& user) {
    std::lock_guard g(mutex_);
    --total_;
    if (--by_user_[user] == 0) by_user_.erase(user);
  }

 private:
  std::mutex mutex_;
  size_t total_ = 0;
  std::map<std::string, size_t> by_user_;
};

Slots& slots() {
  static Slots s;
  return s;
}

// ntopng's Ntop::preparePcapDownloadFilter keeps a user to the allowed networks: the networks
// the capture must keep to, empty for all (none set, or only 0.0.0.0/0 and ::/0). nullopt when
// none of the user's networks parses: the user may capture nothing.
std::optional<std::vector<util::IpPrefix>> captureNetworks(lua_State* L) {
  std::vector<util::IpPrefix> nets = allowedNetworks(L);
  bool all = true;
  for (const util::IpPrefix& p : nets) {
    if (p.bits > (p.network.v6 ? 128 : 32)) return std::nullopt;  // allowedNetworks' "none"
    all = all && p.bits == 0;
  }
  if (all) nets.clear();
  return nets;
}

// Sends `bytes` on: to the client while the script runs, or (no stream: tests, the CLI) into
// the response's body.
bool deliver(ScriptContext& c, const std::string& bytes) {
  if (bytes.empty()) return true;
  if (c.stream != nullptr) return c.stream->write(bytes);
  if (c.response != nullptr) {
    c.response->body += bytes;
    return true;
  }
  return false;
}

// liveCapture([host], duration, bpf) -> nil once the capture ended, after streaming a pcap file
// of the selected interface's packets: those of `host` ("ip[@vlan]"; nil or "" for any) that
// `bpf` ("" for any) matches, for `duration` seconds or up to 100,000 packets, whichever comes
// first, or until stopLiveCapture or the client goes away. nil and an error, with nothing sent,
// when it cannot start: not allowed, unknown host, bad filter, or 4 captures running.
int liveCapture(lua_State* L) {
  constexpr const char* fn = "interface.liveCapture";
  Args a(L, fn);
  const std::string host_text(a.optString(1, "host").value_or(""));
  const double duration = a.number(2, "duration");
  const std::string bpf(a.string(3, "bpf"));
  const auto fail = [&](const std::string& why) { return nothingOrNilAndError(L, fn, Error{why}); };
  ScriptContext& c = LuaState::from(L)->context();
  if (!pcapDownloadAllowed(L)) return fail("pcap download not allowed for this user");
  const NetworkInterface* i = selected(L);
  const PacketEngine* e = selectedEngine(L);
  if (e == nullptr) return fail("no interface");
  if (c.stream == nullptr && c.response == nullptr) return fail("no HTTP response to stream to");

  LiveCaptureSpec spec;
  if (!host_text.empty()) {
    util::IpAddress ip;
    std::optional<uint16_t> vlan;
    if (!parseHostKey(host_text, &ip, &vlan)) return fail("not a host: '" + host_text + "'");
    const auto h = findHost(*e, ip, vlan.value_or(0));
    if (!h || !inAllowed(allowedNetworks(L), h->ip)) {
      return fail("host not found: '" + host_text + "'");
    }
    spec.host = h->ip;
    spec.vlan = h->vlan;
  }
  const int64_t seconds =
      std::isfinite(duration) ? std::clamp<int64_t>(int64_t(duration), 0, kMaxSeconds) : 0;
  auto nets = captureNetworks(L);
  if (!nets) return fail("pcap download not allowed: the user may see no network");
  spec.allowed = std::move(*nets);
  spec.bpf = bpf;
  spec.max_packets = kMaxPackets;
  spec.until_epoch = int64_t(time(nullptr)) + seconds;
  spec.user = c.userName();
  const std::string user = c.userName();
  const Options* options = LuaState::from(L)->services().options;
  if (!slots().take(user, c.isAdministrator(), options ? size_t(options->lua_states) : 8)) {
    return fail("too many live captures (4 at most, 1 a user)");
  }
  struct Slot {
    std::string user;
    ~Slot() { slots().give(user); }
  } slot{user};
  std::shared_ptr<LiveCaptures> captures = e->liveCaptureRegistry();
  auto started = captures->start(std::move(spec));
  if (!started) return fail(started.error());
  const std::shared_ptr<LiveCapture> capture = *started;

  // The run may last the capture, and then as long as it was given to finish.
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  if (c.deadline != std::chrono::steady_clock::time_point::max()) {
    c.deadline = std::max(c.deadline, end + std::chrono::seconds(10));
  }
  log::info("{}: live capture {} of {} for {} s (filter '{}') by '{}'", i->name(), capture->id(),
            host_text.empty() ? "every host" : host_text, seconds, capture->spec().bpf,
            c.userName());
  Services& services = LuaState::from(L)->services();
  std::string chunk;
  bool client_gone = false;
  for (;;) {
    capture->waitFor(kPoll);
    const bool last = capture->ended() || std::chrono::steady_clock::now() >= end ||
                      services.shutting_down.load(std::memory_order_relaxed);
    if (last) capture->stop();  // (the packets taken below are then all there will be)
    capture->take(&chunk);
    if (!deliver(c, chunk)) {
      client_gone = true;
      break;
    }
    if (last) break;
  }
  captures->remove(capture);
  log::info("{}: live capture {} ended{}: {} packets, {} not kept (client too slow)", i->name(),
            capture->id(), client_gone ? " (client gone)" : "", capture->packets(),
            capture->dropped());
  lua_pushnil(L);
  return 1;
}

// stopLiveCapture(id) -> nil. Administrators only (ntopng's rule).
int stopLiveCapture(lua_State* L) {
  constexpr const char* fn = "interface.stopLiveCapture";
  const int64_t id = Args(L, fn).integer(1, "capture_id");
  if (!LuaState::from(L)->context().isAdministrator()) {
    return failWithNil(L, fn, "administrators only");
  }
  const PacketEngine* e = selectedEngine(L);
  if (e != nullptr && id > 0 && id <= INT32_MAX) e->liveCaptureRegistry()->stop(int(id));
  lua_pushnil(L);
  return 1;
}

// dumpLiveCaptures() -> array of {id, capture_until, capture_max_pkts, num_captured_packets
// [, host]} of the captures running on the selected interface. Administrators only.
int dumpLiveCaptures(lua_State* L) {
  constexpr const char* fn = "interface.dumpLiveCaptures";
  if (!LuaState::from(L)->context().isAdministrator()) {
    return failWithNil(L, fn, "administrators only");
  }
  const PacketEngine* e = selectedEngine(L);
  lua_newtable(L);
  if (e == nullptr) return 1;
  lua_Integer n = 0;
  for (const auto& capture : e->liveCaptureRegistry()->list()) {
    const LiveCaptureSpec& s = capture->spec();
    lua_createtable(L, 0, 5);
    setField(L, "id", int64_t{capture->id()});
    setField(L, "capture_until", s.until_epoch);
    setField(L, "capture_max_pkts", int64_t(s.max_packets));
    setField(L, "num_captured_packets", int64_t(capture->packets()));
    if (s.host) setField(L, "host", s.host->toString());
    lua_rawseti(L, -2, ++n);
  }
  return 1;
}

}  // namespace

const luaL_Reg kCapture[] = {
    {"liveCapture", liveCapture},
    {"stopLiveCapture", stopLiveCapture},
    {"dumpLiveCaptures", dumpLiveCaptures},
    {nullptr, nullptr},
};

}  // namespace flowlens::lua::iface
