#pragma once
// Time helpers behind spec section 23. Thread-safe.

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

namespace flowlens::util {

double nowMillis();              // wall clock, milliseconds with fraction
uint64_t monotonicTicks();       // CLOCK_MONOTONIC in nanoseconds
inline constexpr uint64_t kTicksPerSecond = 1000000000ull;

// Rounds `epoch` down to a multiple of `secs`, aligned in UTC, or in the local time of
// `utc_offset_s` seconds east of UTC (so a day boundary falls at local midnight).
int64_t roundTimeDown(int64_t epoch, int64_t secs, int64_t utc_offset_s = 0);
// The UTC offset of a named timezone ("Europe/Rome") or of the process's zone (empty name)
// at `epoch`; nullopt for an unknown zone.
std::optional<int64_t> utcOffset(const std::string& tz_name, int64_t epoch);

// Held while the process's TZ is switched (utcOffset) and by any other code whose result
// depends on it (local-time parsing in librrd): one lock for both.
std::mutex& timezoneMutex();

}  // namespace flowlens::util
