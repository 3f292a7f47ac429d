#pragma once
// Flow alerts from nDPI risks (spec sections 15 and 16): once a second a thread scans every
// interface's flows (PacketEngine::scanFlows, a shard chunk at a time: never long on a packet
// thread's lock), and the risky flows housekeeping expired since (PacketEngine::
// takeExpiredRisky: a capture file read fast expires flows between two passes), and raises one
// alert per risk a flow newly shows, as ntopng's flow risk checks do. Each alert goes to the alert store, to every registered recipient queue (their
// filters apply), and to the internal queue that ntop.popInternalAlerts() drains. A reader of
// the flow tables, like the Lua bindings; the packet path does not know it exists.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "alerts/alert_store.h"
#include "alerts/flow_checks.h"
#include "alerts/recipient_queues.h"

namespace flowlens {
class InterfaceRegistry;
}

namespace flowlens::alerts {

struct AlertCounters {
  std::atomic<uint64_t>* written = nullptr;  // alerts stored
  std::atomic<uint64_t>* dropped = nullptr;  // alerts a recipient queue or the store refused
};

class AlertEngine {
 public:
  static constexpr size_t kMaxInternal = 4096;  // popInternalAlerts' queue; the oldest go
  static constexpr size_t kBatch = 4096;        // alerts stored and queued at a time

  AlertEngine(InterfaceRegistry* interfaces, AlertStore* store, RecipientQueues* recipients,
              AlertCounters counters);
  ~AlertEngine();
  AlertEngine(const AlertEngine&) = delete;
  AlertEngine& operator=(const AlertEngine&) = delete;

  // Turns on the engines' collection of expired risky flows; then the once-a-second thread.
  void start();
  void stop();   // joins it; call before the interfaces go

  // One pass over every interface now: stores and queues the alerts it raises, kBatch at a
  // time, and returns how many; copies them to `out` when given (tests).
  size_t checkOnce(time_t now, std::vector<FlowAlert>* out = nullptr);
  // Up to `max` alerts raised and not yet popped, oldest first.
  std::vector<FlowAlert> popInternal(size_t max);
  uint64_t raised() const { return raised_.load(); }
  // Which checks run and the alert exclusions (spec section 31); the next pass applies them.
  FlowChecks& checks() { return checks_; }

 private:
  struct Seen {
    uint64_t alerted = 0;  // risks already alerted for this flow
    bool server_checked = false;  // by the unexpected-server check of its protocol
    uint64_t pass = 0;     // the last pass that saw the flow
  };
  void run();
  void flush(std::vector<FlowAlert>& batch);  // store, recipients, internal queue; clears it

  InterfaceRegistry* interfaces_;
  AlertStore* store_;
  RecipientQueues* recipients_;
  AlertCounters counters_;
  std::mutex pass_mu_;  // one pass at a time
  uint64_t pass_ = 0;
  std::unordered_map<uint64_t, Seen> seen_;  // per (ifid, flow hash, serial)
  std::mutex internal_mu_;
  std::deque<FlowAlert> internal_;
  std::atomic<uint64_t> raised_{0};
  FlowChecks checks_;

  std::mutex run_mu_;
  std::condition_variable run_cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace flowlens::alerts
