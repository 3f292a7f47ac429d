#include "core/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/sinks/syslog_sink.h>
#include <syslog.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>

namespace flowlens::log {
namespace {

std::atomic<int> g_level{kNormal};
std::mutex g_mutex;
std::shared_ptr<spdlog::logger> g_logger;

spdlog::level::level_enum toSpd(int level) {
  switch (level) {
    case kError: return spdlog::level::err;
    case kWarning: return spdlog::level::warn;
    case kNormal: return spdlog::level::info;
    case kInfo: return spdlog::level::debug;
    default: return spdlog::level::trace;
  }
}

int toSyslog(int level) {
  switch (level) {
    case kError: return LOG_ERR;
    case kWarning: return LOG_WARNING;
    case kNormal: return LOG_NOTICE;
    case kInfo: return LOG_INFO;
    default: return LOG_DEBUG;
  }
}

std::shared_ptr<spdlog::logger> logger() {
  std::lock_guard<std::mutex> lock(g_mutex);
  if (!g_logger) {
    g_logger = std::make_shared<spdlog::logger>(
        "flowlens", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    g_logger->set_pattern("%d/%b/%Y %H:%M:%S [%l] %v");
    g_logger->set_level(spdlog::level::trace);
  }
  return g_logger;
}

}  // namespace

void init(const Config& config) {
  std::shared_ptr<spdlog::sinks::sink> sink;
  if (config.use_syslog) {
    sink = std::make_shared<spdlog::sinks::syslog_sink_mt>(config.ident, LOG_PID, LOG_DAEMON,
                                                           /*enable_formatting=*/false);
  } else {
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  }
  auto l = std::make_shared<spdlog::logger>("flowlens", sink);
  l->set_pattern(config.use_syslog ? "[%l] %v" : "%d/%b/%Y %H:%M:%S [%l] %v");
  l->set_level(spdlog::level::trace);
  l->flush_on(spdlog::level::trace);
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    g_logger = std::move(l);
  }
  setLevel(config.level);
}

void setLevel(int level) { g_level.store(std::clamp(level, 0, 4)); }
int level() { return g_level.load(std::memory_order_relaxed); }

int levelFromName(std::string_view name) {
  if (name == "error") return kError;
  if (name == "warning" || name == "warn") return kWarning;
  if (name == "normal") return kNormal;
  if (name == "info") return kInfo;
  if (name == "debug" || name == "trace") return kDebug;
  return -1;
}

const char* levelName(int level) {
  static const char* kNames[] = {"error", "warning", "normal", "info", "debug"};
  return kNames[std::clamp(level, 0, 4)];
}

void write(int level, std::string_view message) {
  level = std::clamp(level, 0, 4);
  if (level > g_level.load(std::memory_order_relaxed)) return;
  logger()->log(toSpd(level), "{}", message);
}

void syslog(int level, std::string_view message) {
  ::syslog(LOG_USER | toSyslog(std::clamp(level, 0, 4)), "%.*s",
           static_cast<int>(message.size()), message.data());
}

}  // namespace flowlens::log
