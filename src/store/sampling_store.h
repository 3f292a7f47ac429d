#pragma once
// Per-interface historical samples (spec section 13): text documents (ntopng's top talkers
// JSON) kept by minute, hour and day in one SQLite file per interface,
// <workingdir>/<ifid>/top_talkers/top_talkers.db, with ntopng's tables (MINUTE_STATS,
// HOUR_STATS, DAY_STATS: TSTAMP INTEGER PRIMARY KEY, STATS TEXT). Files open on first use and
// stay open. Thread-safe: one mutex per file.

#include <cstdint>
#include <ctime>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

struct sqlite3;

namespace flowlens::store {

enum class Granularity { kMinute, kHour, kDay };

struct Sample {
  time_t when = 0;
  std::string data;
};

class SamplingStore {
 public:
  static constexpr size_t kMaxSampleBytes = 16u << 20;
  static constexpr size_t kMaxRangeBytes = 128u << 20;  // a larger range answer is an error

  explicit SamplingStore(std::string workingdir) : workingdir_(std::move(workingdir)) {}
  ~SamplingStore();
  SamplingStore(const SamplingStore&) = delete;
  SamplingStore& operator=(const SamplingStore&) = delete;

  // Stores `data` at `when` (minute samples to the second, hour and day samples to the minute,
  // as ntopng keys them); a sample at the same key is replaced.
  Status insert(int ifid, Granularity g, time_t when, std::string_view data);
  // The last minute sample within the minute of `epoch`; nullopt when there is none.
  Result<std::optional<std::string>> minuteAt(int ifid, time_t epoch);
  // Samples with from <= time <= to, oldest first.
  Result<std::vector<Sample>> range(int ifid, Granularity g, time_t from, time_t to);
  // Removes samples before `cutoff`; returns how many.
  Result<int64_t> deleteBefore(int ifid, Granularity g, time_t cutoff);

  std::string path(int ifid) const;

 private:
  struct Db {
    std::mutex mu;
    sqlite3* db = nullptr;
  };
  Result<Db*> open(int ifid);

  const std::string workingdir_;
  std::mutex mu_;  // guards dbs_ (not the files)
  std::map<int, std::unique_ptr<Db>> dbs_;
};

}  // namespace flowlens::store
