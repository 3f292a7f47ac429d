#pragma once
// What a running script can reach. Services are process-wide and outlive every Lua state;
// a ScriptContext lives for one script run (one HTTP request, or one test/CLI run).

#include <atomic>
#include <chrono>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/dirs.h"
#include "core/options.h"
#include "core/system_stats.h"
#include "host/local_networks.h"
#include "iface/registry.h"
#include "util/exec.h"

namespace flowlens::dpi {
class DpiCatalog;
class CustomCategories;
}  // namespace flowlens::dpi
namespace flowlens::store {
class CacheService;
class ValueCache;
class SamplingStore;
}  // namespace flowlens::store
namespace flowlens::enrich {
class Enrichment;
}  // namespace flowlens::enrich
namespace flowlens::host {
class HostPools;
}  // namespace flowlens::host
namespace flowlens::alerts {
class RecipientQueues;
class AlertStore;
class AlertEngine;
}  // namespace flowlens::alerts
namespace flowlens::util {
class ZmqPublisher;
}  // namespace flowlens::util
namespace flowlens::auth {
class UserService;
class SessionService;
}  // namespace flowlens::auth

namespace flowlens::lua {

class StatePool;

// Process-wide services the bindings call. Thread-safe (each member documents itself).
struct Services {
  const Options* options = nullptr;
  const Dirs* dirs = nullptr;
  InterfaceRegistry* interfaces = nullptr;
  LocalNetworks* local_networks = nullptr;  // section 9; lookups from packet threads too
  dpi::DpiCatalog* dpi = nullptr;           // section 17 and interface.getnDPI*
  dpi::CustomCategories* custom_categories = nullptr;  // sections 17 and 30
  enrich::Enrichment* enrichment = nullptr;  // sections 10 and 25: names, GeoIP, MAC vendors
  host::HostPools* host_pools = nullptr;     // section 33: reloadHostPools
  CpuLoad* cpu = nullptr;
  util::CommandRunner* commands = nullptr;
  store::CacheService* cache = nullptr;     // sections 5 and 6
  store::ValueCache* lua_cache = nullptr;   // section 32
  store::SamplingStore* samplings = nullptr;  // section 13
  alerts::RecipientQueues* recipients = nullptr;  // section 16
  alerts::AlertStore* alert_store = nullptr;      // section 15 (null: --disable-alerts)
  alerts::AlertEngine* alert_engine = nullptr;
  auth::UserService* users = nullptr;       // sections 7 and 8
  auth::SessionService* sessions = nullptr;
  const StatePool* lua_states = nullptr;    // the HTTP workers' states (null outside the daemon)
  bool gui_access_restricted = false;       // an ACL, or listeners bound to given addresses
  time_t startup_epoch = 0;
  std::atomic<bool> shutting_down{false};
  // Alert counters: alerts_written counts flow alerts stored; alerts_dropped, notifications
  // a recipient queue refused (full or too large) and alerts the store could not take.
  std::atomic<uint64_t> alerts_written{0}, alerts_dropped{0};
  std::atomic<uint64_t> ts_write_drops{0};  // ntop.rrd_inc_num_drops()
  bool https_enabled = false;
  std::atomic<bool> offline{false};  // ntop.setOffline()/setOnline(); --offline forces it
  // Section 21: --zmq-publish-events (null: none, or its bind failed); the IPS rules' flag.
  util::ZmqPublisher* events = nullptr;
  std::atomic<bool> refresh_ips_rules{false};
};

using Params = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method = "GET";
  std::string path;          // decoded request path, e.g. /lua/rest/v2/get/x.lua
  std::string query;         // raw query string
  std::string remote_addr;
  Params get, post;          // decoded parameters, in order
  // _SESSION
  std::string user = "admin";
  std::string group = "administrator";
  std::string csrf;
  std::string session_id;
  bool localuser = true;
  std::string allowed_ifname;  // the user's restrictions ("" = none)
  std::string allowed_nets;

  bool mayUseInterface(const std::string& ifname) const {
    return allowed_ifname.empty() || allowed_ifname == ifname;
  }
};

struct Response {
  int status = 200;
  std::string content_type = "text/html; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// A response sent while its script runs (interface.liveCapture streams a pcap): the first write
// sends the status and headers set so far and what the script printed; later writes go out as
// they come. The HTTP server provides one; elsewhere there is none.
class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  // False once the client is gone (a write failed): the caller should stop.
  virtual bool write(std::string_view bytes) = 0;
};

struct ScriptContext {
  Services* services = nullptr;
  Request* request = nullptr;    // null outside HTTP
  Response* response = nullptr;  // null: print() goes to the log
  ResponseStream* stream = nullptr;  // null: the response goes whole, after the run
  std::string script_path;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  int selected_ifid = -1;        // interface.select(); -1: the first the user may see
  bool lowered_priority = false;
  bool gained_write_caps = false;  // ntop.gainWriteCapabilities(): the HTTP layer drops them

  bool isAdministrator() const { return request == nullptr || request->group == "administrator"; }
  // Whether the run may act on `user`'s account: its own, or anyone's for an administrator.
  bool mayActFor(std::string_view user) const { return isAdministrator() || userName() == user; }
  // The user the run acts for ("admin" outside HTTP).
  const std::string& userName() const {
    static const std::string kAdmin = "admin";
    return request ? request->user : kAdmin;
  }
  // How long a call may wait: `seconds` when given and positive (at most `max_s`), else
  // `default_s`; never past the run's time limit (which then ends the run), and at least
  // `floor`.
  std::chrono::milliseconds waitFor(std::optional<int64_t> seconds, int64_t default_s,
                                    int64_t max_s,
                                    std::chrono::milliseconds floor = std::chrono::milliseconds(1)) const {
    const int64_t s = seconds && *seconds > 0 ? std::min(*seconds, max_s) : default_s;
    return std::max(floor, std::min<std::chrono::milliseconds>(std::chrono::seconds(s), timeLeft()));
  }
  std::chrono::milliseconds timeLeft() const {
    if (deadline == std::chrono::steady_clock::time_point::max()) return std::chrono::hours(24);
    return std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
  }
};

}  // namespace flowlens::lua
