#include "util/net_send.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
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

// poll() for `events` until `timeout` has passed (EINTR does not restart the wait): 1 when
// ready, 0 on timeout, -1 on error.
int waitFor(int fd, short events, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{fd, events, 0};
    const int n = poll(&p, 1, int(std::clamp<int64_t>(left.count(), 0, INT32_MAX)));
    if (n >= 0 || errno != EINTR) return n;
  }
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

// Whether the peer has closed (or reset) a kept connection. Anything it sent meanwhile is read
// and dropped: the sender does not read replies, and a close behind them must still be seen.
bool peerClosed(int fd) {
  pollfd p{fd, POLLIN | POLLRDHUP, 0};
  if (poll(&p, 1, 0) <= 0) return false;
  if (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) return true;
  char buf[512];
  for (;;) {
    const ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0) continue;
    if (n == 0) return true;
    return errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
  }
}

// Writes all of `data` within `timeout`; false with errno set otherwise. `*written` counts what
// went out.
bool writeAll(int fd, std::string_view data, std::chrono::milliseconds timeout, size_t* written) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  *written = 0;
  while (*written < data.size()) {
    const ssize_t n = ::send(fd, data.data() + *written, data.size() - *written, MSG_NOSIGNAL);
    if (n > 0) {
      *written += size_t(n);
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
  // The kept connection is taken out of the list for the send: other callers (other places,
  // or a second connection to this one) never wait behind this one's network waits.
  int fd = -1;
  {
    std::lock_guard g(mu_);
    for (auto it = connections_.begin(); it != connections_.end(); ++it) {
      if (it->key == key) {
        fd = it->fd;
        connections_.erase(it);
        break;
      }
    }
  }
  size_t written = 0;
  if (fd >= 0) {
    if (!peerClosed(fd)) {
      if (writeAll(fd, data, timeout, &written)) return keep(key, fd);
      const int e = errno;
      close(fd);
      // Part of it went out, or the peer is slow: sending it all again would garble or repeat.
      if (written > 0 || (e != EPIPE && e != ECONNRESET)) {
        errno = e;
        return Error{errnoText("send")};
      }
    } else {
      close(fd);  // the peer closed it since: connect again, once
    }
  }
  fd = connectWithin(*a, timeout);
  if (fd < 0) return Error{errnoText(("connect to " + key).c_str())};
  if (!writeAll(fd, data, timeout, &written)) {
    const std::string message = errnoText("send");
    close(fd);
    return Error{message};
  }
  return keep(key, fd);
}

Status TcpSender::keep(const std::string& key, int fd) {
  std::lock_guard g(mu_);
  for (auto it = connections_.begin(); it != connections_.end(); ++it) {
    if (it->key == key) {  // another caller kept one meanwhile: one per place is enough
      close(it->fd);
      connections_.erase(it);
      break;
    }
  }
  if (connections_.size() >= kMaxConnections) {
    close(connections_.back().fd);
    connections_.pop_back();
  }
  connections_.push_front(Connection{key, fd});
  return Status::Ok();
}

}  // namespace flowlens::util
