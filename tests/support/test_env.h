#pragma once
// A complete set of services for tests, as the daemon builds them: a temporary data
// directory (removed on destruction), the repository's scripts, interface "lo", and the store:
// the embedded one in the data directory, or Redis when options.redis is set.

#include <memory>
#include <string>

#include "core/dirs.h"
#include "core/options.h"
#include "core/system_stats.h"
#include "dpi/custom_categories.h"
#include "dpi/dpi_engine.h"
#include "enrich/enrichment.h"
#include "host/host_pools.h"
#include "iface/registry.h"
#include "lua/context.h"
#include "lua/state.h"
#include "auth/sessions.h"
#include "auth/users.h"
#include "store/cache_service.h"
#include "alerts/alert_engine.h"
#include "alerts/alert_store.h"
#include "alerts/recipient_queues.h"
#include "store/sampling_store.h"
#include "store/value_cache.h"
#include "util/exec.h"
#include "util/zmq_publisher.h"

namespace flowlens::testing {

// Options that monitor one capture of tests/data/pcap (read to its end by TestEnv).
inline Options withCapture(const std::string& file) {
  Options o;
  o.interfaces = {"tests/data/pcap/" + file};
  return o;
}

class TestEnv {
 public:
  explicit TestEnv(Options options = {});
  ~TestEnv();

  lua::Services& services() { return services_; }
  store::CacheService& cache() { return *cache_; }
  auth::UserService& users() { return *users_; }
  auth::SessionService& sessions() { return *sessions_; }
  Options& options() { return options_; }
  enrich::Enrichment& enrichment() { return *enrichment_; }
  const Dirs& dirs() const { return dirs_; }
  lua::EngineConfig engineConfig() const;
  // A new state, or a test failure.
  std::unique_ptr<lua::LuaState> newState();

 private:
  void readCaptureFiles();

  Options options_;
  Dirs dirs_;
  std::unique_ptr<enrich::Enrichment> enrichment_;  // outlives the interfaces (hosts point into it)
  host::HostPools host_pools_;  // outlives the interfaces (their hooks assign pools)
  std::unique_ptr<InterfaceRegistry> interfaces_;
  std::unique_ptr<LocalNetworks> local_networks_;
  std::unique_ptr<dpi::DpiCatalog> dpi_catalog_;
  dpi::CustomCategories custom_categories_;
  CpuLoad cpu_;
  util::CommandRunner commands_;
  std::unique_ptr<store::CacheService> cache_;
  store::ValueCache lua_cache_;
  std::unique_ptr<store::SamplingStore> samplings_;  // section 13
  std::unique_ptr<util::ZmqPublisher> events_;       // section 21: --zmq-publish-events
  alerts::RecipientQueues recipients_;               // section 16
  // Section 15: after the interfaces and queues it reads and feeds (destroyed before them).
  std::unique_ptr<alerts::AlertStore> alert_store_;
  std::unique_ptr<alerts::AlertEngine> alert_engine_;
  std::unique_ptr<auth::UserService> users_;
  std::unique_ptr<auth::SessionService> sessions_;
  lua::Services services_;
};

// Runs `code` in `state` with a fresh HTTP-less context and returns the Status.
Status runLua(lua::LuaState& state, const std::string& code, lua::Response* response = nullptr);

}  // namespace flowlens::testing
