#include "util/net_send.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/ip.h"

namespace flowlens::util {
namespace {

struct Address {
  sockaddr_storage storage{};
  socklen_t length = 0;
  int family = AF_INET;
};

Result<Address> addressOf(std::string_view host, uint16_t port) {
  auto ip = parseIp(host);
  if (!ip) return Error{"not an IP address '" + std::string(host) + "'"};
  Address a;
  if (ip->v6) {
    auto* s = reinterpret_cast<sockaddr_in6*>(&a.storage);
    s->sin6_family = AF_INET6;
    s->sin6_port = htons(port);
    std::memcpy(&s->sin6_addr, ip->bytes.data(), 16);
    a.length = sizeof(sockaddr_in6);
    a.family = AF_INET6;
  } else {
    auto* s = reinterpret_cast<sockaddr_in*>(&a.storage);
    s->sin_family = AF_INET;
    s->sin_port = htons(port);
    std::memcpy(&s->sin_addr, ip->bytes.data(), 4);
    a.length = sizeof(sockaddr_in);
  }
  return a;
}

std::string errnoText(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

int waitFor(int fd, short events, std::chrono::milliseconds timeout) {
  pollfd p{fd, events, 0};
  int n;
  do {
    n = poll(&p, 1, int(std::min<int64_t>(timeout.count(), INT32_MAX)));
  } while (n < 0 && errno == EINTR);
  return n;
}

// A non-blocking TCP socket connected to `a` within `timeout`: the descriptor, or -1 with
// errno set (ETIMEDOUT when the time ran out).
int connectWithin(const Address& a, std::chrono::milliseconds timeout) {
  const int fd = socket(a.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (connect(fd, reinterpret_cast<const sockaddr*>(&a.storage), a.length) == 0) return fd;
  if (errno != EINPROGRESS) {
    const int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  const int n = waitFor(fd, POLLOUT, timeout);
  int error = 0;
  socklen_t len = sizeof error;
  if (n == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) == 0 && error == 0) return fd;
  close(fd);
  errno = n == 0 ? ETIMEDOUT : (error != 0 ? error : EIO);
  return -1;
}

// Whether the peer has closed a kept connection (or reset it): readable with nothing to read.
bool peerClosed(int fd) {
  if (waitFor(fd, POLLIN | POLLRDHUP, std::chrono::milliseconds(0)) <= 0) return false;
  char byte;
  const ssize_t n = recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

// Writes all of `data` within `timeout`; false with errno set otherwise.
bool writeAll(int fd, std::string_view data, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n > 0) {
      done += size_t(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return false;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || waitFor(fd, POLLOUT, left) <= 0) {
      errno = ETIMEDOUT;
      return false;
    }
  }
  return true;
}

}  // namespace

Status sendUdp(std::string_view host, uint16_t port, std::string_view data) {
  auto a = addressOf(host, port);
  if (!a) return Error{a.error()};
  const int fd = socket(a->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Error{errnoText("socket")};
  const ssize_t n = sendto(fd, data.data(), data.size(), 0,
                           reinterpret_cast<const sockaddr*>(&a->storage), a->length);
  const int e = errno;
  close(fd);
  errno = e;
  if (n < 0) return Error{errnoText("sendto")};
  return Status::Ok();
}

Result<bool> tcpProbe(std::string_view host, uint16_t port, std::chrono::milliseconds timeout) {
  auto a = addressOf(host, port);
  if (!a) return Error{a.error()};
  const int fd = connectWithin(*a, timeout);
  if (fd < 0) return false;
  close(fd);
  return true;
}

TcpSender::~TcpSender() {
  for (const Connection& c : connections_) close(c.fd);
}

size_t TcpSender::openConnections() const {
  std::lock_guard g(mu_);
  return connections_.size();
}

Status TcpSender::send(std::string_view host, uint16_t port, std::string_view data,
                       std::chrono::milliseconds timeout) {
  auto a = addressOf(host, port);
  if (!a) return Error{a.error()};
  const std::string key = std::string(host) + "|" + std::to_string(port);
  std::lock_guard g(mu_);
  auto it = connections_.begin();
  while (it != connections_.end() && it->key != key) ++it;
  if (it != connections_.end()) {
    connections_.splice(connections_.begin(), connections_, it);  // most recently used
    if (!peerClosed(connections_.front().fd) && writeAll(connections_.front().fd, data, timeout)) {
      return Status::Ok();
    }
    close(connections_.front().fd);  // gone: connect again, once
    connections_.pop_front();
  }
  const int fd = connectWithin(*a, timeout);
  if (fd < 0) return Error{errnoText(("connect to " + key).c_str())};
  if (!writeAll(fd, data, timeout)) {
    const std::string message = errnoText("send");
    close(fd);
    return Error{message};
  }
  if (connections_.size() >= kMaxConnections) {
    close(connections_.back().fd);
    connections_.pop_back();
  }
  connections_.push_front(Connection{key, fd});
  return Status::Ok();
}

}  // namespace flowlens::util
