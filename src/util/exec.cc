#include "util/exec.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

extern char** environ;

namespace flowlens::util {

Result<std::string> CommandRunner::run(const std::string& cmd, std::chrono::milliseconds timeout) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return Error{std::string("pipe: ") + std::strerror(errno)};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);  // own group, so a kill reaches all
  posix_spawnattr_setpgroup(&attr, 0);
  const char* argv[] = {"/bin/sh", "-c", cmd.c_str(), nullptr};
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, "/bin/sh", &actions, &attr, const_cast<char**>(argv), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    return Error{std::string("cannot start command: ") + std::strerror(rc)};
  }

  std::string out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool timed_out = false;
  char buf[8192];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    const int n = poll(&p, 1, static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      timed_out = n == 0;
      break;
    }
    const ssize_t got = read(fds[0], buf, sizeof(buf));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    if (out.size() < kMaxOutput) out.append(buf, std::min<size_t>(got, kMaxOutput - out.size()));
  }
  close(fds[0]);
  // The command may have closed its output and still run: it gets the rest of the time.
  int status = 0;
  while (!timed_out) {
    const pid_t w = waitpid(pid, &status, WNOHANG);
    if (w == pid || (w < 0 && errno != EINTR)) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      timed_out = true;
      break;
    }
    usleep(5000);
  }
  if (timed_out) {
    kill(-pid, SIGKILL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  if (timed_out) return Error{"command timed out after " + std::to_string(timeout.count()) + " ms"};
  return out;
}

Result<int> CommandRunner::start(const std::string& cmd, std::chrono::milliseconds timeout) {
  std::lock_guard<std::mutex> lock(mu_);
  // Only running commands count toward the limit; results nobody reads are dropped, oldest first.
  int running = 0, unread = 0;
  for (auto& [h, f] : jobs_) {
    (f.wait_for(std::chrono::seconds(0)) == std::future_status::ready ? unread : running)++;
  }
  if (running >= kMaxJobs) {
    return Error{"too many commands running (" + std::to_string(kMaxJobs) + ")"};
  }
  for (auto it = jobs_.begin(); it != jobs_.end() && unread >= kMaxUnreadResults;) {
    if (it->second.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
      it = jobs_.erase(it);
      --unread;
    } else {
      ++it;
    }
  }
  const int handle = next_handle_++;
  jobs_[handle] = std::async(std::launch::async, [cmd, timeout] { return run(cmd, timeout); });
  return handle;
}

Result<std::optional<std::string>> CommandRunner::take(int handle) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = jobs_.find(handle);
  if (it == jobs_.end()) return Error{"unknown command handle " + std::to_string(handle)};
  if (it->second.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
    return std::optional<std::string>();
  }
  Result<std::string> r = it->second.get();
  jobs_.erase(it);
  if (!r) return Error{r.error()};
  return std::optional<std::string>(std::move(r.value()));
}

}  // namespace flowlens::util
