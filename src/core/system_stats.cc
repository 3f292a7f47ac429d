#include "core/system_stats.h"

#include <dirent.h>

#include <fstream>
#include <numeric>
#include <sstream>

namespace flowlens {
namespace {

uint64_t fieldKb(const std::string& line) {
  std::istringstream ss(line.substr(line.find(':') + 1));
  uint64_t v = 0;
  ss >> v;
  return v;
}

}  // namespace

MemInfo readMemInfo() {
  MemInfo m;
  std::ifstream in("/proc/meminfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("MemTotal:", 0) == 0) m.total = fieldKb(line);
    else if (line.rfind("MemFree:", 0) == 0) m.free = fieldKb(line);
    else if (line.rfind("Buffers:", 0) == 0) m.buffers = fieldKb(line);
    else if (line.rfind("Cached:", 0) == 0) m.cached = fieldKb(line);
    else if (line.rfind("SReclaimable:", 0) == 0) m.sreclaimable = fieldKb(line);
    else if (line.rfind("Shmem:", 0) == 0) m.shmem = fieldKb(line);
  }
  const uint64_t avail = m.free + m.buffers + m.cached + m.sreclaimable;
  m.used = m.total > avail ? m.total - avail + m.shmem : 0;
  std::ifstream status("/proc/self/status");
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) m.process_resident = fieldKb(line);
    else if (line.rfind("VmSize:", 0) == 0) m.process_virtual = fieldKb(line);
  }
  return m;
}

std::vector<ThreadInfo> listThreads() {
  std::vector<ThreadInfo> out;
  DIR* d = opendir("/proc/self/task");
  if (!d) return out;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    ThreadInfo t;
    t.tid = std::atoi(e->d_name);
    const std::string base = std::string("/proc/self/task/") + e->d_name;
    std::ifstream comm(base + "/comm");
    std::getline(comm, t.name);
    std::ifstream stat(base + "/stat");
    std::string s((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    // Fields after the ")" that ends the command name: state is field 3, utime 14, stime 15.
    if (auto close = s.rfind(')'); close != std::string::npos) {
      std::istringstream ss(s.substr(close + 2));
      std::string skip;
      for (int i = 3; i < 14 && ss >> skip; ++i) {
      }
      ss >> t.user_ticks >> t.system_ticks;
    }
    out.push_back(std::move(t));
  }
  closedir(d);
  return out;
}

std::optional<double> CpuLoad::refresh() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  in >> cpu;
  if (cpu != "cpu") return std::nullopt;
  std::vector<uint64_t> now;
  uint64_t v;
  while (now.size() < 10 && in >> v) now.push_back(v);
  now.resize(10, 0);
  std::lock_guard<std::mutex> lock(mu_);
  if (prev_.size() == now.size()) {
    std::vector<double> delta(now.size());
    double total = 0;
    for (size_t i = 0; i < now.size(); ++i) {
      delta[i] = now[i] >= prev_[i] ? static_cast<double>(now[i] - prev_[i]) : 0;
      total += delta[i];
    }
    if (total > 0) {
      static const char* kNames[] = {"user", "nice",    "system", "idle",  "iowait",
                                     "irq",  "softirq", "steal",  "guest", "guest_nice"};
      for (size_t i = 0; i < now.size(); ++i) states_[kNames[i]] = 100.0 * delta[i] / total;
      last_ = 100.0 - states_["idle"] - states_["iowait"];
    }
  }
  prev_ = std::move(now);
  return last_;
}

std::optional<double> CpuLoad::last() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_;
}

std::map<std::string, double> CpuLoad::states() const {
  std::lock_guard<std::mutex> lock(mu_);
  return states_;
}

std::optional<double> CpuLoad::loadAverage() {
  std::ifstream in("/proc/loadavg");
  double l = 0;
  if (in >> l) return l;
  return std::nullopt;
}

}  // namespace flowlens
