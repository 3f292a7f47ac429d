#pragma once
// A monitored network interface: its name, ifid, and the packet engine that captures, decodes
// and keeps its flows and hosts. Readers get totals and copies from the engine (thread-safe);
// "since reset" figures subtract a baseline taken by resetCounters().

#include <atomic>
#include <cstdint>
#include <ctime>
#include <memory>
#include <string>

#include "iface/packet_engine.h"

namespace flowlens {

class NetworkInterface {
 public:
  enum class Kind { kLive, kPcapFile };

  NetworkInterface(int id, std::string name, Kind kind);
  ~NetworkInterface();

  int id() const { return id_; }
  const std::string& name() const { return name_; }  // as given to -i
  Kind kind() const { return kind_; }
  // ntopng's interface type names: "pcap" (live), "pcap dump" (file).
  const char* typeName() const { return kind_ == Kind::kLive ? "pcap" : "pcap dump"; }
  time_t startEpoch() const { return start_epoch_; }

  // Opens the capture (before privileges are dropped); start() runs its threads.
  Status attach(const EngineConfig& config, HostHooks hooks);
  void start();
  void stop();
  // nullptr when nothing captures on this interface (tests, or attach() not called).
  PacketEngine* engine() const { return engine_.get(); }

  EngineTotals totals() const;
  // Totals minus the baseline of the last resetCounters().
  EngineTotals totalsSinceReset() const;
  void resetCounters();
  // Throughput over the last sampling interval; sampleThroughput() runs once a second.
  void sampleThroughput();
  double throughputBps() const { return bps_.load(std::memory_order_relaxed); }
  double throughputPps() const { return pps_.load(std::memory_order_relaxed); }
  // No packet for `idle_s` seconds of wall time (live), or a file read to its end.
  bool idle(int idle_s = 30) const;

 private:
  int id_;
  std::string name_;
  Kind kind_;
  time_t start_epoch_;
  std::unique_ptr<PacketEngine> engine_;
  mutable std::mutex reset_mutex_;
  EngineTotals baseline_;
  std::atomic<double> bps_{0}, pps_{0};
  uint64_t last_bytes_ = 0, last_packets_ = 0;
  int64_t last_sample_ns_ = 0;
  std::atomic<int64_t> last_change_ns_{0};
};

}  // namespace flowlens
