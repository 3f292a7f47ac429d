#include "daemon.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <unistd.h>
#include <filesystem>
#include <thread>

#include "core/cpu_affinity.h"
#include "core/log.h"
#include "core/privileges.h"
#include "core/process.h"
#include "http/tls_cert.h"
#include "util/fs.h"
#include "store/open_store.h"

namespace flowlens {

Daemon::Daemon(Options options, int argc, const char* const* argv)
    : options_(std::move(options)), argc_(argc), argv_(argv) {}

Daemon::~Daemon() {
  server_.reset();
  pool_.reset();
  if (enrichment_) enrichment_->stop();  // its thread writes names to the store
  cache_.reset();
}

// Users, sessions and the authenticator; admin/admin (or --admin-password-file) on first start.
Status Daemon::setUpUsers() {
  users_ = std::make_unique<auth::UserService>(cache_->store());
  sessions_ = std::make_unique<auth::SessionService>(
      cache_->store(), *users_, std::chrono::seconds(options_.session_duration_s));
  auth_ = std::make_unique<auth::Authenticator>(options_, *users_, *sessions_);
  std::optional<std::string> password;
  if (!options_.admin_password_file.empty()) {
    auto text = util::fs::readFile(options_.admin_password_file, 4096);
    if (!text) return Error{"--admin-password-file: " + text.error()};
    std::string pw = text->substr(0, text->find_first_of("\r\n"));
    if (pw.empty()) return Error{"--admin-password-file: the first line is empty"};
    password = pw;
  }
  if (Status st = users_->ensureAdmin(password); !st) return Error{"users: " + st.error()};
  services_.users = users_.get();
  services_.sessions = sessions_.get();
  services_.gui_access_restricted = guiAccessRestricted(options_);
  if (options_.disable_login >= 0) {
    log::warning("Logins are disabled{}: every request acts as the administrator",
                 options_.disable_login == 0 ? " for localhost" : "");
  }
  return Status::Ok();
}

// Redis when -r names one, else the embedded store in the data directory.
Status Daemon::openStore() {
  auto kv = store::openStore(options_, dirs_.workingdir);
  if (!kv) return Error{kv.error()};
  cache_ = std::make_unique<store::CacheService>(std::move(kv.value()));
  const store::StoreInfo info = cache_->store().info();
  log::normal("Key-value store: {} ({})", info.backend, info.location);
  return Status::Ok();
}

Status Daemon::setUp() {
  auto dirs = resolveDirs(options_);
  if (!dirs) return Error{dirs.error()};
  dirs_ = *dirs;

  if (options_.interfaces.empty()) options_.interfaces.push_back(defaultInterfaceName());
  auto registry = InterfaceRegistry::create(options_.interfaces);
  if (!registry) return Error{registry.error()};
  interfaces_ = std::make_unique<InterfaceRegistry>(std::move(*registry));
  local_networks_ =
      std::make_unique<LocalNetworks>(options_.local_networks, options_.local_network_aliases);
  auto enrichment = enrich::Enrichment::create(options_, dirs_);
  if (!enrichment) return Error{enrichment.error()};
  enrichment_ = std::move(*enrichment);
  // Capture sources open now, while flowlens may still need root to open them; their threads
  // start after the privilege drop.
  if (Status st = attachInterfaces(); !st) return st;
  // Before any thread starts (the store's flusher, civetweb's workers): they inherit the
  // reduced credentials and the capabilities kept.
  if (Status st = dropPrivileges(); !st) return st;

  services_.options = &options_;
  services_.dirs = &dirs_;
  services_.interfaces = interfaces_.get();
  services_.local_networks = local_networks_.get();
  services_.dpi = dpi_catalog_.get();
  services_.custom_categories = &custom_categories_;
  services_.enrichment = enrichment_.get();
  services_.host_pools = &host_pools_;
  services_.cpu = &cpu_;
  services_.commands = &commands_;
  services_.startup_epoch = std::time(nullptr);
  cpu_.refresh();
  if (Status st = openStore(); !st) return st;
  // ntopng's host pools as the store holds them, before the first packet makes a host.
  if (Status st = host_pools_.reload(cache_->store()); !st) log::warning("{}", st.error());
  services_.cache = cache_.get();
  services_.lua_cache = &lua_cache_;
  samplings_ = std::make_unique<store::SamplingStore>(dirs_.workingdir);
  services_.samplings = samplings_.get();
  services_.recipients = &recipients_;
  if (!options_.zmq_publish_events.empty()) {  // as ntopng: a failed bind is logged, not fatal
    if (auto p = util::ZmqPublisher::bind(options_.zmq_publish_events)) {
      events_ = std::move(*p);
      services_.events = events_.get();
      log::normal("Publishing events (IPS messages) on {}", options_.zmq_publish_events);
    } else {
      log::error("--zmq-publish-events: {}", p.error());
    }
  }
  if (!options_.disable_alerts) {
    if (auto store = alerts::AlertStore::open(dirs_.workingdir)) {
      alert_store_ = std::move(*store);
    } else {
      log::warning("alerts are raised but not stored: {}", store.error());
    }
    alert_engine_ = std::make_unique<alerts::AlertEngine>(
        interfaces_.get(), alert_store_.get(), &recipients_,
        alerts::AlertCounters{&services_.alerts_written, &services_.alerts_dropped});
    services_.alert_store = alert_store_.get();
    services_.alert_engine = alert_engine_.get();
    // ntopng's checks configset and alert exclusions, as a previous run or a script left them.
    for (Status st : {alert_engine_->checks().reloadConfig(cache_->store()),
                      alert_engine_->checks().reloadExclusions(cache_->store()),
                      alert_engine_->checks().reloadServers(cache_->store())}) {
      if (!st) log::warning("alerts: {}", st.error());
    }
  }
  enrichment_->attachStore(cache_.get());
  enrichment_->start();
  if (Status st = setUpUsers(); !st) return st;

  lua::EngineConfig engine;
  engine.modules_dir = dirs_.scriptdir + "/lua/modules";
  engine.memory_limit_bytes = static_cast<size_t>(options_.lua_memory_mb) << 20;
  pool_ = std::make_unique<lua::StatePool>(&services_, engine,
                                           static_cast<size_t>(options_.lua_states));
  services_.lua_states = pool_.get();
  if (Status st = pool_->warm(std::min(2, options_.lua_states)); !st) {
    return Error{"Lua runtime: " + st.error()};
  }

  http::ServerConfig http;
  if (options_.http.enabled()) http.listening_ports = options_.http.civetwebSpec(false);
  if (options_.https.enabled()) {
    // httpdocs/ssl/ntopng-cert.pem as ntopng has it, else <data dir>/ssl/flowlens-cert.pem,
    // generated (self-signed) on first start.
    std::string cert = dirs_.httpdocsdir + "/ssl/ntopng-cert.pem";
    if (!std::filesystem::exists(cert)) {
      char host[256] = {0};
      gethostname(host, sizeof(host) - 1);
      auto generated = http::ensureCertificate(dirs_.workingdir, host);
      if (!generated) return Error{"HTTPS: " + generated.error()};
      cert = *generated;
    }
    if (!http.listening_ports.empty()) http.listening_ports += ",";
    http.listening_ports += options_.https.civetwebSpec(true);
    http.ssl_certificate = cert;
    services_.https_enabled = true;
  }
  if (http.listening_ports.empty()) {
    log::warning("HTTP and HTTPS are both disabled: no web server");
    return Status::Ok();
  }
  http.threads = options_.http_threads;
  http.prefix = options_.http_prefix;
  http.max_body = options_.http_max_body;
  http.lua_timeout_ms = options_.lua_timeout_ms;
  http.lua_root = dirs_.scriptdir + "/lua";
  http.docs_root = dirs_.httpdocsdir;
  http.access_control_list = options_.http_acl;
  http.auth = auth_.get();
  http.users = users_.get();
  http.sessions = sessions_.get();
  server_ = std::make_unique<http::Server>(http, &services_, pool_.get());
  if (Status st = server_->start(); !st) return Error{"HTTP server: " + st.error()};
  log::normal("Web server listening on {} (scripts in {})", http.listening_ports, http.lua_root);
  return Status::Ok();
}

Status Daemon::attachInterfaces() {
  auto catalog = dpi::DpiCatalog::create({options_.ndpi_protocols_file, nullptr});
  if (!catalog) return Error{catalog.error()};
  dpi_catalog_ = std::move(*catalog);
  const HostHooks hooks = enrichment_->hostHooks(local_networks_.get(), &host_pools_);
  size_t next_core = 0;  // -g: the packet threads of all interfaces take its cores in turn
  const size_t packet_threads = packetThreadCount();
  if (!options_.core_affinity.empty() && options_.core_affinity.size() != packet_threads) {
    log::warning("--core-affinity lists {} cores for {} packet threads: {}",
                 options_.core_affinity.size(), packet_threads,
                 options_.core_affinity.size() < packet_threads
                     ? "some threads share a core"
                     : "the last cores are left unused");
  }
  for (const auto& i : interfaces_->all()) {
    EngineConfig c;
    c.source.name = i->name();
    c.source.file = i->kind() == NetworkInterface::Kind::kPcapFile;
    c.source.promiscuous = !options_.no_promiscuous;
    c.source.bpf_filter = options_.packet_filter;
    c.packet_threads = options_.packet_threads;
    for (int k = 0; k < options_.packet_threads && !options_.core_affinity.empty(); ++k) {
      c.cores.push_back(options_.core_affinity[next_core++ % options_.core_affinity.size()]);
    }
    c.original_speed = options_.original_speed;
    c.limits.max_flows = options_.max_num_flows;
    c.limits.max_hosts = options_.max_num_hosts;
    c.limits.flow_idle_us = uint64_t(options_.flow_idle_timeout_s) * 1000000u;
    c.limits.flow_lifetime_us = uint64_t(options_.flow_max_lifetime_s) * 1000000u;
    c.limits.host_idle_us = uint64_t(options_.host_idle_timeout_s) * 1000000u;
    c.dpi.protocols_file = options_.ndpi_protocols_file;
    c.dpi.custom = &custom_categories_;
    if (Status st = i->attach(c, hooks); !st) return st;
  }
  return Status::Ok();
}

// Logs what a capture file gave; true once every file interface is done (and there is one).
bool Daemon::allFilesDone() {
  bool any = false;
  for (const auto& i : interfaces_->all()) {
    PacketEngine* e = i->engine();
    if (e == nullptr || !e->isFile()) return false;
    if (!e->finished()) return false;
    any = true;
  }
  return any;
}

void Daemon::logCaptureSummary() {
  for (const auto& i : interfaces_->all()) {
    PacketEngine* e = i->engine();
    if (e == nullptr) continue;
    const EngineTotals t = i->totals();
    const double s = e->processingSeconds();
    log::normal("{}: end of capture: {} packets, {} bytes, {} flows, {} hosts, {} malformed in "
                "{:.3f} s ({:.0f} packets/s)",
                i->name(), t.packets, t.bytes, t.flows_created, t.hosts, t.malformed, s,
                s > 0 ? double(t.packets) / s : 0.0);
  }
}

// From here on, run as -U with only the capabilities flowlens needs (core/privileges.h). The data
// directory becomes that user's.
Status Daemon::dropPrivileges() {
  if (options_.dont_change_user || geteuid() != 0) return Status::Ok();
  const std::string user = options_.user.empty() ? privileges::defaultUser() : options_.user;
  if (Status st = privileges::dropTo(user, {dirs_.workingdir}); !st) return st;
  const std::string probe = dirs_.scriptdir + "/lua/modules/lua_utils.lua";
  if (access(probe.c_str(), R_OK) != 0) {
    return Error{"user '" + user + "' cannot read " + dirs_.scriptdir +
                 ": install flowlens where that user can read it, choose another user with -U, "
                 "or keep the starting user with --dont-change-user"};
  }
  log::normal("Running as user '{}'", user);
  return Status::Ok();
}

void Daemon::reload() {
  // What can change without a restart: the trace level (from the command line or config file).
  auto cmd = parseCommandLine(argc_, argv_);
  if (!cmd) {
    log::error("SIGHUP: configuration not reloaded: {}", cmd.error());
    return;
  }
  options_.verbose = cmd->options.verbose;
  log::setLevel(options_.verbose);
  log::normal("SIGHUP: configuration reloaded (trace level {})", log::levelName(options_.verbose));
}

size_t Daemon::packetThreadCount() const {
  return interfaces_->all().size() * size_t(options_.packet_threads);
}

// Memory faulted in ahead by a thread of its own, when a core is left for it: with every core a
// packet thread's, it would take their time (0.91x with two on two cores). Only the affinity
// masks count: a CPU quota (cgroup cpu.max) is not seen. Two spare blocks a packet thread (at
// most 16): one is refilled (~3 ms on a VM) while the other is used.
void Daemon::startMemoryReserve() {
  const std::vector<int>& other_cores = options_.other_core_affinity.empty()
                                            ? affinity::processCores()
                                            : options_.other_core_affinity;
  const size_t packet_threads = packetThreadCount();
  std::vector<int> spare_cores;  // where the reserve's thread may run without a packet thread
  if (options_.core_affinity.empty()) {
    if (packet_threads < other_cores.size()) spare_cores = other_cores;  // packet threads roam
  } else {
    const auto& g = options_.core_affinity;
    for (int c : other_cores) {
      if (std::find(g.begin(), g.end(), c) == g.end()) spare_cores.push_back(c);
    }
  }
  if (spare_cores.empty()) return;
  memory_reserve_ = std::make_unique<util::BlockReserve>(std::min<size_t>(2 * packet_threads, 16));
  // Binding is advice: refused, the thread runs where the process may.
  if (memory_reserve_->start([spare_cores] { (void)affinity::bindThisThread(spare_cores); })) {
    util::BlockReserve::install(memory_reserve_.get());
  } else {
    memory_reserve_.reset();
  }
}

void Daemon::logThreadStats() {
  for (const auto& i : interfaces_->all()) {
    const PacketEngine* e = i->engine();
    if (e == nullptr || !e->kernelFanout()) continue;
    std::string reads;
    for (uint64_t n : e->packetsReadPerThread()) {
      reads += (reads.empty() ? "" : ", ") + std::to_string(n);
    }
    log::normal("{}: packets read by each packet thread: {}", i->name(), reads);
  }
  if (memory_reserve_) {
    const auto r = memory_reserve_->stats();
    log::normal("Memory reserve: {} blocks of 2 MiB taken faulted in, {} times none was ready, "
                "{} times its lock was busy", r.taken, r.missed, r.busy);
  }
}

int Daemon::run() {
  if (options_.daemon) {
    if (Status st = process::daemonize(); !st) {
      log::error("{}", st.error());
      return 1;
    }
  }
  log::init({options_.verbose, options_.daemon || options_.syslog, "flowlens"});
  process::installSignalHandlers();
  if (!options_.pid_path.empty()) {
    if (Status st = process::writePidFile(options_.pid_path); !st) {
      log::error("{}", st.error());
      return 1;
    }
  }
  // Every thread started from here on inherits -y's cores; packet threads then bind to -g's.
  if (!options_.other_core_affinity.empty()) {
    if (Status st = affinity::bindThisThread(options_.other_core_affinity); !st) {
      log::error("--other-core-affinity: {}", st.error());
      process::removePidFile(options_.pid_path);
      return 1;
    }
  }
  if (Status st = setUp(); !st) {
    log::error("{}", st.error());
    process::removePidFile(options_.pid_path);
    return 1;
  }
  for (const auto& i : interfaces_->all()) {
    log::normal("Interface {} [ifid {}] ({})", i->name(), i->id(), i->typeName());
  }
  log::normal("flowlens started (data directory {})", dirs_.workingdir);

  startMemoryReserve();
  // Before the packet threads (it turns on their collection of expired risky flows), and on
  // the other threads' cores (-y), as every thread but the packet threads.
  if (alert_engine_) alert_engine_->start();
  // Without -g, packet threads run on any core, -y or not (as ntopng's): started from a main
  // thread bound to every core for the moment.
  const bool unbind = !options_.other_core_affinity.empty() && options_.core_affinity.empty();
  if (unbind) (void)affinity::bindThisThread(affinity::processCores());
  for (const auto& i : interfaces_->all()) i->start();
  if (unbind) (void)affinity::bindThisThread(options_.other_core_affinity);
  bool files_done = false;
  auto next_sample = std::chrono::steady_clock::now();
  while (!process::stopRequested()) {
    if (!files_done && allFilesDone()) {
      files_done = true;
      logCaptureSummary();
      if (options_.shutdown_when_done) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (process::takeReloadRequest()) reload();
    if (std::chrono::steady_clock::now() >= next_sample) {
      cpu_.refresh();
      for (const auto& i : interfaces_->all()) i->sampleThroughput();
      next_sample += std::chrono::seconds(1);
    }
  }
  log::normal("Shutting down");
  for (const auto& i : interfaces_->all()) i->stop();
  if (alert_engine_) {
    alert_engine_->stop();
    alert_engine_->checkOnce(std::time(nullptr));  // what the last second raised
  }
  logThreadStats();
  enrichment_->stop();  // the resolver thread writes names to the store: stop it first
  services_.shutting_down.store(true);  // running scripts stop at their next hook check
  if (server_ && !server_->stop(std::chrono::milliseconds(1000))) {
    // Idle keep-alive connections hold civetweb's workers up to 2 s more: do not wait for them,
    // and do not destroy what they might still touch. Make the store durable and leave.
    if (Status st = cache_->store().sync(); !st) log::error("store: {}", st.error());
    process::removePidFile(options_.pid_path);
    log::normal("flowlens stopped (idle HTTP connections dropped)");
    std::_Exit(0);
  }
  server_.reset();
  services_.lua_states = nullptr;
  pool_.reset();
  cache_.reset();  // the embedded store writes its last changes here
  process::removePidFile(options_.pid_path);
  log::normal("flowlens stopped");
  return 0;
}

}  // namespace flowlens
