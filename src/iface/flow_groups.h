#pragma once
// Active flows grouped by application, client, server, server port or the server name they
// asked for: what interface.getProtocolFlowsStats (ntopng's aggregated live flows),
// getVLANFlowsStats, getHostsPorts, getHostsByPort and getGroupedFlows answer. Flows are
// copied (a few fields each) under the shards' locks, a chunk at a time, and grouped outside
// them. Thread-safe.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "iface/packet_engine.h"
#include "iface/queries.h"
#include "util/ip.h"

namespace flowlens {

// ntopng's criteria numbers (getProtocolFlowsStats' first argument), plus the VLAN grouping of
// getVLANFlowsStats.
enum class FlowGrouping : uint8_t {
  kApplication = 1,           // VLAN, master and application protocol
  kClient = 2,                // client address and VLAN
  kServer = 3,                // server address and VLAN
  kClientServer = 4,
  kApplicationClientServer = 5,
  kInfo = 6,                  // the server name the client asked for (DNS, HTTP Host, TLS SNI)
  kClientServerPort = 7,
  kClientServerPortApplication = 8,
  kVlanPortApplication = 100  // VLAN, server port, master and application protocol
};

struct FlowGroup {
  // The key's parts; those the grouping does not use keep the first flow's values.
  uint16_t vlan = 0;
  uint8_t l4_proto = 0;
  uint16_t master_proto = 0, app_proto = 0;
  bool guessed = false;  // nDPI guessed the protocol of the group's first flow
  util::IpAddress client, server;
  uint16_t server_port = 0;
  std::string info;
  // Sums over the group's flows (sent = client to server).
  uint64_t num_flows = 0, bytes_sent = 0, bytes_rcvd = 0, total_score = 0;
  uint64_t num_clients = 0, num_servers = 0;  // distinct addresses (with VLAN)
  uint64_t first_seen_us = UINT64_MAX, last_seen_us = 0;
  double throughput_bps = 0;  // the flows' average throughputs, summed
};

// The groups of the flows that pass `filter`'s filters (its order and paging are not used), in
// no particular order.
std::vector<FlowGroup> groupFlows(const PacketEngine& engine, FlowGrouping by,
                                  const FlowQuery& filter);

// ntopng's sort columns of getProtocolFlowsStats: client, server, client_and_server, srv_port,
// application (by `app_name`), info, flows, tot_score, num_clients, num_servers, bytes_sent
// (also any unknown name), bytes_rcvd, tot_traffic, vlan_id. Ties are broken by the group's
// key, so pages are stable.
void sortFlowGroups(std::vector<FlowGroup>& groups, const std::string& column, bool ascending,
                    const std::function<std::string(const FlowGroup&)>& app_name);

}  // namespace flowlens
