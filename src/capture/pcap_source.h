#pragma once
// A packet source through libpcap: a live interface (promiscuous unless told otherwise, snaplen,
// BPF filter, non-blocking so the caller never waits while holding a lock) or a pcap/pcapng file.
// One source per packet thread; not thread-safe.
//
// A classic pcap file read without a filter is read in large blocks and its records walked in
// place (one copy, one read() per 256 KiB); pcapng files, and files read through a BPF filter,
// go through libpcap.

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

struct pcap;
struct pcap_pkthdr;

namespace flowlens::capture {

struct SourceConfig {
  std::string name;        // interface name, or a file path
  bool file = false;
  bool promiscuous = true;
  int snaplen = 65535;
  std::string bpf_filter;  // empty: everything
};

struct CapturedPacket {
  const uint8_t* data = nullptr;
  uint32_t cap_len = 0, wire_len = 0;
  uint64_t ts_us = 0;
};

class PcapSource {
 public:
  enum class Next { kPacket, kNone, kEnd, kError };

  static Result<PcapSource> open(const SourceConfig& config);
  PcapSource(PcapSource&&) noexcept;
  PcapSource& operator=(PcapSource&&) noexcept;
  ~PcapSource();

  // kPacket: `out` valid until the next call (for a classic file, longer: see generation()).
  // kNone: nothing now (live). kEnd: end of file.
  Next next(CapturedPacket* out);
  // A classic pcap file's packets stay valid while generation() has moved on by at most one
  // since they were read (two buffers take turns), so a caller can read ahead. Other sources
  // keep nothing: their generation is always 0 and a packet is valid until the next call.
  bool keepsPackets() const { return classic_.fd >= 0; }
  uint64_t generation() const { return classic_.generation; }
  // Waits up to `timeout_ms` for packets (live sources).
  void wait(int timeout_ms);
  int linkType() const { return link_type_; }
  bool isFile() const { return file_; }
  const std::string& lastError() const { return error_; }
  // Packets the kernel dropped for this socket (live), 0 for files; with the interface's own
  // drops (the same for every socket on it) when `with_interface` is set.
  uint64_t kernelDrops(bool with_interface = true);
  // Live sources of one interface's packet threads: joins this source's socket to the kernel
  // fanout group *group (kNewFanoutGroup: a new one), which hands each packet to one member
  // (capture/fanout.h). What each socket received before the last member joined is the
  // caller's to skip (by timestamp).
  Status joinFanout(uint32_t* group);

 private:
  PcapSource() = default;
  PcapSource(pcap* handle, bool file);
  // A classic pcap file read in 256 KiB blocks (a buffer grows to fit a larger record) into
  // two reused buffers that take turns (a single copy; the buffers stay resident, so no page
  // faults per block). When a block is read, the unread tail moves to the other buffer, ahead
  // of the block: the packets handed out from the buffer it leaves stay valid until the next
  // turn.
  struct Classic {
    int fd = -1;
    std::vector<uint8_t> buffer, spare;
    uint64_t generation = 0;  // turns taken
    size_t pos = 0, end = 0;
    bool eof = false;
    bool swapped = false, nanoseconds = false;
    // Files older than format 2.3 (and some 2.3 writers) have the two length fields swapped;
    // libpcap undoes it the same way.
    enum { kLengthsInOrder, kLengthsSwapped, kLengthsMaybeSwapped } lengths = kLengthsInOrder;
    bool ensure(size_t n);  // at least n bytes at pos (false at the end of the file)
  };
  static bool openClassic(const std::string& path, Classic* c, int* link_type);
  Next nextClassic(CapturedPacket* out);

  Classic classic_;
  pcap* handle_ = nullptr;
  bool file_ = false;
  int link_type_ = 0;
  int fd_ = -1;
  std::string error_;
};

}  // namespace flowlens::capture
