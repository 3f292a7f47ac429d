#include "alerts/server_checks.h"

#include <algorithm>

#include "dpi/flow_alerts.h"
#include "store/kv_store.h"

namespace flowlens::alerts {

const std::array<ServerCheck, size_t(ServerKind::kCount)>& serverChecks() {
  static const std::array<ServerCheck, size_t(ServerKind::kCount)> kChecks = {{
      {ServerKind::kDns, "unexpected_dns", 33, "ntopng.prefs.nw_config_dns_list"},
      {ServerKind::kNtp, "unexpected_ntp", 35, "ntopng.prefs.nw_config_ntp_list"},
      {ServerKind::kSmtp, "unexpected_smtp", 34, "ntopng.prefs.nw_config_smtp_list"},
      {ServerKind::kDhcp, "unexpected_dhcp", 32, "ntopng.prefs.nw_config_dhcp_list"},
  }};
  return kChecks;
}

Status ServerLists::set(ServerKind kind, std::string_view csv) {
  constexpr std::string_view kBlank = " \t\r";
  std::vector<Entry> entries;
  size_t start = 0;
  while (start <= csv.size()) {
    size_t end = csv.find_first_of(",\n", start);
    if (end == std::string_view::npos) end = csv.size();
    std::string_view item = csv.substr(start, end - start);
    start = end + 1;
    const size_t first = item.find_first_not_of(kBlank);
    if (first == std::string_view::npos) continue;  // an empty entry
    item = item.substr(first, item.find_last_not_of(kBlank) - first + 1);
    if (item.find_first_of(kBlank) != std::string_view::npos) {
      return Error{"'" + std::string(item) + "' is not an address or network (a blank inside)"};
    }
    if (entries.size() >= kMaxEntries) {
      return Error{"more than " + std::to_string(kMaxEntries) + " servers in a list"};
    }
    auto p = util::parseVlanPrefix(item);
    if (!p) return Error{"'" + std::string(item) + "' is not an address or network: " + p.error()};
    // ntopng's rule: an address listed for the flow's VLAN or VLAN 0 passes.
    const bool vlan = item.find('@') != std::string_view::npos && p->vlan != 0;
    entries.push_back({p->prefix, vlan ? std::optional<uint16_t>(p->vlan) : std::nullopt});
  }
  lists_[size_t(kind)] = std::move(entries);
  return Status::Ok();
}

Status ServerLists::reload(store::KvStore& store) {
  std::string errors;
  for (const ServerCheck& c : serverChecks()) {
    auto text = store.get(std::string(c.list_key));
    Status st = text ? set(c.kind, text->has_value() ? **text : std::string())
                     : Status(Error{"cannot read it: " + text.error()});
    if (!st) errors += (errors.empty() ? "" : "; ") + std::string(c.list_key) + ": " + st.error();
  }
  if (!errors.empty()) return Error{errors};
  return Status::Ok();
}

bool ServerLists::anyConfigured() const {
  return std::any_of(lists_.begin(), lists_.end(), [](const auto& l) { return !l.empty(); });
}

bool ServerLists::allowed(ServerKind kind, const util::IpAddress& ip, uint16_t vlan) const {
  const std::vector<Entry>& list = lists_[size_t(kind)];
  if (list.empty()) return true;
  return std::any_of(list.begin(), list.end(), [&](const Entry& e) {
    return (!e.vlan || *e.vlan == vlan) && e.prefix.contains(ip);
  });
}

std::optional<ServerUnderCheck> serverUnderCheck(uint16_t master, uint16_t app,
                                                 const util::IpAddress& cli, uint16_t cli_port,
                                                 const util::IpAddress& srv, uint16_t srv_port) {
  const auto is = [&](uint16_t proto) { return master == proto || app == proto; };
  if (is(dpi::kProtoDns)) {
    return ServerUnderCheck{ServerKind::kDns, cli_port == 53 ? cli : srv};
  }
  if (is(dpi::kProtoNtp)) return ServerUnderCheck{ServerKind::kNtp, srv};
  if (is(dpi::kProtoSmtp) || is(dpi::kProtoSmtps)) return ServerUnderCheck{ServerKind::kSmtp, srv};
  if (is(dpi::kProtoDhcp)) {
    const util::IpAddress& server = cli_port == 67 ? cli : srv;
    if (cli_port != 67 && srv_port != 67) return std::nullopt;  // not to or from a server
    if (!server.v6) {
      const bool zero = server.bytes[0] == 0 && server.bytes[1] == 0 && server.bytes[2] == 0 &&
                        server.bytes[3] == 0;
      if (zero || util::isBroadcast(server)) return std::nullopt;
    }
    return ServerUnderCheck{ServerKind::kDhcp, server};
  }
  return std::nullopt;
}

}  // namespace flowlens::alerts
