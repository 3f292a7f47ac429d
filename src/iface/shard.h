#pragma once
// One packet thread's share of an interface: the flows whose address pair hashes to it, its
// nDPI engine and its counters. The packet thread holds `mutex()` while it handles a batch of
// packets; readers take it briefly to copy flows. Host and interface aggregates live in the
// interface (`SharedTables`, under its own lock) and are fed by housekeeping() once a second.

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "decode/packet.h"
#include "dpi/dpi_engine.h"
#include "flow/flow_table.h"
#include "host/host_table.h"
#include "iface/traffic_stats.h"
#include "util/adaptive_mutex.h"

namespace flowlens {

struct EngineLimits {
  uint32_t max_flows = 131072;   // -X, per interface
  uint32_t max_hosts = 131072;   // -x
  uint64_t flow_idle_us = 60'000'000;
  uint64_t flow_lifetime_us = 3600'000'000ull;
  uint64_t host_idle_us = 300'000'000;
  // Detection gives up on a flow silent this long (its nDPI state is freed; the flow stays).
  uint64_t dpi_idle_us = 5'000'000;
};

// What the interface's owner adds to hosts and names (host enrichment). Called by packet threads
// holding SharedTables::mutex: both must be quick and never wait on I/O.
struct HostHooks {
  std::function<void(host::Host&)> on_new_host;  // local / network_id, location, AS, name lookup
  std::function<void(host::Host&)> on_host_mac;  // the host's MAC became known (its pool)
  // A DNS answer seen in the traffic gave `name` the address `ip`.
  std::function<void(const util::IpAddress& ip, std::string_view name)> on_dns_answer;
};

// What all shards of an interface share, under `mutex`.
struct SharedTables {
  explicit SharedTables(uint32_t max_hosts) : hosts(max_hosts) {}
  util::AdaptiveMutex mutex;
  host::HostTable hosts;
  TrafficStats stats;
  HostHooks hooks;
  // Each shard's clock at its last housekeeping (UINT64_MAX once its file ended). Hosts idle by
  // the slowest one are purged: threads reading one file drift apart, and a thread behind must
  // not find a host gone that its own flows will still feed.
  std::vector<uint64_t> shard_clocks;
  uint64_t purged_at_us = 0;  // the slowest clock at the last purge of idle hosts
  // New flows each shard has left waiting for their hosts (Shard::bindNewFlowsUnlessBusy),
  // by shard (at most 64): idle hosts are not purged while any wait, since a waiting flow's
  // host may be one of them. Set without the mutex, cleared under it.
  std::array<std::atomic<uint32_t>, 64> waiting_flows{};
};

// Counters one packet thread writes and readers sum (relaxed atomics; one writer each).
struct ShardCounters {
  std::atomic<uint64_t> packets{0}, bytes{0}, ip_packets{0}, non_ip_packets{0};
  std::atomic<uint64_t> fragments{0};
  std::atomic<uint64_t> flow_drops{0};  // packets of a flow the full table (-X) could not take
  std::atomic<uint64_t> host_drops{0};  // flows left without a host: the host table (-x) was full
  std::array<std::atomic<uint64_t>, size_t(decode::Reason::kCount)> malformed{};
  // The flow table's size and flows created so far, as of the end of the last batch or
  // housekeeping slice: readers count flows without the shard's lock.
  std::atomic<uint64_t> flows{0}, flows_created{0};
  void bump(std::atomic<uint64_t>& c, uint64_t n = 1) {
    c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
};

class Shard {
 public:
  Shard(const EngineLimits& limits, uint32_t max_flows, std::unique_ptr<dpi::DpiEngine> dpi,
        SharedTables* shared);
  ~Shard();

