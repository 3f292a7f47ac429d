#pragma once
// The packet engine of one interface: one or more packet threads, each reading the interface's
// source, decoding every frame and keeping the flows whose address pair hashes to it (a second
// thread re-reads the source instead of receiving packets through a queue: no copy, no lock
// between packet threads). Hosts and interface aggregates are shared under one lock that the
// threads take at flow creation and once a second.
//
// Readers (Lua, HTTP) use the snapshot functions: each takes a shard lock or the shared lock for
// as long as a copy takes, never while Lua runs.

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "capture/pcap_source.h"
#include "core/result.h"
#include "dpi/dpi_engine.h"
#include "iface/live_capture.h"
#include "iface/ranking_cache.h"
#include "iface/shard.h"

namespace flowlens {

struct EngineConfig {
  capture::SourceConfig source;
  int packet_threads = 1;
  std::vector<int> cores;  // the core of each packet thread in turn (-g); none: unbound
  bool original_speed = false;  // files: replay at the capture's own pace
  EngineLimits limits;
  dpi::DpiConfig dpi;
};

// What a flow query filters and sorts on, copied from a flow under its shard's lock: a few
// dozen bytes instead of the whole flow, so a reader holds the lock for a copy loop only.
struct FlowRow {
  flow::FlowKey key;
  uint32_t hash = 0;  // Flow::hash: finds the flow again
  uint32_t serial = 0;
  uint16_t master_proto = 0, app_proto = 0, category = 0;
  bool lo_is_client = true;
  uint8_t shard = 0;
  uint64_t first_seen_us = 0, last_seen_us = 0;
  uint64_t packets_ = 0, bytes_ = 0;

  const flow::Endpoint& client() const { return lo_is_client ? key.lo : key.hi; }
  const flow::Endpoint& server() const { return lo_is_client ? key.hi : key.lo; }
  uint64_t packets() const { return packets_; }
  uint64_t bytes() const { return bytes_; }

  static FlowRow of(const flow::Flow& f, uint8_t shard);
};

// The first rows of a flow query in its order (as many as the page that built it reached), and
// how many flows matched.
struct FlowRanking {
  uint64_t total = 0;
  std::vector<FlowRow> rows;
};

// Interface counters summed over the shards.
struct EngineTotals {
  uint64_t packets = 0, bytes = 0, ip_packets = 0, non_ip_packets = 0, fragments = 0;
  uint64_t malformed = 0, kernel_drops = 0, flow_drops = 0, host_drops = 0;
  uint64_t flows = 0, hosts = 0, macs = 0, flows_created = 0;
  std::array<uint64_t, size_t(decode::Reason::kCount)> malformed_by_reason{};
};

class PacketEngine {
 public:
  // Opens the sources (so a bad interface or file fails here, before any thread starts).
  static Result<std::unique_ptr<PacketEngine>> create(const EngineConfig& config,
                                                      HostHooks hooks);
  ~PacketEngine();

  void start();
  void stop();  // joins the threads; data stays readable
  bool running() const { return running_threads_.load() > 0; }
  // Every thread reached the end of its file (never true for live sources).
  bool finished() const { return finished_threads_.load() == int(shards_.size()); }
  // Packet threads that reached the end of their file: a ranking made before one did is stale.
  int finishedThreads() const { return finished_threads_.load(); }
  bool isFile() const { return config_.source.file; }
  int linkType() const { return link_type_; }
  // The latest packet timestamp (microseconds since the epoch); 0 before the first.
  uint64_t lastPacketUs() const;
  // Wall-clock seconds spent processing (first packet to the end of a file, or to now).
  double processingSeconds() const;

