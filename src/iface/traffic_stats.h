#pragma once
// Interface-wide aggregates the flows feed once a second: per application, per category, per L4
// protocol, per VLAN and per local network. Not thread-safe: the interface's stats lock guards it.

#include <cstdint>
#include <map>

#include "host/host.h"

namespace flowlens {

struct AppStats {
  host::Traffic traffic;  // sent = client to server
  uint64_t flows = 0;
  uint64_t duration_s = 0;
};

struct TrafficStats {
  std::map<uint16_t, AppStats> apps;        // nDPI application id
  std::map<uint16_t, AppStats> categories;  // nDPI category id
  std::map<uint8_t, AppStats> l4;           // IP protocol number
  std::map<uint16_t, AppStats> vlans;       // VLAN id (0 = untagged)
  std::map<int, host::Traffic> networks;    // local network id: sent = leaving the network
  std::map<uint8_t, host::Traffic> dscp;    // DSCP class of the flow's first packet
};

}  // namespace flowlens
