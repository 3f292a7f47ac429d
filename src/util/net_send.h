#pragma once
// Sending from scripts (spec section 24): a UDP datagram, data over a kept TCP connection, and
// a TCP reachability probe. Hosts are IPv4 or IPv6 address literals (no name lookup: a script
// that has a name resolves it with ntop.resolveHost first). Every wait is bounded. Thread-safe.

#include <chrono>
#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <string_view>

#include "core/result.h"

namespace flowlens::util {

// One datagram to host:port.
Status sendUdp(std::string_view host, uint16_t port, std::string_view data);

// Whether a TCP connection to host:port is accepted within `timeout` (the connection is closed
// at once). An address that does not parse is an error.
Result<bool> tcpProbe(std::string_view host, uint16_t port, std::chrono::milliseconds timeout);

// TCP connections kept open between sends, one per host:port (at most kMaxConnections; the
// least recently used goes first). A send on a connection the peer closed (or reset before
// any of it went out) reconnects once; a send that timed out or went out in part is not
// repeated. Sends to different places never wait for each other.
class TcpSender {
 public:
  static constexpr size_t kMaxConnections = 16;
  TcpSender() = default;
  ~TcpSender();
  TcpSender(const TcpSender&) = delete;
  TcpSender& operator=(const TcpSender&) = delete;

  // Sends all of `data`, waiting at most `timeout` to connect and at most `timeout` to send.
  Status send(std::string_view host, uint16_t port, std::string_view data,
              std::chrono::milliseconds timeout);
  size_t openConnections() const;

 private:
  struct Connection {
    std::string key;  // "host|port"
    int fd = -1;
  };
  // Puts a connection (back) at the front of the list.
  Status keep(const std::string& key, int fd);
  mutable std::mutex mu_;
  std::list<Connection> connections_;  // most recently used first
};

}  // namespace flowlens::util
