#pragma once
// The flowlens daemon: builds the services from the options, starts the HTTP server on a pool
// of warm Lua states, and runs until SIGTERM/SIGINT. Owns everything it starts.

#include <memory>

#include "core/dirs.h"
#include "core/options.h"
#include "core/system_stats.h"
#include "dpi/custom_categories.h"
#include "dpi/dpi_engine.h"
#include "enrich/enrichment.h"
#include "host/host_pools.h"
#include "http/server.h"
#include "iface/registry.h"
#include "lua/context.h"
#include "lua/state_pool.h"
#include "auth/authenticator.h"
#include "auth/sessions.h"
#include "auth/users.h"
#include "store/cache_service.h"
#include "alerts/alert_engine.h"
#include "alerts/alert_store.h"
#include "alerts/recipient_queues.h"
#include "store/sampling_store.h"
#include "store/value_cache.h"
#include "util/block_reserve.h"
#include "util/exec.h"
#include "util/zmq_publisher.h"

namespace flowlens {

class Daemon {
 public:
  Daemon(Options options, int argc, const char* const* argv);
  ~Daemon();
  // Returns the process exit code.
  int run();

 private:
  Status setUp();
  Status openStore();
  Status setUpUsers();
  Status dropPrivileges();
  Status attachInterfaces();
  bool allFilesDone();
  void logCaptureSummary();
  size_t packetThreadCount() const;  // of every interface
  void startMemoryReserve();
  void logThreadStats();  // what the packet threads read, what the memory reserve gave
  void reload();

  Options options_;
  int argc_;
  const char* const* argv_;
  Dirs dirs_;
  // Huge blocks faulted in ahead for the packet threads' tables; declared before the enrichment
  // and the interfaces, so it outlives every thread that allocates from it.
  std::unique_ptr<util::BlockReserve> memory_reserve_;
  std::unique_ptr<enrich::Enrichment> enrichment_;  // outlives the interfaces (hosts point into it)
  std::unique_ptr<LocalNetworks> local_networks_;
  host::HostPools host_pools_;  // outlives the interfaces (their hooks assign pools)
  std::unique_ptr<dpi::DpiCatalog> dpi_catalog_;
  dpi::CustomCategories custom_categories_;
  // After what its packet threads read, so destroyed before it: a shard's destructor gives up
  // detection on its flows, which applies the custom categories.
  std::unique_ptr<InterfaceRegistry> interfaces_;
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
  std::unique_ptr<auth::Authenticator> auth_;
  lua::Services services_;
  std::unique_ptr<lua::StatePool> pool_;
  std::unique_ptr<http::Server> server_;
};

}  // namespace flowlens
