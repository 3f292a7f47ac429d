#include "alerts/flow_checks.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>

#include "store/kv_store.h"

namespace flowlens::alerts {
namespace {

using nlohmann::json;

constexpr int64_t kMaxAlertId = 65535;
constexpr size_t kMaxIdsPerSubject = 1024;
constexpr size_t kMaxJsonBytes = 4u << 20;

// The checks: the risk checks in dpi::riskAlertTypes() order, then the unexpected-server ones
// (constant: built once).
const std::vector<dpi::FlowAlertType>& checks() {
  static const std::vector<dpi::FlowAlertType> all = [] {
    std::vector<dpi::FlowAlertType> v = dpi::riskAlertTypes();
    for (const ServerCheck& c : serverChecks()) {
      v.push_back({c.alert_id, c.check_key, dpi::AlertCategory::kSecurity, dpi::kScoreError, 0});
    }
    return v;
  }();
  return all;
}

// Off unless the configset enables them (ntopng's default_enabled = false).
std::unordered_set<int> offByDefault() {
  std::unordered_set<int> ids;
  for (const ServerCheck& c : serverChecks()) ids.insert(c.alert_id);
  return ids;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  return out;
}

// A server name as exclusions compare them: lower case, without trailing dots.
std::string normalName(std::string_view s) {
  std::string out = lower(s);
  while (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

bool isDomainName(std::string_view s) {
  if (s.empty() || s.size() > 253 || s.front() == '.') return false;
  return std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '.' || c == '_';
  });
}

Result<std::unordered_set<int>> alertIds(const json& v, const std::string& subject) {
  std::unordered_set<int> ids;
  if (v.is_null()) return ids;
  if (!v.is_array()) return Error{"'" + subject + "': flow_alerts is not a list"};
  for (const json& id : v) {
    int64_t n = -1;
    if (id.is_number_integer()) {
      n = id.is_number_unsigned() && id.get<uint64_t>() > uint64_t(INT64_MAX) ? -1
                                                                             : id.get<int64_t>();
    } else if (id.is_string()) {  // ntopng's Lua writes ids as numbers; tolerate "47"
      const std::string& s = id.get_ref<const std::string&>();
      const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
      if (ec != std::errc() || end != s.data() + s.size()) n = -1;
    }
    if (n < 0 || n > kMaxAlertId) {
      return Error{"'" + subject + "': " + id.dump() + " is not an alert id"};
    }
    if (ids.size() >= kMaxIdsPerSubject) {
      return Error{"'" + subject + "': more than " + std::to_string(kMaxIdsPerSubject) + " alert ids"};
    }
    ids.insert(int(n));
  }
  return ids;
}

}  // namespace

bool FlowChecks::Snapshot::excluded(int alert_id, const util::IpAddress& cli,
                                    const util::IpAddress& srv, uint16_t vlan,
                                    std::string_view server_name) const {
  for (const HostRule& r : hosts_) {
    if (r.vlan != vlan || r.alerts.count(alert_id) == 0) continue;
    if (r.prefix.contains(cli) || r.prefix.contains(srv)) return true;
  }
  if (server_name.empty() || domains_.empty()) return false;
  const std::string name = normalName(server_name);
  for (const DomainRule& r : domains_) {
    if (r.alerts.count(alert_id) == 0) continue;
    if (name == r.domain) return true;
    if (name.size() > r.domain.size() && name.ends_with(r.domain) &&
        name[name.size() - r.domain.size() - 1] == '.') {
      return true;
    }
  }
  return false;
}

uint8_t FlowChecks::Snapshot::activeServerKinds() const {
  uint8_t kinds = 0;
  for (const ServerCheck& c : serverChecks()) {
    if (enabled(c.alert_id) && !servers_->empty(c.kind)) kinds |= uint8_t(1u << int(c.kind));
  }
  return kinds;
}

FlowChecks::FlowChecks() : counters_(std::make_unique<Counters[]>(checks().size())) {
  auto first = std::make_shared<Snapshot>();
  first->disabled_ = offByDefault();
  current_ = std::move(first);
}

const std::vector<dpi::FlowAlertType>& FlowChecks::all() { return checks(); }

std::optional<dpi::FlowAlertType> FlowChecks::check(std::string_view key) {
  for (const dpi::FlowAlertType& t : checks()) {
    if (t.key == key) return t;
  }
  return std::nullopt;
}

std::optional<size_t> FlowChecks::indexOf(int alert_id) {
  const auto& all = checks();
  for (size_t i = 0; i < all.size(); ++i) {
    if (all[i].id == alert_id) return i;
  }
  return std::nullopt;
}

Status FlowChecks::loadConfig(const std::optional<std::string>& text) {
  std::unordered_set<int> disabled = offByDefault();
  if (text && text->size() > kMaxJsonBytes) return Error{"the checks configset is over 4 MiB"};
  if (text && !text->empty()) {
    const json j = json::parse(*text, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) return Error{"the checks configset is not JSON"};
    const auto config = j.find("config");
    if (config == j.end() || !config->is_object()) {
      return Error{"the checks configset has no \"config\" object"};
    }
    if (const auto flow = config->find("flow"); flow != config->end()) {
      if (!flow->is_object()) return Error{"the checks configset's \"flow\" is not an object"};
      for (const auto& [key, conf] : flow->items()) {
        const auto t = check(key);
        if (!t) continue;  // a check flowlens does not have
        // ntopng's rule: a named check runs only when its "all" says "enabled": true.
        const json* all = conf.is_object() && conf.contains("all") ? &conf["all"] : nullptr;
        const bool enabled = all != nullptr && all->is_object() && all->contains("enabled") &&
                             (*all)["enabled"].is_boolean() && (*all)["enabled"].get<bool>();
        if (enabled) {
          disabled.erase(t->id);
        } else {
          disabled.insert(t->id);
        }
      }
    }
  }
  std::lock_guard lock(mu_);
  auto next = std::make_shared<Snapshot>(*current_);  // the exclusions stay
  next->disabled_ = std::move(disabled);
  current_ = std::move(next);
  return Status::Ok();
}

Status FlowChecks::loadExclusions(const std::optional<std::string>& text) {
  auto rules = std::make_shared<Snapshot>();
  if (text && text->size() > kMaxJsonBytes) return Error{"the alert exclusions are over 4 MiB"};
  if (text && !text->empty()) {
    const json j = json::parse(*text, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) return Error{"the alert exclusions are not JSON"};
    if (j.size() > kMaxExclusions) {
      return Error{"more than " + std::to_string(kMaxExclusions) + " alert exclusions"};
    }
    for (const auto& [subject, rule] : j.items()) {
      if (!rule.is_object()) return Error{"exclusion '" + subject + "' is not an object"};
      const auto type_field = rule.find("type");
      if (type_field != rule.end() && !type_field->is_string()) {
        return Error{"exclusion '" + subject + "': its type is not a string"};
      }
      const std::string type = type_field == rule.end() ? "host" : type_field->get<std::string>();
      auto ids = alertIds(rule.contains("flow_alerts") ? rule["flow_alerts"] : json(), subject);
      if (!ids) return Error{ids.error()};
      if (type == "host") {
        auto host = util::parseVlanPrefix(subject);
        if (!host) return Error{"exclusion: " + host.error()};
        if (!ids->empty()) rules->hosts_.push_back({host->prefix, host->vlan, std::move(*ids)});
      } else if (type == "domain") {
        std::string domain = normalName(subject);
        if (domain.starts_with("*.")) domain.erase(0, 2);  // the names under it: as without
        if (!isDomainName(domain)) return Error{"exclusion: '" + subject + "' is not a name"};
        if (!ids->empty()) rules->domains_.push_back({std::move(domain), std::move(*ids)});
      } else if (type != "certificate") {  // certificate exclusions: not applied (compat.md)
        return Error{"exclusion '" + subject + "': unknown type '" + type + "'"};
      }
    }
  }
  std::lock_guard lock(mu_);
  rules->disabled_ = current_->disabled_;  // the configset's part stays
  rules->servers_ = current_->servers_;
  current_ = std::move(rules);
  return Status::Ok();
}

Status FlowChecks::reloadConfig(store::KvStore& store) {
  std::lock_guard reload(reload_mu_);  // read and apply in one go: the last read is applied last
  auto text = store.get(kConfigKey);
  if (!text) return Error{"cannot read " + std::string(kConfigKey) + ": " + text.error()};
  return loadConfig(*text);
}

Status FlowChecks::reloadExclusions(store::KvStore& store) {
  std::lock_guard reload(reload_mu_);
  auto text = store.get(kExclusionsKey);
  if (!text) return Error{"cannot read " + std::string(kExclusionsKey) + ": " + text.error()};
  return loadExclusions(*text);
}

Status FlowChecks::reloadServers(store::KvStore& store) {
  std::lock_guard reload(reload_mu_);
  ServerLists lists = snapshot()->servers();  // a malformed list keeps its servers
  const Status st = lists.reload(store);
  setServers(std::move(lists));
  return st;
}

void FlowChecks::setServers(ServerLists lists) {
  auto servers = std::make_shared<const ServerLists>(std::move(lists));
  std::lock_guard lock(mu_);
  auto next = std::make_shared<Snapshot>(*current_);
  next->servers_ = std::move(servers);
  current_ = std::move(next);
}

std::shared_ptr<const FlowChecks::Snapshot> FlowChecks::snapshot() const {
  std::lock_guard lock(mu_);
  return current_;
}

void FlowChecks::record(int alert_id, uint64_t ns, bool raised) {
  const auto i = indexOf(alert_id);
  if (!i) return;
  Counters& c = counters_[*i];
  c.ns.fetch_add(ns, std::memory_order_relaxed);
  (raised ? c.raised : c.excluded).fetch_add(1, std::memory_order_relaxed);
}

void FlowChecks::recordTime(int alert_id, uint64_t ns) {
  if (const auto i = indexOf(alert_id)) counters_[*i].ns.fetch_add(ns, std::memory_order_relaxed);
}

std::optional<FlowChecks::CheckStats> FlowChecks::stats(int alert_id) const {
  const auto i = indexOf(alert_id);
  if (!i) return std::nullopt;
  const Counters& c = counters_[*i];
  return CheckStats{c.ns.load(), c.raised.load(), c.excluded.load()};
}

}  // namespace flowlens::alerts
