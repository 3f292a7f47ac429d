#pragma once
// Rankings reused across queries: interface.getHostsInfo / getFlowsInfo and the REST pages built
// on them sort every matching host or flow; a client polling or paging asks the same again
// within a second, while host counters only move once a second (housekeeping). Thread-safe;
// bounded. One ranking is built at a time per key: clients asking at once while it is built
// wait for it rather than each scan the tables (and hold their locks) again.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "host/host.h"

namespace flowlens {

// What the host sort columns read, copied from a host under the shared lock.
struct HostRow {
  util::IpAddress ip;
  uint16_t vlan = 0;
  uint32_t serial = 0;
  uint32_t active_flows = 0;  // as client + as server
  uint64_t first_seen_us = 0, last_seen_us = 0;
  host::Traffic traffic;
  double throughput_bps = 0;
  enrich::GeoResult geo;

  static HostRow of(const host::Host& h) {
    HostRow r;
    r.ip = h.ip;
    r.vlan = h.vlan;
    r.serial = h.serial;
    r.active_flows = h.active_flows_as_client + h.active_flows_as_server;
    r.first_seen_us = h.first_seen_us;
    r.last_seen_us = h.last_seen_us;
    r.traffic = h.traffic;
    r.throughput_bps = h.throughput_bps;
    r.geo = h.geo;
    return r;
  }
};

struct HostRanking {
  std::vector<HostRow> rows;  // every host the query matched, in its order
};

// `Ranking` under a string key (the query without paging), for kMaxAge.
template <typename Ranking>
class RankingCache {
 public:
  static constexpr std::chrono::milliseconds kMaxAge{1000};
  static constexpr size_t kMaxEntries = 32;
  static constexpr size_t kMaxRows = 1u << 20;  // ~100 MB of rows at most, for a second

  // The ranking stored under `key` less than kMaxAge ago, else null.
  std::shared_ptr<const Ranking> find(const std::string& key) const {
    std::lock_guard lock(mutex_);
    return freshLocked(key);
  }
  // The ranking under `key` if fresh, else `build()`'s, stored. While one caller builds, the
  // others asking for `key` wait and get its ranking (even one too big to store); if the
  // builder throws, one of them builds instead. A build that a clear() overtook is not stored,
  // and callers after the clear() do not wait for it.
  template <typename Build>
  std::shared_ptr<const Ranking> findOrBuild(const std::string& key, Build&& build) {
    std::unique_lock lock(mutex_);
    for (;;) {
      if (auto fresh = freshLocked(key)) return fresh;
      auto it = flights_.find(key);
      if (it == flights_.end()) break;
      const std::shared_ptr<Flight> flight = it->second;
      landed_.wait(lock, [&] { return flight->landed; });
      if (flight->ranking) return flight->ranking;
    }
    const auto flight = std::make_shared<Flight>();
    flight->generation = generation_;
    flights_[key] = flight;
    lock.unlock();
    struct Landing {  // on return or throw: waiters wake with the ranking, or none
      RankingCache* cache;
      const std::string& key;
      const std::shared_ptr<Flight>& flight;
      ~Landing() {
        std::lock_guard g(cache->mutex_);
        flight->landed = true;
        if (auto it = cache->flights_.find(key); it != cache->flights_.end() && it->second == flight) {
          cache->flights_.erase(it);
        }
        cache->landed_.notify_all();
      }
    } landing{this, key, flight};
    std::shared_ptr<const Ranking> built = build();
    {
      std::lock_guard g(mutex_);
      if (flight->generation == generation_) putLocked(key, built);
      flight->ranking = built;
    }
    return built;
  }
  // Expired rankings go at every put, so memory holds only the last second's; past kMaxEntries
  // or kMaxRows (rows of all entries together) the cache starts empty again.
  void put(const std::string& key, std::shared_ptr<const Ranking> ranking) {
    std::lock_guard lock(mutex_);
    putLocked(key, std::move(ranking));
  }
  void clear() {
    std::lock_guard lock(mutex_);
    entries_.clear();
    flights_.clear();
    ++generation_;
  }

 private:
  void putLocked(const std::string& key, std::shared_ptr<const Ranking> ranking) {
    const size_t rows = ranking->rows.size();
    if (rows > kMaxRows) return;  // too big to keep: the next query ranks again
    const auto now = Clock::now();
    std::erase_if(entries_, [&](const auto& e) { return now - e.second.at >= kMaxAge; });
    entries_.erase(key);
    size_t total = rows;
    for (const auto& [k, e] : entries_) total += e.ranking->rows.size();
    if (entries_.size() >= kMaxEntries || total > kMaxRows) entries_.clear();
    entries_[key] = {std::move(ranking), now};
  }
  using Clock = std::chrono::steady_clock;
  struct Entry {
    std::shared_ptr<const Ranking> ranking;
    Clock::time_point at;
  };
  struct Flight {  // a ranking being built
    std::shared_ptr<const Ranking> ranking;
    uint64_t generation = 0;  // clear()s before it started
    bool landed = false;
  };
  std::shared_ptr<const Ranking> freshLocked(const std::string& key) const {
    auto it = entries_.find(key);
    if (it == entries_.end() || Clock::now() - it->second.at >= kMaxAge) return nullptr;
    return it->second.ranking;
  }
  mutable std::mutex mutex_;
  std::condition_variable landed_;
  std::unordered_map<std::string, Entry> entries_;
  std::unordered_map<std::string, std::shared_ptr<Flight>> flights_;
  uint64_t generation_ = 0;
};

}  // namespace flowlens
