#pragma once
// Round-robin database files (spec section 14), over librrd: create, update, fetch, last
// update, tune, and the retention sweep. Times are epoch seconds, or anything rrdtool's
// at-style parser reads ("now-1h", "end-1d"). Thread-safe: librrd's reentrant calls (its
// error text is per thread); at-style parsing holds util::timezoneMutex().

#include <cstdint>
#include <ctime>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"

namespace flowlens::util::rrd {

// rrd_create: `step` seconds between primary points; `start` the last update before the first
// (values at or before it are refused); `definitions` the "DS:..." and "RRA:..." lines.
// Parent directories are created. An existing file is replaced.
Status create(const std::string& path, uint64_t step, time_t start,
              const std::vector<std::string>& definitions);

// rrd_update with one sample: `when` is "N" (now) or epoch seconds; values are numbers as
// text or "U" (unknown).
Status update(const std::string& path, const std::string& when,
              const std::vector<std::string>& values);

struct Series {
  time_t start = 0, end = 0;  // the first row is at start + step
  uint64_t step = 0;
  std::vector<std::string> names;   // data sources, in the file's order
  std::vector<double> values;       // rows x names, row-major; NaN for unknown
  size_t rows() const { return names.empty() ? 0 : values.size() / names.size(); }
  double at(size_t row, size_t ds) const { return values[row * names.size() + ds]; }
};

// A fetch's range as rrdtool takes it: epoch seconds, or at-style specs that may refer to each
// other ("end-1h", "now"). Start must come before end.
Result<std::pair<time_t, time_t>> parseRange(const std::string& start, const std::string& end);

// rrd_fetch of consolidation function `cf` (AVERAGE, MIN, MAX, LAST) over [start, end];
// `resolution` 0 lets librrd choose the finest archive that covers the range. A range of more
// than kMaxFetchValues values (points times data sources) is refused.
inline constexpr uint64_t kMaxFetchValues = 4u << 20;
Result<Series> fetch(const std::string& path, const std::string& cf, time_t start, time_t end,
                     uint64_t resolution = 0);

struct LastUpdate {
  time_t when = 0;
  std::vector<std::string> names, values;  // the last values as stored ("U" when unknown)
};
Result<LastUpdate> lastUpdate(const std::string& path);

// rrd_tune with rrdtool's arguments ("--heartbeat", "ds:600", "-a", "ds:1000", ...).
Status tune(const std::string& path, const std::vector<std::string>& args);

// Removes the RRD files below `dir` (recursively, not following symbolic links) last updated
// more than `older_than` seconds before `now`, and their parent directories below `dir` that
// this leaves empty. Files that are not RRDs are left alone. `cancelled` is polled between
// files. Returns how many files were removed.
Result<size_t> deleteOlderThan(const std::string& dir, int64_t older_than, time_t now,
                               const std::function<bool()>& cancelled = {});

}  // namespace flowlens::util::rrd
