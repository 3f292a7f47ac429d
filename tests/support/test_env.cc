#include "test_env.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "core/build_info.h"
#include "store/open_store.h"

namespace flowlens::testing {

// Capture-file interfaces are read to their end before the test runs (nothing expires), so a
// test sees every flow and host of the file.
void TestEnv::readCaptureFiles() {
  const HostHooks hooks = enrichment_->hostHooks(local_networks_.get(), &host_pools_);
  for (const auto& i : interfaces_->all()) {
    if (i->kind() != NetworkInterface::Kind::kPcapFile) continue;
    EngineConfig c;
    c.source.name = i->name();
    c.source.file = true;
    c.packet_threads = options_.packet_threads;
    c.limits.max_flows = options_.max_num_flows;
    c.limits.max_hosts = options_.max_num_hosts;
    c.limits.flow_idle_us = c.limits.flow_lifetime_us = c.limits.host_idle_us =
        c.limits.dpi_idle_us = UINT64_MAX / 4;  // never: captures span decades
    c.dpi.custom = &custom_categories_;
    c.dpi.protocols_file = options_.ndpi_protocols_file;
    const Status st = i->attach(c, hooks);
    if (!st) {
      std::fprintf(stderr, "TestEnv: %s\n", st.error().c_str());
      std::abort();
    }
    i->start();
    while (!i->engine()->finished()) usleep(1000);
  }
}

TestEnv::TestEnv(Options options) : options_(std::move(options)) {
  char tmpl[] = "/tmp/flowlens-test-XXXXXX";
  options_.data_dir = mkdtemp(tmpl);
  options_.install_dir = build::kSourceDir;
  if (options_.interfaces.empty()) options_.interfaces = {"lo"};
  // Files named relative to the source tree ("tests/data/pcap/x.pcap").
  if (!options_.ndpi_protocols_file.empty() &&
      !std::filesystem::exists(options_.ndpi_protocols_file)) {
    options_.ndpi_protocols_file =
        std::string(build::kSourceDir) + "/" + options_.ndpi_protocols_file;
  }
  for (std::string& name : options_.interfaces) {
    const std::string in_source = std::string(build::kSourceDir) + "/" + name;
    if (!std::filesystem::exists(name) && std::filesystem::exists(in_source)) name = in_source;
  }
  auto dirs = resolveDirs(options_);
  if (!dirs) {
    std::fprintf(stderr, "TestEnv: %s\n", dirs.error().c_str());
    std::abort();
  }
  dirs_ = *dirs;
  auto reg = InterfaceRegistry::create(options_.interfaces);
  if (!reg) {
    std::fprintf(stderr, "TestEnv: %s\n", reg.error().c_str());
    std::abort();
  }
  interfaces_ = std::make_unique<InterfaceRegistry>(std::move(*reg));
  local_networks_ =
      std::make_unique<LocalNetworks>(options_.local_networks, options_.local_network_aliases);
  services_.options = &options_;
  services_.dirs = &dirs_;
  services_.interfaces = interfaces_.get();
  services_.local_networks = local_networks_.get();
  auto catalog = dpi::DpiCatalog::create({options_.ndpi_protocols_file, nullptr});
  if (catalog) dpi_catalog_ = std::move(*catalog);
  services_.dpi = dpi_catalog_.get();
  services_.custom_categories = &custom_categories_;
  // Databases named relative to the source tree ("tests/data/geoip").
  for (std::string* dir : {&options_.geoip_dir, &options_.mac_vendors_dir}) {
    if (!dir->empty() && !std::filesystem::exists(*dir)) {
      *dir = std::string(build::kSourceDir) + "/" + *dir;
    }
  }
  // Hermetic: no lookup reaches the machine's DNS servers unless a test names its own.
  if (options_.dns_servers.empty()) options_.dns_servers = "127.0.0.1:9";
  auto enrichment = enrich::Enrichment::create(options_, dirs_);
  if (!enrichment) {
    std::fprintf(stderr, "TestEnv: %s\n", enrichment.error().c_str());
    std::abort();
  }
  enrichment_ = std::move(*enrichment);
  services_.enrichment = enrichment_.get();
  readCaptureFiles();
  services_.cpu = &cpu_;
  services_.commands = &commands_;
  services_.startup_epoch = std::time(nullptr);
  auto kv = store::openStore(options_, dirs_.workingdir);
  if (!kv) {
    std::fprintf(stderr, "TestEnv: %s\n", kv.error().c_str());
    std::abort();
  }
  cache_ = std::make_unique<store::CacheService>(std::move(kv.value()));
  services_.cache = cache_.get();
  services_.host_pools = &host_pools_;
  services_.lua_cache = &lua_cache_;
  samplings_ = std::make_unique<store::SamplingStore>(dirs_.workingdir);
  services_.samplings = samplings_.get();
  services_.recipients = &recipients_;
  if (!options_.zmq_publish_events.empty()) {
    // "%DATA_DIR%": this run's own directory (ntop.getDirs().workingdir), so runs never share
    // an ipc:// endpoint.
    std::string& endpoint = options_.zmq_publish_events;
    if (size_t at = endpoint.find("%DATA_DIR%"); at != std::string::npos) {
      endpoint.replace(at, 10, dirs_.workingdir);
    }
    auto p = util::ZmqPublisher::bind(endpoint);
    if (!p) {
      std::fprintf(stderr, "TestEnv: %s\n", p.error().c_str());
      std::abort();
    }
    events_ = std::move(*p);
    services_.events = events_.get();
  }
  // The alert engine is made but not started: tests run its passes (checkOnce) themselves.
  if (auto store = alerts::AlertStore::open(dirs_.workingdir)) alert_store_ = std::move(*store);
  alert_engine_ = std::make_unique<alerts::AlertEngine>(
      interfaces_.get(), alert_store_.get(), &recipients_,
      alerts::AlertCounters{&services_.alerts_written, &services_.alerts_dropped});
  services_.alert_store = alert_store_.get();
  services_.alert_engine = alert_engine_.get();
  enrichment_->attachStore(cache_.get());
  enrichment_->start();
  users_ = std::make_unique<auth::UserService>(cache_->store());
  sessions_ = std::make_unique<auth::SessionService>(cache_->store(), *users_,
                                                     std::chrono::seconds(3600));
  if (Status st = users_->ensureAdmin(std::nullopt); !st) {
    std::fprintf(stderr, "TestEnv: %s\n", st.error().c_str());
    std::abort();
  }
  services_.users = users_.get();
  services_.sessions = sessions_.get();
  services_.gui_access_restricted = guiAccessRestricted(options_);
}

TestEnv::~TestEnv() {
  enrichment_->stop();  // its thread writes names to the store
  sessions_.reset();
  users_.reset();
  cache_.reset();
  std::error_code ec;
  std::filesystem::remove_all(options_.data_dir, ec);
}

lua::EngineConfig TestEnv::engineConfig() const {
  lua::EngineConfig c;
  c.modules_dir = dirs_.scriptdir + "/lua/modules";
  c.memory_limit_bytes = static_cast<size_t>(options_.lua_memory_mb) << 20;
  return c;
}

std::unique_ptr<lua::LuaState> TestEnv::newState() {
  auto s = lua::LuaState::create(&services_, engineConfig());
  if (!s) {
    std::fprintf(stderr, "TestEnv: %s\n", s.error().c_str());
    std::abort();
  }
  return std::move(s.value());
}

Status runLua(lua::LuaState& state, const std::string& code, lua::Response* response) {
  lua::ScriptContext ctx;
  ctx.services = &state.services();
  ctx.response = response;
  return state.runString(code, "test", ctx);
}

}  // namespace flowlens::testing
