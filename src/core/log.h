#pragma once
// Process-wide logging with ntopng's trace levels (spec section 12).
// Thread-safe: backed by spdlog's multi-threaded sinks. Lines go to stderr by default,
// or to syslog (daemon mode / --syslog).

#include <spdlog/spdlog.h>

#include <string>
#include <string_view>

namespace flowlens::log {

// The spec's trace levels (ntop_defines.h values).
enum Level : int {
  kError = 0,
  kWarning = 1,
  kNormal = 2,
  kInfo = 3,
  kDebug = 4,
};

struct Config {
  int level = kNormal;
  bool use_syslog = false;
  std::string ident = "flowlens";
};

void init(const Config& config);
void setLevel(int level);
int level();
// Parses "error", "warning", "normal", "info", "debug" (or "trace"); -1 when unknown.
int levelFromName(std::string_view name);
const char* levelName(int level);

// Writes one line at `level` (clamped to 0..4). Cheap when filtered out.
void write(int level, std::string_view message);
// Writes directly to syslog regardless of the configured sink.
void syslog(int level, std::string_view message);

template <typename... Args>
void error(fmt::format_string<Args...> f, Args&&... args) {
  write(kError, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void warning(fmt::format_string<Args...> f, Args&&... args) {
  write(kWarning, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void normal(fmt::format_string<Args...> f, Args&&... args) {
  write(kNormal, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void info(fmt::format_string<Args...> f, Args&&... args) {
  if (level() >= kInfo) write(kInfo, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void debug(fmt::format_string<Args...> f, Args&&... args) {
  if (level() >= kDebug) write(kDebug, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace flowlens::log
