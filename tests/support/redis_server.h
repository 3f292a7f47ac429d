#pragma once
// A throw-away redis-server for tests: listens on a free 127.0.0.1 port, works in its own
// temporary directory, persists nothing (--save "" --appendonly no). The constructor starts it
// and waits until it answers PING; the destructor stops it (SIGTERM, then SIGKILL) and removes
// the directory. stop() and start() restart it on the same port, for fault tests.
// The server dies with the test process (PR_SET_PDEATHSIG: strictly, with the thread that
// started it, so start it from a thread that outlives it). Not thread-safe.

#include <sys/types.h>

#include <chrono>
#include <string>

#include "core/options.h"
#include "core/result.h"

namespace flowlens::testing {

class RedisServer {
 public:
  // Starts the server; check ok() (and error()) before using it.
  RedisServer();
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  bool ok() const { return pid_ > 0; }
  const std::string& error() const { return error_; }
  int port() const { return port_; }
  // 127.0.0.1:port, db 0.
  RedisEndpoint endpoint() const;

  // Starts the server again on the same port (after stop()), waiting until it answers PING.
  Status start();
  // SIGTERM, then SIGKILL if it has not exited within `grace`; waits for the process to end.
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(3000));
  // SIGSTOP / SIGCONT: a server that accepts connections but never answers (a hung server).
  void pause();
  void resume();
  // True when a PING on a new connection gets +PONG within `timeout`.
  bool ping(std::chrono::milliseconds timeout = std::chrono::milliseconds(500)) const;

 private:
  Status spawn();

  pid_t pid_ = -1;
  int port_ = 0;
  std::string dir_;
  std::string error_;
};

}  // namespace flowlens::testing
