#include "alerts/alert_engine.h"

#include <pthread.h>

#include <chrono>

#include "core/log.h"
#include "dpi/flow_alerts.h"
#include "iface/queries.h"
#include "iface/registry.h"

namespace flowlens::alerts {
namespace {

// What a pass copies of a flow with risks, under the shard's lock.
struct Risky {
  flow::FlowKey key;
  bool lo_is_client = true;
  uint32_t hash = 0, serial = 0;
  uint64_t risk = 0, first_seen_us = 0;
  uint16_t master = 0, app = 0, category = 0;
  std::shared_ptr<const flow::FlowText> text;
  bool dpi_done = false;
};

uint64_t flowId(int ifid, uint32_t hash, uint32_t serial) {
  // The serial is unique per packet thread; with the key's hash and the interface, unique
  // enough for an interface's flows at one time.
  return (uint64_t(uint32_t(ifid) * 2654435761u ^ hash) << 32) | serial;
}

Risky riskyOf(const flow::Flow& f) {
  return {f.key, f.lo_is_client, f.hash, f.serial, f.risk, f.first_seen_us,
          f.master_proto, f.app_proto, f.category, f.text, f.dpi_done};
}

}  // namespace

AlertEngine::AlertEngine(InterfaceRegistry* interfaces, AlertStore* store,
                         RecipientQueues* recipients, AlertCounters counters)
    : interfaces_(interfaces), store_(store), recipients_(recipients), counters_(counters) {}

AlertEngine::~AlertEngine() { stop(); }

void AlertEngine::start() {
  for (const auto& iface : interfaces_->all()) {
    if (iface->engine()) iface->engine()->collectExpiredRisky(true);
  }
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "flowlens-alerts");
    run();
  });
}

void AlertEngine::stop() {
  {
    std::lock_guard<std::mutex> lock(run_mu_);
    stopping_ = true;
  }
  run_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void AlertEngine::run() {
  std::unique_lock<std::mutex> lock(run_mu_);
  while (!run_cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; })) {
    lock.unlock();
    checkOnce(std::time(nullptr));
    lock.lock();
  }
}