  util::AdaptiveMutex& mutex() { return mutex_; }
  // For readers: the shard's lock, had as soon as the packet thread ends its batch (between
  // batches it waits for the readers counted here, and only those).
  std::unique_lock<util::AdaptiveMutex> lockForReader() const {
    readers_waiting_.fetch_add(1);
    std::unique_lock lock(mutex_);
    readers_waiting_.fetch_sub(1);
    return lock;
  }
  bool readersWaiting() const { return readers_waiting_.load(std::memory_order_relaxed) > 0; }
  // A packet's flow key and hash, worked out a few packets before it is handled so that its
  // flow can be fetched into cache meanwhile (see PacketEngine::run).
  struct Lookup {
    flow::FlowKey key;
    uint64_t hash = 0;
    bool src_is_lo = false;
    bool valid = false;  // false: handle() works it out (a non-first fragment's ports come
                         // from the fragment cache, filled by the packets handled before it)
    static Lookup of(const decode::DecodedPacket& p);  // valid, from p as it is now
  };
  // Fills `out` and prefetches the flow's index slot; prefetchFlow, later, the flow itself.
  // For the shard's own packet thread only: neither changes anything, and neither needs
  // mutex(), since only that thread writes the table (readers only read it, under mutex()).
  void prepare(const decode::DecodedPacket& p, Lookup* out) const;
  void prefetchFlow(const Lookup& l) const {
    if (l.valid) flows_.prefetchFlow(l.hash);
  }
  // Packet path (caller holds mutex()). `lookup`: from prepare(), or nullptr.
  void handle(decode::DecodedPacket& p, const Lookup* lookup = nullptr);
  void countMalformed(decode::Reason r, uint32_t wire_len);
  void countNonIp(const decode::DecodedPacket& p);
  // Binds the flows created since the last call to their hosts (creating hosts), under one
  // hold of the shared lock (caller holds mutex()). Until then a new flow has no hosts, and its
  // hosts may not exist yet.
  void bindNewFlows();
  // The same, called after each batch; but while the shared lock is busy (another packet
  // thread's housekeeping slice or bind, a reader) the flows wait for a later batch: the packet
  // thread does not wait, unless 2,048 flows or more wait (at most that plus a batch's). A
  // housekeeping slice binds them first in any case.
  void bindNewFlowsUnlessBusy();
  // Feeds flow deltas to hosts and aggregates and expires idle flows (caller holds mutex()).
  // `final`: end of a capture file: DPI gives up on every flow, nothing expires. Goes in
  // slices of kHousekeepingSlice flows, the shared lock taken by each slice, so that the other
  // packet threads and readers waiting for the shared lock wait at most a slice (a final pass
  // syncs every flow); the caller holds this shard's mutex throughout.
  void housekeeping(uint64_t now_us, bool final);
  static constexpr size_t kHousekeepingSlice = 4096;  // flows visited by a housekeeping slice
  // The same pass in slices, so that no packet batch waits behind a walk of every flow (and
  // the other threads, behind the shared lock): begin, then a step of at most `max_flows`
  // flows per batch until one returns true (the pass reached the last flow).
  void beginHousekeeping(uint64_t now_us);
  bool housekeepingStep(uint64_t now_us, bool final, size_t max_flows);
  bool housekeepingRunning() const { return in_pass_; }
  // Once a second of `now_us`; reading a file, also once enough packets were read (see .cc).
  bool housekeepingDue(uint64_t now_us, bool file) const;
  // Every packet the owning thread reads, whichever shard it belongs to (paces housekeeping).
  void packetRead() { ++packets_since_housekeeping_; }

  // Flows with nDPI risks that housekeeping expired, kept (while collecting) for the alert
  // engine until it takes them: at most kMaxExpiredRisky, the rest counted as dropped. While
  // collecting, also the flows without risks of the protocols of the active unexpected-server
  // checks (`kinds`: dpi::serverCheckBit's bits), in a buffer of their own (at most
  // kMaxExpiredRisky more; beyond, not kept and not counted: they are not alerts), so that
  // they never take a risky flow's place.
  static constexpr size_t kMaxExpiredRisky = 4096;
  void collectExpiredRisky(bool on) { collect_risky_.store(on, std::memory_order_relaxed); }
  void collectServerFlows(uint8_t kinds) { server_kinds_.store(kinds, std::memory_order_relaxed); }
  // Moves them to `out` and returns how many were dropped since (caller holds the reader lock).
  uint64_t takeExpiredRisky(std::vector<flow::Flow>* out);

  const flow::FlowTable& flows() const { return flows_; }
  const ShardCounters& counters() const { return counters_; }
  uint64_t lastPacketUs() const { return last_packet_us_; }
  void resetCounters();

 private:
  struct FragmentEntry {
    std::array<uint8_t, 16> src, dst;
    uint32_t id = 0;
    uint8_t proto = 0;
    uint16_t src_port = 0, dst_port = 0;
    bool used = false;
  };
  void setMacs(flow::Flow& f, const decode::DecodedPacket& p);
  void publishFlowCounts();
  void bindHosts(flow::Flow& f);  // shared->mutex held
  void syncFlow(flow::Flow& f, uint64_t now_us);  // shared->mutex held
  void releaseFlow(flow::Flow& f);                // shared->mutex held
  void rememberFragment(const decode::DecodedPacket& p);
  bool recallFragment(decode::DecodedPacket& p) const;
  void updateTcp(flow::Flow& f, flow::Direction& d, const decode::DecodedPacket& p, bool from_client);

  EngineLimits limits_;
  mutable util::AdaptiveMutex mutex_;
  mutable std::atomic<int> readers_waiting_{0};
  flow::FlowTable flows_;
  std::unique_ptr<dpi::DpiEngine> dpi_;
  SharedTables* shared_;
  ShardCounters counters_;
  std::array<FragmentEntry, 256> fragments_{};
  void bindWaiting();                 // shared->mutex held: binds unbound_
  std::vector<flow::Flow*> unbound_;  // flows created since bindNewFlows()
  bool waiting_published_ = false;    // shared->waiting_flows holds unbound_'s size
  uint32_t fragment_next_ = 0;
  uint64_t last_packet_us_ = 0;
  uint64_t last_housekeeping_us_ = 0;
  uint64_t packets_since_housekeeping_ = 0;
  size_t clock_slot_ = 0;  // this shard's entry in shared_->shard_clocks
  std::atomic<bool> collect_risky_{false};
  std::atomic<uint8_t> server_kinds_{0};
  size_t expired_servers_ = 0;  // mutex_ held: the server flows among expired_risky_
  std::vector<flow::Flow> expired_risky_;  // mutex_ held
  uint64_t expired_risky_dropped_ = 0;     // mutex_ held
  bool in_pass_ = false;   // a housekeeping pass is under way, next at pass_position_
  size_t pass_position_ = 0;
};

}  // namespace flowlens
