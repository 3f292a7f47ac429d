#pragma once
// Filtered, sorted, paged views of an interface's hosts and flows: what interface.getHostsInfo
// and interface.getFlowsInfo answer. The engine is read under its locks only for the copy;
// filtering and sorting run on the copy. Thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "flow/flow.h"
#include "host/host.h"
#include "iface/packet_engine.h"
#include "util/ip.h"

namespace flowlens {

enum class HostScope { kAll, kLocal, kRemote };
// ntopng's other host selections: hosts that never sent (getLocalHostsInfoNoTX, ...; ...NoTXTCP:
// and received TCP), public
// addresses (not RFC 1918 / fc00::/7), broadcast and multicast addresses.
enum class HostKind { kAny, kRxOnly, kRxOnlyTcp, kPublic, kBroadcastMulticast };

struct HostQuery {
  HostScope scope = HostScope::kAll;
  HostKind kind = HostKind::kAny;
  std::string sort_column = "column_traffic";  // ntopng's column names
  bool ascending = false;
  uint32_t max_hits = UINT32_MAX;
  uint32_t to_skip = 0;
  std::optional<uint16_t> vlan;
  std::optional<int> network_id;
  std::optional<int> ip_version;               // 4 or 6
  std::optional<std::array<uint8_t, 6>> mac;
  std::optional<uint16_t> application;         // hosts with traffic of this nDPI protocol
  std::optional<util::IpPrefix> cidr;
  std::optional<std::string> country;          // ISO code, from the GeoIP databases
  std::optional<uint32_t> asn;
  std::optional<uint16_t> pool;                // host pool (host::HostPools), 0: none
  // Only hosts in these networks (a user's allowed networks); empty = all.
  std::vector<util::IpPrefix> allowed;
};

struct HostPage {
  uint64_t total = 0;  // hosts matching the filters, before paging
  std::vector<host::Host> hosts;
};

// Pages come from a ranking of every matching host that is reused for up to a second
// (RankingCache): counters of the page's hosts are current, their order up to a second old.
HostPage queryHosts(const PacketEngine& engine, const HostQuery& q);
// Whether a host passes the query's filters (paging and order aside).
bool hostMatches(const HostQuery& q, const host::Host& h);
// The host of `ip` on `vlan` (any VLAN when absent), copied.
std::optional<host::Host> findHost(const PacketEngine& engine, const util::IpAddress& ip,
                                   std::optional<uint16_t> vlan);

// The hosts of one autonomous system or one country, summed (interface.getASesInfo,
// getCountriesInfo). Hosts without a country are in no country; hosts without an AS in AS 0.
struct HostGroup {
  uint32_t asn = 0;
  std::string asname;
  std::string country;
  host::Traffic traffic;
  uint64_t num_hosts = 0;
  uint64_t first_seen_us = UINT64_MAX, last_seen_us = 0;
  double throughput_bps = 0, throughput_pps = 0;
};
enum class HostGrouping { kAs, kCountry };
// Sorted by ntopng's column names (column_asn, column_asname, column_country, column_hosts,
// column_since, column_traffic: the default), only hosts in `allowed` (empty = all).
std::vector<HostGroup> groupHosts(const PacketEngine& engine, HostGrouping by,
                                  const std::vector<util::IpPrefix>& allowed,
                                  const std::string& sort_column, bool ascending);

struct FlowQuery {
  std::string sort_column = "column_bytes";
  bool ascending = false;
  uint32_t max_hits = UINT32_MAX;
  uint32_t to_skip = 0;
  std::optional<util::IpAddress> host;  // flows with this host at either end
  std::optional<uint16_t> vlan;
  std::optional<uint8_t> l4_proto;
  std::optional<uint16_t> application;  // app or master nDPI protocol
  std::optional<uint16_t> category;
  std::optional<uint16_t> port;         // either end
  std::optional<uint16_t> server_port;
  std::vector<util::IpPrefix> allowed;  // at least one end inside; empty = all
  bool match_nothing = false;           // a filter no flow can pass (an out-of-range value)
};

struct FlowPage {
  uint64_t total = 0;
  std::vector<flow::Flow> flows;
};

FlowPage queryFlows(const PacketEngine& engine, const FlowQuery& q);
// Whether a flow passes the query's filters (paging and order aside).
bool matches(const FlowQuery& q, const FlowRow& f);

// ntopng's flow key (interface.getFlowKey): a 32-bit sum of the endpoints' parts.
uint32_t flowKey(const flow::Flow& f);
std::optional<flow::Flow> findFlow(const PacketEngine& engine, uint32_t key, uint32_t hash_id);

util::IpAddress addressOf(const flow::Endpoint& e, uint8_t ip_version);
// Whether `a` lies in one of a user's allowed networks (none: everything is allowed).
bool inAllowed(const std::vector<util::IpPrefix>& allowed, const util::IpAddress& a);
// Throughput over the last second is not kept per flow: average over the flow's life.
double flowThroughputBps(const flow::Flow& f);
double throughputBps(uint64_t bytes, uint64_t first_seen_us, uint64_t last_seen_us);

}  // namespace flowlens