size_t AlertEngine::checkOnce(time_t now, std::vector<FlowAlert>* out) {
  std::lock_guard<std::mutex> pass_lock(pass_mu_);
  ++pass_;
  std::vector<FlowAlert> raised;  // flushed every kBatch alerts: a pass's memory stays bounded
  size_t total = 0;
  const auto checks = checks_.snapshot();
  const uint8_t kinds = checks->activeServerKinds();  // dpi::serverCheckBit's bits
  // An alert of `type` for flow `r`, and its raising.
  auto alertOf = [now](int ifid, const Risky& r, const dpi::FlowAlertType& type) {
    const flow::Endpoint& cli = r.lo_is_client ? r.key.lo : r.key.hi;
    const flow::Endpoint& srv = r.lo_is_client ? r.key.hi : r.key.lo;
    FlowAlert a;
    a.ifid = ifid;
    a.alert_id = type.id;
    a.alert_key = std::string(type.key);
    a.risk = type.risk;
    a.score = type.score;
    a.severity = static_cast<int>(dpi::severityOfScore(type.score));
    a.category = static_cast<int>(type.category);
    a.tstamp = now;
    a.first_seen = static_cast<time_t>(r.first_seen_us / 1000000);
    a.cli_ip = addressOf(cli, r.key.ip_version).toString();
    a.srv_ip = addressOf(srv, r.key.ip_version).toString();
    a.cli_port = cli.port;
    a.srv_port = srv.port;
    a.vlan_id = r.key.vlan;
    a.proto = r.key.proto;
    a.ip_version = r.key.ip_version == 6 ? 6 : 4;
    a.l7_master_proto = r.master;
    a.l7_proto = r.app;
    a.l7_cat = r.category;
    if (r.text) a.info = r.text->server_name;
    return a;
  };
  auto raise = [&](FlowAlert a, uint64_t ns) {
    const int id = a.alert_id;
    if (out) out->push_back(a);
    raised.push_back(std::move(a));
    checks_.record(id, ns, true);
    ++total;
    if (raised.size() >= kBatch) flush(raised);
  };
  // The alerts for the risks of `r` not alerted yet, and its unexpected server. `gone`: its
  // last look (it expired).
  auto consider = [&](int ifid, const Risky& r, bool gone) {
    const uint64_t id = flowId(ifid, r.hash, r.serial);
    uint64_t alerted = 0;
    bool server_checked = false;
    Seen* seen = nullptr;
    if (gone) {
      if (auto it = seen_.find(id); it != seen_.end()) {
        alerted = it->second.alerted;
        server_checked = it->second.server_checked;
        seen_.erase(it);
      }
    } else {
      seen = &seen_[id];
      seen->pass = pass_;
      alerted = seen->alerted;
      server_checked = seen->server_checked;
    }
    const uint64_t fresh = r.risk & ~alerted;
    const flow::Endpoint& cli = r.lo_is_client ? r.key.lo : r.key.hi;
    const flow::Endpoint& srv = r.lo_is_client ? r.key.hi : r.key.lo;
    for (int bit = 1; bit < 64; ++bit) {
      if (!(fresh & (uint64_t{1} << bit))) continue;
      const auto type = dpi::flowAlertOfRisk(bit);
      if (!type) continue;
      // A disabled check's risk stays unalerted: enabled later, it alerts for a live flow.
      if (!checks->enabled(type->id)) continue;
      if (seen) seen->alerted |= uint64_t{1} << bit;
      const auto started = std::chrono::steady_clock::now();
      const auto elapsed_ns = [&started] {
        return uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(
                            std::chrono::steady_clock::now() - started)
                            .count());
      };
      if (checks->exclusions() != 0 &&
          checks->excluded(type->id, addressOf(cli, r.key.ip_version),
                           addressOf(srv, r.key.ip_version), r.key.vlan,
                           r.text ? std::string_view(r.text->server_name) : std::string_view())) {
        checks_.record(type->id, elapsed_ns(), false);
        continue;
      }
      FlowAlert a = alertOf(ifid, r, *type);
      a.risk = bit;
      raise(std::move(a), elapsed_ns());
    }
    // ntopng's unexpected-server checks: once a flow's application is known (or it ended), its
    // server against the configured ones. A check that is off leaves the flow unchecked: turned
    // on later, it still looks at the flows alive then.
    if (!(kinds & dpi::serverCheckBit(r.master, r.app)) || server_checked ||
        !(r.dpi_done || gone)) {
      return;
    }
    const util::IpAddress cli_ip = addressOf(cli, r.key.ip_version);
    const util::IpAddress srv_ip = addressOf(srv, r.key.ip_version);
    const auto under = serverUnderCheck(r.master, r.app, cli_ip, cli.port, srv_ip, srv.port);
    if (!under) return;
    const ServerCheck& check = serverChecks()[size_t(under->kind)];
    if (!checks->enabled(check.alert_id) || checks->servers().empty(under->kind)) return;
    if (seen) seen->server_checked = true;
    const auto started = std::chrono::steady_clock::now();
    const bool allowed = checks->servers().allowed(under->kind, under->address, r.key.vlan);
    const uint64_t ns = uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                     std::chrono::steady_clock::now() - started).count());
    const auto type = dpi::flowAlertType(check.alert_id);
    if (allowed || !type) {
      checks_.recordTime(check.alert_id, ns);
      return;
    }
    if (checks->exclusions() != 0 &&
        checks->excluded(type->id, cli_ip, srv_ip, r.key.vlan,
                         r.text ? std::string_view(r.text->server_name) : std::string_view())) {
      checks_.record(type->id, ns, false);
      return;
    }
    FlowAlert a = alertOf(ifid, r, *type);
    a.server_ip = under->address.toString();
    raise(std::move(a), ns);
  };
  for (const auto& iface : interfaces_->all()) {
    const PacketEngine* engine = iface->engine();
    if (!engine) continue;
    // The live flows first, then those expired meanwhile: a flow that expires during the scan
    // is then in the second list, not in neither (and alerted again as new).
    engine->collectServerFlows(kinds);  // expired from now on (those before: not kept)
    std::vector<Risky> risky;
    const int ifid = iface->id();
    // A flow is copied when it has something to judge: risks not alerted yet, or a server its
    // active check has not judged. One that has nothing new only stays known (its `pass`), so
    // that what was alerted or judged is not again, whatever checks come and go meanwhile.
    engine->scanFlows([&](const flow::Flow& f) {
      const uint8_t bit = dpi::serverCheckBit(f.master_proto, f.app_proto);
      if (f.risk == 0 && bit == 0) return;
      if (auto it = seen_.find(flowId(ifid, f.hash, f.serial)); it != seen_.end()) {
        const bool judged = it->second.server_checked || !(kinds & bit);
        if ((f.risk & ~it->second.alerted) == 0 && judged) {
          it->second.pass = pass_;
          return;
        }
      } else if (f.risk == 0 && !(kinds & bit)) {
        return;
      }
      risky.push_back(riskyOf(f));
    });
    for (const Risky& r : risky) consider(iface->id(), r, false);
    std::vector<flow::Flow> expired;
    if (uint64_t dropped = engine->takeExpiredRisky(&expired); dropped && counters_.dropped) {
      *counters_.dropped += dropped;  // expired faster than a pass takes them
    }
    for (const flow::Flow& f : expired) consider(iface->id(), riskyOf(f), true);
  }
  // Flows not seen in this pass are gone: forget them.
  for (auto it = seen_.begin(); it != seen_.end();) {
    it = it->second.pass == pass_ ? std::next(it) : seen_.erase(it);
  }
  flush(raised);
  return total;
}

void AlertEngine::flush(std::vector<FlowAlert>& batch) {
  if (batch.empty()) return;
  raised_ += batch.size();
  if (store_) {
    if (Status st = store_->insert(batch); st) {
      if (counters_.written) *counters_.written += batch.size();
    } else {
      log::warning("alerts: {}", st.error());
      if (counters_.dropped) *counters_.dropped += batch.size();
    }
  }
  if (recipients_) {
    const auto recipients = recipients_->allStats();
    for (const FlowAlert& a : batch) {
      if (recipients.empty()) break;
      const std::string body = a.json();
      for (const RecipientStats& r : recipients) {
        Notification n;
        n.body = body;
        n.score = a.score;
        n.severity = a.severity;
        n.alert_id = a.alert_id;
        n.entity = 4;  // ntopng's alert_entity_flow
        n.category = a.category;
        const auto e = recipients_->enqueue(r.id, std::move(n));
        if (e == RecipientQueues::Enqueued::kFull && counters_.dropped) ++*counters_.dropped;
      }
    }
  }
  {
    std::lock_guard<std::mutex> lock(internal_mu_);
    for (FlowAlert& a : batch) internal_.push_back(std::move(a));
    while (internal_.size() > kMaxInternal) internal_.pop_front();
  }
  batch.clear();
}

std::vector<FlowAlert> AlertEngine::popInternal(size_t max) {
  std::lock_guard<std::mutex> lock(internal_mu_);
  std::vector<FlowAlert> out;
  while (!internal_.empty() && out.size() < max) {
    out.push_back(std::move(internal_.front()));
    internal_.pop_front();
  }
  return out;
}

}  // namespace flowlens::alerts
