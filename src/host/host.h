#pragma once
// One host (an IP address on a VLAN) and one MAC address, as the interface keeps them. Guarded by
// the interface's stats lock; packet threads add flow deltas to them once a second.

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "enrich/geoip.h"
#include "util/ip.h"

namespace flowlens::host {

struct Traffic {
  uint64_t packets_sent = 0, packets_rcvd = 0, bytes_sent = 0, bytes_rcvd = 0;
  void add(bool sent, uint64_t packets, uint64_t bytes) {
    (sent ? packets_sent : packets_rcvd) += packets;
    (sent ? bytes_sent : bytes_rcvd) += bytes;
  }
  uint64_t bytes() const { return bytes_sent + bytes_rcvd; }
  uint64_t packets() const { return packets_sent + packets_rcvd; }
};

// Throughput since the last sample of `t` (bits and packets per second over `seconds`), and
// the new sample.
inline void sampleThroughput(const Traffic& t, double seconds, uint64_t& sampled_bytes,
                             uint64_t& sampled_packets, double& bps, double& pps) {
  const uint64_t bytes = t.bytes(), packets = t.packets();
  if (seconds > 0) {
    bps = double(bytes - std::min(bytes, sampled_bytes)) * 8 / seconds;
    pps = double(packets - std::min(packets, sampled_packets)) / seconds;
  }
  sampled_bytes = bytes;
  sampled_packets = packets;
}

struct AppTraffic {
  uint16_t app = 0;
  Traffic traffic;
  uint64_t duration_s = 0;  // seconds with traffic, approximated by sync passes with traffic
};

// L4 buckets of ntopng's host l4 stats.
enum L4Bucket : uint8_t { kL4Tcp, kL4Udp, kL4Icmp, kL4Other, kL4Count };
inline L4Bucket l4Bucket(uint8_t proto) {
  return proto == 6 ? kL4Tcp : proto == 17 ? kL4Udp : (proto == 1 || proto == 58) ? kL4Icmp
                                                                                   : kL4Other;
}

struct Host {
  util::IpAddress ip;
  uint16_t vlan = 0;
  bool in_use = false;
  bool local = false;
  int network_id = -1;  // local network index (-m), -1 when none
  bool has_mac = false;
  bool pool_by_mac = false;  // its MAC decided its pool (else its address, or none)
  uint16_t pool_id = 0;      // ntopng's host pool (HostPools), 0 when none
  std::array<uint8_t, 6> mac{};
  uint64_t first_seen_us = 0, last_seen_us = 0;
  Traffic traffic;
  std::array<Traffic, kL4Count> l4;
  std::vector<AppTraffic> apps;  // few per host; sorted by app id
  uint32_t active_flows_as_client = 0, active_flows_as_server = 0;
  uint64_t flows_as_client = 0, flows_as_server = 0;
  std::vector<uint32_t> contacts_as_client, contacts_as_server;  // peer host indexes, sorted
  std::string name;  // learned from traffic (HTTP Host, TLS/QUIC SNI); raw bytes, escape on output
  enum class NameFrom : uint8_t { kNone, kHttp, kTls, kOther } name_from = NameFrom::kNone;
  enrich::GeoResult geo;  // location and AS from the GeoIP databases, set when the host is created
  uint32_t serial = 0;
  // Throughput over the last sampling interval (PacketEngine::sampleThroughput).
  double throughput_bps = 0, throughput_pps = 0;
  uint64_t sampled_bytes = 0, sampled_packets = 0;

  AppTraffic& app(uint16_t id);
  void addContact(bool as_client, uint32_t peer);
};

inline constexpr size_t kMaxContacts = 1024;  // distinct peers remembered per role

struct MacHost {
  std::array<uint8_t, 6> mac{};
  uint64_t first_seen_us = 0, last_seen_us = 0;
  Traffic traffic;
  uint32_t num_hosts = 0;  // IP hosts seen with this MAC
  uint16_t vlan = 0;
  uint8_t device_type = 0;  // ntopng's DeviceType (0 unknown), set by ntop.setMacDeviceType
};

// ntopng's DeviceType values run from 0 (unknown) to this (device_iot).
inline constexpr int kMaxDeviceType = 12;

std::string macToString(const std::array<uint8_t, 6>& mac);  // "AA:BB:CC:DD:EE:FF"
// A MAC address as a hash key (its 6 bytes in an integer).
inline uint64_t macKey(const std::array<uint8_t, 6>& mac) {
  uint64_t k = 0;
  std::memcpy(&k, mac.data(), 6);
  return k;
}
bool parseMac(const std::string& text, std::array<uint8_t, 6>* mac);

}  // namespace flowlens::host
