#pragma once
// A monitored network interface: its name, ifid and counters. The packet engine (capture ->
// decode -> tables) writes the counters; Lua/HTTP readers load them. Counters are relaxed
// atomics: single writer, many readers, no lock on the packet path.

#include <atomic>
#include <cstdint>
#include <ctime>
#include <string>

namespace flowlens {

struct InterfaceCounters {
  std::atomic<uint64_t> packets{0};
  std::atomic<uint64_t> bytes{0};
  std::atomic<uint64_t> drops{0};
  std::atomic<uint64_t> malformed{0};
};

class NetworkInterface {
 public:
  enum class Kind { kLive, kPcapFile };

  NetworkInterface(int id, std::string name, Kind kind);

  int id() const { return id_; }
  const std::string& name() const { return name_; }  // as given to -i
  Kind kind() const { return kind_; }
  // ntopng's interface type names: "pcap" (live), "pcap dump" (file).
  const char* typeName() const { return kind_ == Kind::kLive ? "pcap" : "pcap dump"; }
  time_t startEpoch() const { return start_epoch_; }

  InterfaceCounters& counters() { return counters_; }
  const InterfaceCounters& counters() const { return counters_; }
  // Counters as of the last reset (ntopng's "since reset" figures).
  uint64_t packetsSinceReset() const;
  uint64_t bytesSinceReset() const;
  void resetCounters();

 private:
  int id_;
  std::string name_;
  Kind kind_;
  time_t start_epoch_;
  InterfaceCounters counters_;
  std::atomic<uint64_t> reset_packets_{0};
  std::atomic<uint64_t> reset_bytes_{0};
};

}  // namespace flowlens
