#include "util/ping.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

namespace flowlens::util {
namespace {

int openRaw(int family, const std::string& ifname) {
  const int fd = socket(family, SOCK_RAW | SOCK_CLOEXEC,
                        family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6);
  if (fd < 0) return -1;
  if (!ifname.empty() &&
      setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname.c_str(), socklen_t(ifname.size())) != 0) {
    close(fd);
    return -1;
  }
  // Only echo replies reach the socket: a raw socket otherwise gets a copy of all the host's
  // ICMP.
  int rc;
  if (family == AF_INET6) {
    icmp6_filter filter;
    ICMP6_FILTER_SETBLOCKALL(&filter);
    ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &filter);
    rc = setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof filter);
  } else {
    constexpr int kIcmpFilter = 1;  // linux/icmp.h's ICMP_FILTER (that header clashes with netinet's)
    const uint32_t blocked = ~(1u << ICMP_ECHOREPLY);
    rc = setsockopt(fd, SOL_RAW, kIcmpFilter, &blocked, sizeof blocked);
  }
  if (rc != 0) {
    const int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  return fd;
}

uint16_t checksum(const uint8_t* data, size_t len) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < len; i += 2) sum += uint32_t(data[i]) << 8 | data[i + 1];
  if (len & 1) sum += uint32_t(data[len - 1]) << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return uint16_t(~sum);
}

}  // namespace

Result<std::unique_ptr<Pinger>> Pinger::open(const std::string& ifname) {
  if (ifname.size() >= IFNAMSIZ) return Error{"interface name too long '" + ifname + "'"};
  std::unique_ptr<Pinger> p(new Pinger());
  p->fd4_ = openRaw(AF_INET, ifname);
  const int e4 = errno;
  p->fd6_ = openRaw(AF_INET6, ifname);
  if (p->fd4_ < 0 && p->fd6_ < 0) {
    return Error{std::string("no ICMP socket") + (ifname.empty() ? "" : " on " + ifname) + ": " +
                 std::strerror(e4)};
  }
  static std::atomic<uint16_t> next_id{uint16_t(std::random_device{}())};
  p->id_ = next_id.fetch_add(1);  // distinct per pinger in this process
  try {
    p->receiver_ = std::thread([raw = p.get()] { raw->receive(); });
  } catch (const std::system_error& e) {
    return Error{std::string("no receiver thread: ") + e.what()};
  }
  return p;
}

bool Pinger::probe(const std::string& ifname) {
  if (ifname.size() >= IFNAMSIZ) return false;
  for (int family : {AF_INET, AF_INET6}) {
    const int fd = openRaw(family, ifname);
    if (fd >= 0) {
      close(fd);
      return true;
    }
  }
  return false;
}

Pinger::~Pinger() {
  stop_ = true;
  if (receiver_.joinable()) receiver_.join();
  if (fd4_ >= 0) close(fd4_);
  if (fd6_ >= 0) close(fd6_);
}

