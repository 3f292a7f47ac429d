#pragma once
// Spec section 31's check management for flowlens's flow checks, one per nDPI risk alert type
// (dpi::riskAlertTypes(), keyed as ntopng's checks: "ndpi_suspicious_dga_domain"), and ntopng's
// four unexpected-server checks (alerts/server_checks.h: "unexpected_dns", off unless the
// configset enables them, as in ntopng):
//  - which checks run, from ntopng's configset (JSON under kConfigKey:
//    {"config": {"flow": {"<check>": {"all": {"enabled": bool, ...}}}}});
//  - alert exclusions (JSON under kExclusionsKey, ntopng's layout:
//    {"<subject>": {"type": "host"|"domain", "flow_alerts": [alert ids]}}), a host subject
//    being an address, a network or "<address>@<vlan>", a domain subject a server name and the
//    names under it ("*.<name>" the same): a flow alert of those ids is not raised for a flow whose client or server
//    is such a host, or whose server name is under such a domain;
//  - each check's figures (time spent, alerts raised, alerts excluded).
// The AlertEngine takes a snapshot per pass. Thread-safe.

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "alerts/server_checks.h"
#include "core/result.h"
#include "dpi/flow_alerts.h"
#include "util/ip.h"

namespace flowlens::store {
class KvStore;
}

namespace flowlens::alerts {

class FlowChecks {
 public:
  static constexpr const char* kConfigKey = "ntopng.prefs.checks.configset_v1";
  static constexpr const char* kExclusionsKey = "ntopng.prefs.alert_exclusions";
  static constexpr size_t kMaxExclusions = 4096;

  // One configuration: immutable once made.
  class Snapshot {
   public:
    bool enabled(int alert_id) const { return disabled_.count(alert_id) == 0; }
    // Whether an alert of `alert_id` is excluded for a flow between `cli` and `srv` on
    // `vlan`, whose server name is `server_name` (may be empty).
    bool excluded(int alert_id, const util::IpAddress& cli, const util::IpAddress& srv,
                  uint16_t vlan, std::string_view server_name) const;
    size_t exclusions() const { return hosts_.size() + domains_.size(); }
    // The configured servers of the unexpected-server checks.
    const ServerLists& servers() const { return *servers_; }
    // The unexpected-server checks that are on and have servers to compare with, as
    // dpi::serverCheckBit's bits (0: none).
    uint8_t activeServerKinds() const;

   private:
    friend class FlowChecks;
    struct HostRule {
      util::IpPrefix prefix;
      uint16_t vlan = 0;
      std::unordered_set<int> alerts;
    };
    struct DomainRule {
      std::string domain;  // lower case, no trailing dot
      std::unordered_set<int> alerts;
    };
    std::unordered_set<int> disabled_;  // alert ids of disabled checks
    std::shared_ptr<const ServerLists> servers_ = std::make_shared<ServerLists>();
    std::vector<HostRule> hosts_;
    std::vector<DomainRule> domains_;
  };

  struct CheckStats {
    uint64_t execution_time_ns = 0;  // spent raising (or excluding) the check's alerts
    uint64_t raised = 0;
    uint64_t excluded = 0;
  };

  FlowChecks();

  // Replaces which checks run with those of ntopng's configset. nullopt or "": no configset,
  // every check runs. A check the configset does not name keeps running. An error (the JSON
  // is not a configset) leaves the configuration as it was.
  Status loadConfig(const std::optional<std::string>& json);
  // Replaces the exclusions. nullopt or "": none. An error (not ntopng's layout, a subject
  // that is neither an address, a network nor a name, more than kMaxExclusions) leaves them
  // as they were.
  Status loadExclusions(const std::optional<std::string>& json);

  // The same, read from the store's kConfigKey and kExclusionsKey.
  Status reloadConfig(store::KvStore& store);
  Status reloadExclusions(store::KvStore& store);
  // The unexpected-server checks' lists, from ntopng's nw_config_*_list preferences
  // (ntop.reloadServersConfiguration). A malformed list keeps its servers (and is named in the
  // error); the others are loaded.
  Status reloadServers(store::KvStore& store);
  void setServers(ServerLists lists);

  std::shared_ptr<const Snapshot> snapshot() const;

  // Every flow check (its key is the configset's), the risk checks first.
  static const std::vector<dpi::FlowAlertType>& all();
  // The check of a key; nullopt for none of flowlens's flow checks.
  static std::optional<dpi::FlowAlertType> check(std::string_view key);

  void record(int alert_id, uint64_t ns, bool raised);
  void recordTime(int alert_id, uint64_t ns);  // a run that raised nothing
  std::optional<CheckStats> stats(int alert_id) const;

 private:
  static std::optional<size_t> indexOf(int alert_id);

  std::mutex reload_mu_;  // one reload (store read, then apply) at a time
  mutable std::mutex mu_;
  std::shared_ptr<const Snapshot> current_;  // guarded by mu_
  struct Counters {
    std::atomic<uint64_t> ns{0}, raised{0}, excluded{0};
  };
  std::unique_ptr<Counters[]> counters_;  // by position in all()
};

}  // namespace flowlens::alerts
