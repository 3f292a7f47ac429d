#pragma once
// Host and process figures read from /proc, for ntop.systemHostStat(), ntop.refreshCPULoad()
// and ntop.threadsInfo(). CpuLoad is thread-safe.

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace flowlens {

struct MemInfo {  // kB, as /proc/meminfo and ntopng report them
  uint64_t total = 0, free = 0, buffers = 0, cached = 0, sreclaimable = 0, shmem = 0, used = 0;
  uint64_t process_resident = 0, process_virtual = 0;
};

struct ThreadInfo {
  int tid = 0;
  std::string name;
  uint64_t user_ticks = 0, system_ticks = 0;
};

MemInfo readMemInfo();
std::vector<ThreadInfo> listThreads();

class CpuLoad {
 public:
  // Samples /proc/stat; returns the busy percentage since the previous sample (nullopt on the
  // first call or when /proc/stat cannot be read) and the per-state percentages.
  std::optional<double> refresh();
  std::optional<double> last() const;
  std::map<std::string, double> states() const;
  // The 1-minute load average from /proc/loadavg.
  static std::optional<double> loadAverage();

 private:
  mutable std::mutex mu_;
  std::vector<uint64_t> prev_;
  std::optional<double> last_;
  std::map<std::string, double> states_;
};

}  // namespace flowlens