Status Pinger::ping(const IpAddress& ip) {
  const int fd = ip.v6 ? fd6_ : fd4_;
  if (fd < 0) return Error{ip.v6 ? "no ICMPv6 socket" : "no ICMP socket"};
  uint16_t seq;
  {
    std::lock_guard g(mu_);
    // Requests nobody answered are forgotten, so the table stays small.
    const auto now = std::chrono::steady_clock::now();
    if (pending_.size() >= kMaxInFlight) {
      std::erase_if(pending_, [&](const auto& kv) { return now - kv.second.at > kForgetAfter; });
      if (pending_.size() >= kMaxInFlight) return Error{"too many pings waiting for an answer"};
    }
    seq = next_seq_++;
    pending_[seq] = Sent{ip, now};
  }
  uint8_t packet[64] = {};
  packet[0] = ip.v6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO;
  packet[4] = uint8_t(id_ >> 8);
  packet[5] = uint8_t(id_);
  packet[6] = uint8_t(seq >> 8);
  packet[7] = uint8_t(seq);
  std::memcpy(packet + 8, "flowlens ping", 13);
  if (!ip.v6) {  // the kernel fills ICMPv6's checksum in
    const uint16_t sum = checksum(packet, sizeof packet);
    packet[2] = uint8_t(sum >> 8);
    packet[3] = uint8_t(sum);
  }
  sockaddr_storage to{};
  socklen_t len;
  if (ip.v6) {
    auto* s = reinterpret_cast<sockaddr_in6*>(&to);
    s->sin6_family = AF_INET6;
    std::memcpy(&s->sin6_addr, ip.bytes.data(), 16);
    len = sizeof(sockaddr_in6);
  } else {
    auto* s = reinterpret_cast<sockaddr_in*>(&to);
    s->sin_family = AF_INET;
    std::memcpy(&s->sin_addr, ip.bytes.data(), 4);
    len = sizeof(sockaddr_in);
  }
  if (sendto(fd, packet, sizeof packet, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&to), len) < 0) {
    const std::string message = std::string("sendto: ") + std::strerror(errno);
    std::lock_guard g(mu_);
    pending_.erase(seq);
    return Error{message};
  }
  return Status::Ok();
}

std::map<std::string, double> Pinger::collect(std::optional<bool> v6) {
  std::lock_guard g(mu_);
  std::map<std::string, double> out;
  if (!v6) {
    out.swap(results_);
    return out;
  }
  for (auto it = results_.begin(); it != results_.end();) {
    if ((it->first.find(':') != std::string::npos) == *v6) {
      out.insert(*it);
      it = results_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

void Pinger::receive() {
  uint8_t buf[1500];
  // One queued datagram of socket `k` (0: IPv4, 1: IPv6) handled; false when none was queued.
  const auto readOne = [&](int k, int fd) {
    sockaddr_storage from{};
    socklen_t from_len = sizeof from;
    const ssize_t n =
        recvfrom(fd, buf, sizeof buf, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&from), &from_len);
    if (n <= 0) return false;
    IpAddress source;
    if (k == 0) {  // IPv4: the IP header comes first
      const size_t ihl = size_t(buf[0] & 0x0f) * 4;
      if (size_t(n) < ihl + 8) return true;
      std::memcpy(source.bytes.data(), &reinterpret_cast<sockaddr_in*>(&from)->sin_addr, 4);
      handleReply(source, buf + ihl, size_t(n) - ihl, false);
    } else {
      source.v6 = true;
      std::memcpy(source.bytes.data(), &reinterpret_cast<sockaddr_in6*>(&from)->sin6_addr, 16);
      handleReply(source, buf, size_t(n), true);
    }
    return true;
  };
  while (!stop_.load()) {
    pollfd fds[2] = {{fd4_, POLLIN, 0}, {fd6_, POLLIN, 0}};
    if (poll(fds, 2, 100) <= 0) continue;  // a negative fd is ignored by poll
    for (int k = 0; k < 2; ++k) {
      if (!(fds[k].revents & POLLIN)) continue;
      for (int n = 0; n < 256 && readOne(k, fds[k].fd); ++n) {  // what queued up, in batches
      }
    }
  }
}

void Pinger::handleReply(const IpAddress& from, const uint8_t* icmp, size_t len, bool v6) {
  if (len < 8 || icmp[0] != (v6 ? ICMP6_ECHO_REPLY : ICMP_ECHOREPLY)) return;
  const uint16_t id = uint16_t(icmp[4] << 8 | icmp[5]);
  const uint16_t seq = uint16_t(icmp[6] << 8 | icmp[7]);
  if (id != id_) return;  // another process's ping (raw sockets see every reply)
  std::lock_guard g(mu_);
  auto it = pending_.find(seq);
  if (it == pending_.end() || !(it->second.to == from)) return;
  if (std::chrono::steady_clock::now() - it->second.at > kForgetAfter) {  // too late to count
    pending_.erase(it);
    return;
  }
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() -
                                                              it->second.at)
                        .count();
  results_[from.toString()] = ms;
  pending_.erase(it);
}

}  // namespace flowlens::util