  EngineTotals totals() const;
  uint64_t localHosts() const;
  // Copies of the flows for which `keep` is true (dpi_state cleared).
  std::vector<flow::Flow> flows(const std::function<bool(const flow::Flow&)>& keep = {}) const;
  // Visits every flow, taking each shard's lock for kScanChunk pool slots at a time, so a long
  // scan never holds a packet thread up for long. Each flow is seen in a consistent state, and
  // each flow that stays through the scan exactly once (slots do not move).
  void scanFlows(const std::function<void(const flow::Flow&)>& visit) const;
  // Visits a row of every flow. Rows are copied under each shard's lock kScanChunk at a time
  // and visited after it is released: `visit` never holds a packet thread up.
  void scanFlowRows(const std::function<void(const FlowRow&)>& visit) const;
  // The flows behind `rows` that are still there, copied (dpi_state cleared) with their shard,
  // under one hold of each shard's lock (a page of flows costs a lock per shard, not per flow).
  std::vector<std::pair<uint8_t, flow::Flow>> fetchFlows(const std::vector<FlowRow>& rows) const;
  // The same over hosts, under the shared lock kScanChunk hosts at a time (each host once).
  void scanHosts(const std::function<void(const host::Host&)>& visit) const;
  // Batched walks (ntopng's begin_slot / nextSlot): copies into `out` up to `max` hosts that
  // `keep` accepts, from slot `from` on (0 = the start), in slot order; returns the slot to go
  // on from, or 0 at the end. Host slots are stable, so a walk in several calls sees each host
  // that stays exactly once, and hosts created meanwhile in free slots ahead of it.
  uint64_t walkHosts(uint64_t from, size_t max, const std::function<bool(const host::Host&)>& keep,
                     std::vector<host::Host>* out) const;
  // The same over flows, in (shard, serial) order: the slot is shard << 32 | the last serial
  // returned. A flow that stays is seen once; flows created during the walk have higher
  // serials and are seen too. Each call scans (at least) one shard twice.
  uint64_t walkFlows(uint64_t from, size_t max, const std::function<bool(const flow::Flow&)>& keep,
                     std::vector<flow::Flow>* out) const;
  // The alert engine's feed: flows with nDPI risks expired since the last take (see
  // Shard::takeExpiredRisky), kept only once collecting is on. Returns how many were dropped.
  void collectExpiredRisky(bool on);
  // Also the expired flows of the active unexpected-server checks' protocols (`kinds`: see
  // Shard::collectServerFlows); only while collecting expired risky flows. A reader's request,
  // as the alert engine's: const.
  void collectServerFlows(uint8_t kinds) const;
  uint64_t takeExpiredRisky(std::vector<flow::Flow>* out) const;
  static constexpr size_t kScanChunk = 4096;
  // Runs `read` under the shared lock: keep it short (copy, then work outside).
  void readShared(const std::function<void(const host::HostTable&, const TrafficStats&)>& read) const;
  void resetCounters();
  // HostTable::resetHost / resetMac under the shared lock.
  bool resetHost(const util::IpAddress& ip, uint16_t vlan, bool forget);
  bool resetMac(const std::array<uint8_t, 6>& mac);
  // Applies `update` to every host, kScanChunk host slots per hold of the shared lock (it may
  // change a host's own fields, not its address or VLAN).
  void updateHosts(const std::function<void(host::Host&)>& update);
  // HostTable::setMacDeviceType under the shared lock.
  bool setMacDeviceType(const std::array<uint8_t, 6>& mac, uint8_t type, bool overwrite);
  // Rankings reused by queryHosts / queryFlows for up to a second (cleared by resetCounters).
  RankingCache<HostRanking>& hostRankings() const { return host_rankings_; }
  RankingCache<FlowRanking>& flowRankings() const { return flow_rankings_; }
  // Hosts' and host pools' throughput over the last `seconds` (called once a second).
  void sampleThroughput(double seconds);
  // Zeroes the traffic counters of host pool `pool`, or of every pool (resetPoolsQuotas).
  void resetPoolStats(std::optional<uint16_t> pool);
  const EngineConfig& config() const { return config_; }
  // Live capture with several packet threads: the kernel hands each packet to one thread's
  // socket (capture/fanout.h). Otherwise every thread reads every packet and keeps its share.
  bool kernelFanout() const { return fanout_; }
  // Packets each thread has read from its source (as of its last batch).
  std::vector<uint64_t> packetsReadPerThread() const;
  // Captures of the packets the threads keep (interface.liveCapture): each thread offers the IP
  // packets of its shard and the non-IP frames it counts (the first thread's, or with kernel
  // fanout each thread its own).
  // Shared: a reader streaming a capture keeps the registry while the engine goes.
  std::shared_ptr<LiveCaptures> liveCaptureRegistry() const { return live_; }

 private:
  PacketEngine(const EngineConfig& config, HostHooks hooks);
  void run(size_t index, capture::PcapSource source);
  // scanFlows over one shard.
  void scanShard(size_t index, const std::function<void(const flow::Flow&)>& visit) const;

  EngineConfig config_;
  int link_type_ = 0;
  std::unique_ptr<SharedTables> shared_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::vector<capture::PcapSource> sources_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stop_{false};
  std::atomic<int> running_threads_{0}, finished_threads_{0};
  std::array<std::atomic<uint64_t>, 64> kernel_drops_{};  // per packet thread (at most 64)
  std::array<std::atomic<uint64_t>, 64> packets_read_{};  // per packet thread
  bool fanout_ = false;
  uint64_t fanout_start_us_ = 0;  // with fanout: a thread skips its first packets stamped earlier
  std::atomic<int64_t> started_ns_{0}, finished_ns_{0};
  std::shared_ptr<LiveCaptures> live_;
  mutable RankingCache<HostRanking> host_rankings_;
  mutable RankingCache<FlowRanking> flow_rankings_;
};

}  // namespace flowlens
