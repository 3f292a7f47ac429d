#include "redis_server.h"

#include "ports.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <thread>
#include <vector>

namespace flowlens::testing {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr const char* kRedisServer = "/usr/bin/redis-server";

// Waits for `pid` to exit for at most `timeout`; true when it has been reaped.
bool reap(pid_t pid, milliseconds timeout) {
  const auto until = Clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid || (r < 0 && errno == ECHILD)) return true;
    if (Clock::now() >= until) return false;
    std::this_thread::sleep_for(milliseconds(10));
  }
}

}  // namespace

RedisServer::RedisServer() {
  char tmpl[] = "/tmp/flowlens-redis-XXXXXX";
  if (!::mkdtemp(tmpl)) {
    error_ = std::string("mkdtemp: ") + std::strerror(errno);
    return;
  }
  dir_ = tmpl;
  for (int attempt = 0; attempt < 5; ++attempt) {
    port_ = freePort();
    if (port_ == 0) continue;
    Status st = spawn();
    if (st) {
      error_.clear();
      return;
    }
    error_ = st.error();
  }
}

RedisServer::~RedisServer() {
  stop();
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

RedisEndpoint RedisServer::endpoint() const {
  RedisEndpoint e;
  e.host = "127.0.0.1";
  e.port = port_;
  return e;
}

Status RedisServer::start() {
  if (pid_ > 0) return Status::Ok();
  if (port_ == 0) return Error{"no port: " + error_};
  // The port was ours a moment ago; give it a few tries should the kernel still hold it.
  Status st;
  for (int attempt = 0; attempt < 3; ++attempt) {
    st = spawn();
    if (st) return st;
    std::this_thread::sleep_for(milliseconds(200));
  }
  error_ = st.error();
  return st;
}

Status RedisServer::spawn() {
  const std::string port = std::to_string(port_);
  const std::string log = dir_ + "/redis.log";
  std::vector<std::string> args = {
      kRedisServer, "--port",       port, "--bind",      "127.0.0.1", "--dir",     dir_, "--save",
      "",           "--appendonly", "no", "--daemonize", "no",        "--logfile", log};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) return Error{std::string("fork: ") + std::strerror(errno)};
  if (pid == 0) {
    // Only async-signal-safe calls until exec: the test process has threads.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::setpgid(0, 0);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  pid_ = pid;
  const auto until = Clock::now() + milliseconds(10000);
  while (Clock::now() < until) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      pid_ = -1;
      return Error{"redis-server on port " + port + " exited at start-up (status " +
                   std::to_string(status) + "); see " + log};
    }
    if (ping(milliseconds(200))) return Status::Ok();
    std::this_thread::sleep_for(milliseconds(20));
  }
  stop();
  return Error{"redis-server on port " + port + " did not answer PING within 10 s"};
}

void RedisServer::stop(milliseconds grace) {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGCONT);  // a paused server cannot act on SIGTERM
  ::kill(pid_, SIGTERM);
  if (!reap(pid_, grace)) {
    ::kill(pid_, SIGKILL);
    reap(pid_, milliseconds(5000));
  }
  pid_ = -1;
}

void RedisServer::pause() {
  if (pid_ > 0) ::kill(pid_, SIGSTOP);
}

void RedisServer::resume() {
  if (pid_ > 0) ::kill(pid_, SIGCONT);
}

bool RedisServer::ping(milliseconds timeout) const {
  if (port_ == 0) return false;
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return false;
  const auto until = Clock::now() + timeout;
  auto left = [&] {
    const auto ms = std::chrono::duration_cast<milliseconds>(until - Clock::now()).count();
    return static_cast<int>(ms > 0 ? ms : 0);
  };
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port_));
  bool ok = false;
  do {
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
      if (errno != EINPROGRESS) break;
      pollfd p{fd, POLLOUT, 0};
      if (::poll(&p, 1, left()) != 1) break;
      int err = 0;
      socklen_t len = sizeof(err);
      if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) break;
    }
    static const char kPing[] = "PING\r\n";
    if (::send(fd, kPing, sizeof(kPing) - 1, MSG_NOSIGNAL) != sizeof(kPing) - 1) break;
    std::string got;
    while (got.size() < 7 && left() > 0) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, left()) != 1) break;
      char buf[64];
      const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
      if (n <= 0) break;
      got.append(buf, static_cast<size_t>(n));
    }
    ok = got == "+PONG\r\n";
  } while (false);
  ::close(fd);
  return ok;
}

}  // namespace flowlens::testing
