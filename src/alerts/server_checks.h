#pragma once
// ntopng's "unexpected server" flow checks (community edition): the DNS, NTP, SMTP and DHCP
// servers a network is meant to use, from ntopng's preferences
// ntopng.prefs.nw_config_<dns|ntp|smtp|dhcp>_list (comma-separated entries: an address, a
// network "net/bits", either with "@vlan"; "@0" as none), applied when a flow's application is
// known:
//  - unexpected_dns (alert 33): a DNS flow's server (the client when the client's port is 53);
//  - unexpected_ntp (35): an NTP flow's server;
//  - unexpected_smtp (34): an SMTP or SMTPS flow's server;
//  - unexpected_dhcp (32): a DHCP flow's side on port 67 (0.0.0.0 and broadcast pass).
// An address passes when an entry holds it on the flow's VLAN or without a VLAN; an empty list
// lets everything pass (the check is off). ntop.reloadServersConfiguration() reloads the lists.

#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "util/ip.h"

namespace flowlens::store {
class KvStore;
}

namespace flowlens::alerts {

enum class ServerKind : int { kDns = 0, kNtp, kSmtp, kDhcp, kCount };

struct ServerCheck {
  ServerKind kind;
  std::string_view check_key;  // the checks configset's ("unexpected_dns")
  int alert_id;                // ntopng's FlowAlertTypeEnum (33)
  std::string_view list_key;   // the preference with the servers
};

// The four checks, in ServerKind order.
const std::array<ServerCheck, size_t(ServerKind::kCount)>& serverChecks();

class ServerLists {
 public:
  static constexpr size_t kMaxEntries = 4096;  // per list

  // Parses one list ("" = empty; entries separated by commas or line ends, blanks around them
  // ignored); an error names the entry that is not an address or network, and the list stays.
  Status set(ServerKind kind, std::string_view csv);
  // Each list the store holds (a missing key: an empty list). A malformed list keeps its
  // previous content, the others are loaded; the error names each malformed key.
  Status reload(store::KvStore& store);

  bool empty(ServerKind kind) const { return lists_[size_t(kind)].empty(); }
  bool anyConfigured() const;
  // Whether `ip` is one of the kind's servers on `vlan` (or, with the list empty, anything).
  bool allowed(ServerKind kind, const util::IpAddress& ip, uint16_t vlan) const;

 private:
  struct Entry {
    util::IpPrefix prefix;
    std::optional<uint16_t> vlan;  // none: every VLAN
  };
  std::array<std::vector<Entry>, size_t(ServerKind::kCount)> lists_;
};

// The check a flow meets, and the address it tests: nullopt when the flow's application is none
// of the four. `cli` and `srv` are the flow's client and server.
struct ServerUnderCheck {
  ServerKind kind;
  util::IpAddress address;
};
std::optional<ServerUnderCheck> serverUnderCheck(uint16_t master, uint16_t app,
                                                 const util::IpAddress& cli, uint16_t cli_port,
                                                 const util::IpAddress& srv, uint16_t srv_port);

}  // namespace flowlens::alerts
