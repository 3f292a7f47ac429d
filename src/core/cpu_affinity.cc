#include "core/cpu_affinity.h"

#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <string>

namespace flowlens::affinity {
namespace {

Result<int> parseCore(std::string_view s) {
  int v = -1;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || v < 0 || v >= CPU_SETSIZE) {
    return Error{"'" + std::string(s) + "' is not a core id"};
  }
  return v;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::vector<int> usableCores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> cores;
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return cores;
  for (int c = 0; c < CPU_SETSIZE; ++c) {
    if (CPU_ISSET(c, &set)) cores.push_back(c);
  }
  return cores;
}

const std::vector<int>& processCores() {
  static const std::vector<int> cores = usableCores();
  return cores;
}

Result<std::vector<int>> parseCoreList(std::string_view text) {
  std::vector<int> cores;
  while (true) {
    const size_t comma = text.find(',');
    const std::string_view item = trim(text.substr(0, comma));
    const size_t dash = item.find('-');
    auto first = parseCore(trim(item.substr(0, dash)));
    if (!first) return Error{"'" + std::string(item) + "' is not a core id or range"};
    int last = *first;
    if (dash != std::string_view::npos) {
      auto l = parseCore(trim(item.substr(dash + 1)));
      if (!l) return Error{"'" + std::string(item) + "' is not a core id or range"};
      if (*l < *first) return Error{"'" + std::string(item) + "' is an empty range"};
      last = *l;
    }
    for (int c = *first; c <= last; ++c) {
      if (std::find(cores.begin(), cores.end(), c) != cores.end()) {
        return Error{"core " + std::to_string(c) + " is listed twice"};
      }
      cores.push_back(c);
    }
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  const std::vector<int>& usable = processCores();
  for (int c : cores) {
    if (std::find(usable.begin(), usable.end(), c) == usable.end()) {
      std::string list;
      for (int u : usable) list += (list.empty() ? "" : ",") + std::to_string(u);
      return Error{"core " + std::to_string(c) + " is not one flowlens may run on (" + list + ")"};
    }
  }
  return cores;
}

Status bindThisThread(const std::vector<int>& cores) {
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int c : cores) CPU_SET(c, &set);
  if (const int err = pthread_setaffinity_np(pthread_self(), sizeof(set), &set); err != 0) {
    return Error{std::string("cannot bind a thread to its cores: ") + std::strerror(err)};
  }
  return Status::Ok();
}

}  // namespace flowlens::affinity
