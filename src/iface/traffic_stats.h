#pragma once
// Interface-wide aggregates the flows feed once a second: per application, per category, per L4
// protocol, per VLAN, per local network and per host pool. Not thread-safe: the interface's stats
// lock guards it.

#include <algorithm>
#include <cstdint>
#include <map>
#include <vector>

#include "host/host.h"

namespace flowlens {

struct AppStats {
  host::Traffic traffic;  // sent = client to server
  uint64_t flows = 0;
  uint64_t duration_s = 0;
};

// A host pool's traffic (ntopng's HostPoolStats): at each sync a flow's new traffic goes to its
// client's pool (sent = client to server) and, when that is another, to its server's (sent =
// server to client).
struct PoolStats {
  struct Share {  // of one application or category
    host::Traffic traffic;
    uint64_t flows = 0;  // flows first credited under it
    // Housekeeping passes that credited it, at most one per second of the capture's clock
    // (the latest second counted: packet threads' clocks differ, and never count twice).
    uint64_t duration_s = 0;
    uint64_t last_s = 0;
    void credit(uint64_t now_s) {
      if (duration_s == 0 || now_s > last_s) {
        ++duration_s;
        last_s = now_s;
      }
    }
  };
  host::Traffic traffic;
  // By nDPI application (else master) id and by category id, indexed by the id (a flow sync
  // credits one of each: one step each, not a tree walk); ids never credited are empty.
  std::vector<Share> apps, categories;
  Share all;  // ntopng's cross_application
  uint64_t first_seen_s = 0, last_seen_s = 0;
  double throughput_bps = 0, throughput_pps = 0;  // over the last sampling interval
  uint64_t sampled_bytes = 0, sampled_packets = 0;

  void credit(uint16_t app, uint16_t category, bool new_flow, uint64_t now_s, uint64_t sent_p,
              uint64_t sent_b, uint64_t rcvd_p, uint64_t rcvd_b) {
    if (first_seen_s == 0 || now_s < first_seen_s) first_seen_s = now_s;
    last_seen_s = std::max(last_seen_s, now_s);
    for (Share* s : {&at(apps, app), &at(categories, category), &all}) {
      s->traffic.add(true, sent_p, sent_b);
      s->traffic.add(false, rcvd_p, rcvd_b);
      s->flows += new_flow ? 1 : 0;
      s->credit(now_s);
    }
    traffic.add(true, sent_p, sent_b);
    traffic.add(false, rcvd_p, rcvd_b);
  }
  static Share& at(std::vector<Share>& v, uint16_t id) {
    if (id >= v.size()) v.resize(size_t(id) + 1);
    return v[id];
  }
  // ntopng's resetPoolsQuotas: the counters, not when the pool was seen.
  void reset() {
    const uint64_t first = first_seen_s, last = last_seen_s;
    *this = PoolStats{};
    first_seen_s = first;
    last_seen_s = last;
  }
};

struct TrafficStats {
  std::map<uint16_t, AppStats> apps;        // nDPI application id
  std::map<uint16_t, AppStats> categories;  // nDPI category id
  std::map<uint8_t, AppStats> l4;           // IP protocol number
  std::map<uint16_t, AppStats> vlans;       // VLAN id (0 = untagged)
  std::map<int, host::Traffic> networks;    // local network id: sent = leaving the network
  std::map<uint8_t, host::Traffic> dscp;    // DSCP class of the flow's first packet
  std::map<uint16_t, PoolStats> pools;      // host pool id (0: no pool)
};

}  // namespace flowlens
