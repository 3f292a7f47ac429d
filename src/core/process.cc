#include "core/process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace flowlens::process {
namespace {

std::atomic<bool> g_stop{false};
std::atomic<bool> g_reload{false};

void onStop(int) { g_stop.store(true); }
void onHup(int) { g_reload.store(true); }

}  // namespace

void installSignalHandlers() {
  struct sigaction sa {};
  sigemptyset(&sa.sa_mask);
  sa.sa_handler = onStop;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  sa.sa_handler = onHup;
  sigaction(SIGHUP, &sa, nullptr);
  sa.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &sa, nullptr);
}

bool stopRequested() { return g_stop.load(); }
void requestStop() { g_stop.store(true); }
bool takeReloadRequest() { return g_reload.exchange(false); }

Status daemonize() {
  pid_t pid = fork();
  if (pid < 0) return Error{std::string("fork: ") + std::strerror(errno)};
  if (pid > 0) _exit(0);
  if (setsid() < 0) return Error{std::string("setsid: ") + std::strerror(errno)};
  pid = fork();
  if (pid < 0) return Error{std::string("fork: ") + std::strerror(errno)};
  if (pid > 0) _exit(0);
  umask(022);
  int fd = open("/dev/null", O_RDWR);
  if (fd >= 0) {
    dup2(fd, STDIN_FILENO);
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    if (fd > STDERR_FILENO) close(fd);
  }
  return Status::Ok();
}

Status writePidFile(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (!f) return Error{"cannot write pid file '" + path + "': " + std::strerror(errno)};
  std::fprintf(f, "%d\n", static_cast<int>(getpid()));
  std::fclose(f);
  return Status::Ok();
}

void removePidFile(const std::string& path) {
  if (!path.empty()) unlink(path.c_str());
}

}  // namespace flowlens::process
