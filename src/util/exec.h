#pragma once
// Runs shell commands for ntop.execCmd / execCmdAsync / readResultCmdAsync.
// Output is capped and every command has a time limit; a command past it is killed.
// Thread-safe.

#include <chrono>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "core/result.h"

namespace flowlens::util {

class CommandRunner {
 public:
  static constexpr size_t kMaxOutput = 4u << 20;
  static constexpr int kMaxJobs = 16;          // running at once
  static constexpr int kMaxUnreadResults = 64;  // finished, not taken: the oldest are dropped

  // Runs `/bin/sh -c cmd` and returns its standard output.
  static Result<std::string> run(const std::string& cmd, std::chrono::milliseconds timeout);

  // Starts a command in the background; returns its handle.
  Result<int> start(const std::string& cmd, std::chrono::milliseconds timeout);
  // The output once the command has ended (the handle is then forgotten); nullopt while it runs.
  Result<std::optional<std::string>> take(int handle);

 private:
  std::mutex mu_;
  int next_handle_ = 1;
  std::map<int, std::future<Result<std::string>>> jobs_;
};

}  // namespace flowlens::util
