#pragma once
// One bidirectional flow as the packet path keeps it. Owned by exactly one FlowTable (one packet
// thread); readers see copies (PacketEngine::flows) taken under the shard's lock.

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "flow/flow_key.h"
#include "util/ip.h"

namespace flowlens::flow {

// Per-direction counters (client-to-server and server-to-client).
struct Direction {
  uint64_t packets = 0;
  uint64_t bytes = 0;          // whole frames as captured on the wire
  uint64_t goodput_bytes = 0;  // L4 payload
  uint8_t tcp_flags = 0;       // OR of every packet's flags
  uint32_t next_seq = 0;       // TCP: next expected sequence number
  bool seq_known = false;
  uint32_t retransmissions = 0, out_of_order = 0, lost = 0;
  uint64_t synced_packets = 0, synced_bytes = 0;  // already added to hosts/interface stats
};

// Text learned by DPI; allocated only for flows that have some.
struct FlowText {
  std::string server_name;  // DNS query, HTTP Host, TLS SNI, QUIC SNI
  std::string ja3_client, ja3_server;
  std::string user_agent;
  std::optional<util::IpAddress> dns_answer;  // DNS: the first A/AAAA address of the response
};

enum class TcpState : uint8_t { kNone, kSynSent, kEstablished, kClosed, kReset };

struct Flow {
  // Ordered by size so that nothing pads: 264 bytes (the static_assert below).
  FlowKey key;
  uint32_t hash = 0;    // the low half of the key's hash: where the index's probing starts
  uint32_t serial = 0;  // unique per interface shard, ntopng's "hash id"

  uint64_t first_seen_us = 0, last_seen_us = 0;
  Direction c2s, s2c;
  bool lo_is_client = true;
  TcpState tcp_state = TcpState::kNone;
  uint8_t dscp = 0;
  uint8_t icmp_type = 0, icmp_code = 0;
  bool has_mac = false;
  std::array<uint8_t, 6> client_mac{}, server_mac{};

  // DPI.
  uint16_t dpi_packets = 0;
  bool dpi_done = false;      // detected and nothing more to learn, or given up
  bool dpi_guessed = false;
  bool names_published = false;  // the DNS answer went to HostHooks::on_dns_answer
  uint8_t confidence = 0;
  uint16_t master_proto = 0, app_proto = 0;
  uint16_t category = 0;
  bool dpi_deferred = false;  // dpi_state holds the flow's opening SYN, not yet inspected
  void* dpi_state = nullptr;  // nDPI's per-flow state while detection runs (dpi/ owns the type)
  uint64_t risk = 0;          // nDPI risk bitmap
  std::shared_ptr<const FlowText> text;  // immutable once set: snapshots share it

  // Hosts (indexes into the interface's HostTable; UINT32_MAX = none).
  uint32_t client_host = UINT32_MAX, server_host = UINT32_MAX;

  const Endpoint& client() const { return lo_is_client ? key.lo : key.hi; }
  const Endpoint& server() const { return lo_is_client ? key.hi : key.lo; }
  uint64_t packets() const { return c2s.packets + s2c.packets; }
  uint64_t bytes() const { return c2s.bytes + s2c.bytes; }
  // Packets not yet added to the hosts and interface stats (housekeeping's syncFlow).
  bool unsynced() const { return packets() != c2s.synced_packets + s2c.synced_packets; }
};
static_assert(sizeof(Flow) <= 264, "a flow table holds every flow: mind each byte");

}  // namespace flowlens::flow
