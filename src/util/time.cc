#include "util/time.h"

#include <time.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <mutex>

namespace flowlens::util {

double nowMillis() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count() / 1000.0;
}

uint64_t monotonicTicks() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * kTicksPerSecond + static_cast<uint64_t>(ts.tv_nsec);
}

int64_t roundTimeDown(int64_t epoch, int64_t secs, int64_t utc_offset_s) {
  if (secs <= 0) return epoch;
  int64_t local, floored, out;
  if (__builtin_add_overflow(epoch, utc_offset_s, &local)) return epoch;  // out of any range
  int64_t r = local % secs;
  if (r < 0) r += secs;  // floor for times before the epoch
  if (__builtin_sub_overflow(local, r, &floored) ||
      __builtin_sub_overflow(floored, utc_offset_s, &out)) {
    return epoch;
  }
  return out;
}

std::mutex& timezoneMutex() {
  static std::mutex mu;
  return mu;
}

std::optional<int64_t> utcOffset(const std::string& tz_name, int64_t epoch) {
  // TZ is process-wide: switching it must be serialised, and restored afterwards.
  std::lock_guard<std::mutex> lock(timezoneMutex());
  std::string saved;
  const char* old = std::getenv("TZ");
  const bool had = old != nullptr;
  if (had) saved = old;
  if (!tz_name.empty()) {
    if (tz_name.find("..") != std::string::npos ||
        !std::filesystem::is_regular_file("/usr/share/zoneinfo/" + tz_name)) {
      return std::nullopt;
    }
    setenv("TZ", tz_name.c_str(), 1);
    tzset();
  }
  time_t t = static_cast<time_t>(epoch);
  tm local{};
  localtime_r(&t, &local);
  const int64_t off = local.tm_gmtoff;
  if (!tz_name.empty()) {
    if (had) setenv("TZ", saved.c_str(), 1);
    else unsetenv("TZ");
    tzset();
  }
  return off;
}

}  // namespace flowlens::util
