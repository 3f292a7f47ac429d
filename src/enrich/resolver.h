#pragma once
// Host names: reverse DNS on one c-ares event-loop thread (many queries in flight, none of them
// blocking a caller), names learned from the traffic (DNS answers), and names set by scripts.
// Known names live in a bounded in-memory table and are written through to the key-value store
// under ntopng's key (ntopng.dns.cache.<ip>, with a lifetime), where a restart finds them again.
//
// Callers never wait on the network: resolveAsync() and learn() queue and return; the queue is
// bounded and what does not fit is counted as dropped. Only resolveHost() (a script asked for
// it, as ntopng's does synchronously) waits, for at most its timeout.
//
// Thread-safe: every public member may be called from any thread.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/result.h"
#include "util/ip.h"

namespace flowlens::enrich {

// Which address resolveHost() answers with.
enum class Family : uint8_t { kIpv4, kIpv6, kPreferIpv4 };

// Where a name came from; a name is replaced only by one of the same or a stronger source.
enum class NameSource : uint8_t { kReverseDns = 0, kDnsAnswer = 1, kUser = 2 };

struct ResolverConfig {
  std::string servers;         // c-ares servers CSV, "127.0.0.1:5353,[::1]:53"; "" = resolv.conf
  int dns_mode = 0;            // ntopng's -n: 0 local hosts, 1 all, 2 none (answers decoded), 3 none
  size_t max_queue = 4096;     // addresses waiting for a query; beyond, dropped (counted)
  size_t max_in_flight = 64;   // queries outstanding at once
  int timeout_ms = 1500;       // per try
  int tries = 2;
  uint32_t ttl_s = 3600;       // lifetime of a name, in memory and in the store (ntopng's)
  uint32_t negative_ttl_s = 300;  // an address without a name is not asked again for this long
  size_t max_names = 131072;   // names kept in memory (oldest forgotten first)
};

struct ResolverStats {
  uint64_t queued = 0;     // reverse lookups accepted
  uint64_t resolved = 0;   // ... answered with a name
  uint64_t not_found = 0;  // ... answered NXDOMAIN / no PTR
  uint64_t failed = 0;     // ... timed out or failed otherwise
  uint64_t dropped = 0;    // refused: the queue was full
  uint64_t from_store = 0; // answered by the key-value store without a query
  uint64_t learned = 0;    // names learned from traffic or set by scripts
  uint64_t wakeups = 0;    // times a lookup or a name to store woke the thread
  size_t pending = 0, in_flight = 0, names = 0;
};

// The key-value store behind the names; called on the resolver thread only.
struct NameStore {
  std::function<std::optional<std::string>(const std::string& ip)> get;
  std::function<void(const std::string& ip, const std::string& name, uint32_t ttl_s)> put;
};

class Resolver {
 public:
  // The c-ares channel is set up here; an unusable server list is an error. The thread starts
  // with start() (after the daemon dropped its privileges).
  static Result<std::unique_ptr<Resolver>> create(const ResolverConfig& config);
  ~Resolver();
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;

  // Names persist there from now on (may be set before or after start()).
  void setStore(NameStore store);
  void start();
  void stop();  // outstanding queries are cancelled; idempotent

  // ntopng's -n: should a new host be resolved without being asked?
  bool resolvesAutomatically(bool local_host) const;
  // Are names read from DNS answers (-n 0..2)?
  bool learnsFromAnswers() const { return config_.dns_mode <= 2; }

  // Queues a reverse lookup unless the name is known, queued, or -n forbids resolving numeric
  // addresses (2, 3). False when nothing was queued.
  bool resolveAsync(const util::IpAddress& ip);
  // A name seen in the traffic or given by a script (raw bytes: escaped where output), written
  // to the store unless `persist` is false (the caller stores it itself).
  void learn(const util::IpAddress& ip, std::string_view name, NameSource source,
             bool persist = true);
  // The known name of `ip` (memory only: never waits).
  std::optional<std::string> name(const util::IpAddress& ip) const;
  // The first address of `family` that `host` resolves to (kPreferIpv4: an IPv4 one when there
  // is one, else IPv6), waiting at most `timeout`.
  Result<std::string> resolveHost(std::string_view host, Family family,
                                  std::chrono::milliseconds timeout);

  ResolverStats stats() const;
  const ResolverConfig& config() const { return config_; }

  // Queued work waits at most about this long for the thread, or for the work it is doing
  // when it outlasts the window (see wakeForBackground).
  static constexpr int64_t kCoalesceMs = 20;

  struct Channel;  // c-ares state, resolver thread only (public for the C callbacks)

 private:
  struct IpHash {
    size_t operator()(const util::IpAddress& a) const;
  };
  struct Entry {
    std::string name;  // empty: no name (negative entry)
    NameSource source = NameSource::kReverseDns;
    uint64_t expires_s = 0;
  };
  struct Forward;
  struct Persist {
    util::IpAddress ip;
    std::string name;
  };

  explicit Resolver(const ResolverConfig& config);
  void run();
  void wake();
  // Background work (a lookup or a name to store) wakes the thread unless it drained such work
  // less than kCoalesceMs ago (then it comes back by itself at quiet_at_ms_) and the queue is
  // under half full: a burst of new hosts costs it (and the packet thread that queued them) one
  // wake-up per kCoalesceMs, not one per host. A script's resolveHost() always wakes it.
  void wakeForBackground(bool half_full);
  static int64_t steadyMs();
  // False when a stronger, unexpired name stays. names_mutex_ held by the caller.
  bool remember(const util::IpAddress& ip, std::string name, NameSource source, uint32_t ttl_s);
  void finishReverse(const util::IpAddress& ip, int status, const char* name);
  static uint64_t nowSeconds();

  ResolverConfig config_;
  std::unique_ptr<Channel> channel_;
  int wake_fd_ = -1;  // eventfd: work arrived, or stop
  std::thread thread_;
  std::atomic<bool> running_{false};
  std::atomic<int64_t> quiet_at_ms_{0};  // the thread drains again by then (see wakeForBackground)

  mutable std::shared_mutex names_mutex_;
  std::unordered_map<util::IpAddress, Entry, IpHash> names_;
  std::deque<util::IpAddress> names_order_;  // insertion order, for forgetting the oldest

  mutable std::mutex queue_mutex_;
  std::deque<util::IpAddress> pending_;
  std::unordered_set<util::IpAddress, IpHash> queued_;  // pending or in flight
  std::vector<std::shared_ptr<Forward>> forwards_;
  std::vector<Persist> to_persist_;
  NameStore store_;
  std::atomic<size_t> in_flight_{0};  // written by the resolver thread only

  std::atomic<uint64_t> queued_count_{0}, resolved_{0}, not_found_{0}, failed_{0}, dropped_{0},
      from_store_{0}, learned_{0}, wakeups_{0};
};

}  // namespace flowlens::enrich
