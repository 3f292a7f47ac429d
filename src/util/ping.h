#pragma once
// ICMP echo (spec section 19): raw ICMP and ICMPv6 sockets, optionally bound to one network
// interface, a receiver thread matching echo replies to the requests this Pinger sent (by
// identifier and sequence number), and the round-trip times collected since the last call.
// Needs CAP_NET_RAW (flowlens keeps it after dropping privileges). Thread-safe.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>

#include "core/result.h"
#include "util/ip.h"

namespace flowlens::util {

class Pinger {
 public:
  // Opens the sockets (bound to `ifname` when it is not empty) and starts the receiver. An
  // error when neither family's socket opens (no CAP_NET_RAW, no such interface).
  static Result<std::unique_ptr<Pinger>> open(const std::string& ifname);
  // Whether a raw ICMP socket opens (bound to `ifname` when not empty), without keeping it.
  static bool probe(const std::string& ifname);
  ~Pinger();
  Pinger(const Pinger&) = delete;
  Pinger& operator=(const Pinger&) = delete;

  bool hasV4() const { return fd4_ >= 0; }
  bool hasV6() const { return fd6_ >= 0; }
  // Sends one echo request to `ip` (never waits: a full send buffer is an error). At most
  // kMaxInFlight requests wait for an answer; beyond, an error.
  Status ping(const IpAddress& ip);
  // Round-trip times in milliseconds of the replies received since the last call, by address
  // ("127.0.0.1"), of both families or only of IPv6 (`v6` true) or IPv4 (false); those of the
  // other family stay. A host that answered several times keeps its latest. A reply later than
  // kForgetAfter is ignored.
  std::map<std::string, double> collect(std::optional<bool> v6 = std::nullopt);
  static constexpr std::chrono::seconds kForgetAfter{30};
  static constexpr size_t kMaxInFlight = 4096;

 private:
  Pinger() = default;
  void receive();
  void handleReply(const IpAddress& from, const uint8_t* icmp, size_t len, bool v6);

  int fd4_ = -1, fd6_ = -1;
  uint16_t id_ = 0;
  std::atomic<bool> stop_{false};
  std::thread receiver_;
  std::mutex mu_;
  uint16_t next_seq_ = 0;
  struct Sent {
    IpAddress to;
    std::chrono::steady_clock::time_point at;
  };
  std::unordered_map<uint16_t, Sent> pending_;  // by sequence number
  std::map<std::string, double> results_;
};

}  // namespace flowlens::util
