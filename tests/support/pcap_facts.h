#pragma once
// What a capture file holds, worked out without the packet engine (libpcap reads the records,
// the decoder decodes them), for tests that check the engine's counters add up; and small
// writers of capture files (synthetic captures, truncated or snapped copies of real ones).

#include <pcap/pcap.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "decode/decoder.h"
#include "host/host.h"
#include "util/ip.h"

namespace flowlens::testing {

using HostKey = std::pair<std::string, uint16_t>;  // (address text, VLAN)

struct CaptureFacts {
  bool opened = false;
  int link_type = -1;
  uint64_t records = 0, bytes = 0;
  uint64_t ip_packets = 0, ip_bytes = 0, non_ip = 0, malformed = 0;
  std::array<uint64_t, size_t(decode::Reason::kCount)> reasons{};
  uint64_t first_us = UINT64_MAX, last_us = 0;
  std::map<HostKey, host::Traffic> hosts;  // every IP packet: its source sent it, its dest got it
};

inline HostKey hostKey(const std::array<uint8_t, 16>& ip, uint8_t version, uint16_t vlan) {
  util::IpAddress a;
  a.v6 = version == 6;
  a.bytes = ip;
  return {a.toString(), vlan};
}

inline CaptureFacts captureFacts(const std::string& path) {
  CaptureFacts f;
  char err[PCAP_ERRBUF_SIZE] = "";
  pcap_t* p =
      pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_MICRO, err);
  if (p == nullptr) return f;
  f.opened = true;
  f.link_type = pcap_datalink(p);
  pcap_pkthdr* h;
  const u_char* data;
  decode::DecodedPacket d;
  while (pcap_next_ex(p, &h, &data) == 1) {
    const uint64_t ts = uint64_t(h->ts.tv_sec) * 1000000u + uint64_t(h->ts.tv_usec);
    ++f.records;
    const bool ip = decode::decodeFrame(f.link_type, data, h->caplen, h->len, ts, d);
    f.bytes += d.wire_len;
    f.first_us = std::min(f.first_us, ts);
    f.last_us = std::max(f.last_us, ts);
    if (ip) {
      ++f.ip_packets;
      f.ip_bytes += d.wire_len;
      f.hosts[hostKey(d.src_ip, d.ip_version, d.vlan_id)].add(true, 1, d.wire_len);
      f.hosts[hostKey(d.dst_ip, d.ip_version, d.vlan_id)].add(false, 1, d.wire_len);
    } else if (d.reason != decode::Reason::kOk) {
      ++f.malformed;
      ++f.reasons[size_t(d.reason)];
    } else {
      ++f.non_ip;
    }
  }
  pcap_close(p);
  return f;
}

// The packet count MANIFEST.tsv gives for `name` (capinfos's count), 0 when not listed.
inline uint64_t manifestPackets(const std::string& pcap_dir, const std::string& name) {
  std::ifstream in(pcap_dir + "/MANIFEST.tsv");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream cells(line);
    std::string file, bytes, packets;
    std::getline(cells, file, '\t');
    std::getline(cells, bytes, '\t');
    std::getline(cells, packets, '\t');
    if (file == name) return std::stoull(packets);
  }
  return 0;
}

// A file in the temporary directory, removed with this object.
class TempFile {
 public:
  explicit TempFile(const std::string& name)
      : path_(std::filesystem::temp_directory_path() /
              ("flowlens-" + std::to_string(::getpid()) + "-" + name)) {}
  ~TempFile() { std::filesystem::remove(path_); }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

struct Record {
  uint64_t ts_us;
  std::vector<uint8_t> frame;
  uint32_t wire_len = 0;  // 0: the frame is whole
};

inline bool writePcap(const std::string& path, int link_type, const std::vector<Record>& records) {
  pcap_t* dead = pcap_open_dead(link_type, 65535);
  pcap_dumper_t* out = pcap_dump_open(dead, path.c_str());
  if (out == nullptr) {
    pcap_close(dead);
    return false;
  }
  for (const Record& r : records) {
    pcap_pkthdr h{};
    h.ts.tv_sec = time_t(r.ts_us / 1000000);
    h.ts.tv_usec = suseconds_t(r.ts_us % 1000000);
    h.caplen = uint32_t(r.frame.size());
    h.len = r.wire_len == 0 ? h.caplen : r.wire_len;
    pcap_dump(reinterpret_cast<u_char*>(out), &h, r.frame.data());
  }
  pcap_dump_close(out);
  pcap_close(dead);
  return true;
}

// Every record of a capture (any format libpcap reads), for rewriting.
inline std::vector<Record> readRecords(const std::string& path, int* link_type) {
  std::vector<Record> out;
  char err[PCAP_ERRBUF_SIZE] = "";
  pcap_t* p =
      pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_MICRO, err);
  if (p == nullptr) return out;
  *link_type = pcap_datalink(p);
  pcap_pkthdr* h;
  const u_char* data;
  while (pcap_next_ex(p, &h, &data) == 1) {
    out.push_back(Record{uint64_t(h->ts.tv_sec) * 1000000u + uint64_t(h->ts.tv_usec),
                         std::vector<uint8_t>(data, data + h->caplen), h->len});
  }
  pcap_close(p);
  return out;
}

}  // namespace flowlens::testing
