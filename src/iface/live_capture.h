#pragma once
// Live capture (ntopng's interface.liveCapture): an interface's packets copied out of the packet
// path as pcap records, for a reader that streams them on (an HTTP client downloading a pcap of
// the live traffic of a host, or of a BPF filter).
//
// The packet threads pay next to nothing while no capture runs: each loads a generation counter
// per packet (LiveCaptures::View), so a capture gets every packet read after start() returned. While one runs, a packet thread tests each packet it keeps
// against the capture's host and BPF program, and copies a match into the capture's buffer
// under the capture's own lock. The buffer is bounded; what does not fit is counted, not kept.
// The reader takes the buffer's content in turns (take(): the two buffers swap, so neither side
// allocates once both have grown).

#include <pcap/pcap.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "capture/pcap_source.h"
#include "core/result.h"
#include "decode/packet.h"
#include "util/ip.h"

namespace flowlens {

struct LiveCaptureSpec {
  std::optional<util::IpAddress> host;  // either address of the packet (the innermost IP)
  uint16_t vlan = 0;                    // with `host`: the packet's VLAN tag must be this
  std::string bpf;                      // "" = every packet; at most capture::kMaxFilterBytes
  // A user kept to networks (allowed_nets): only packets to or from them, "net A or net B",
  // a program of its own that a packet must match as well as `bpf` (so no text of `bpf` can
  // undo it). Empty: every network.
  std::vector<util::IpPrefix> allowed;
  uint64_t max_packets = 0;             // the capture ends once it has this many
  int64_t until_epoch = 0;              // when its reader ends it (seconds since the epoch)
  std::string user;                     // who started it (dumpLiveCaptures)
  size_t buffer_bytes = 8u << 20;       // what the reader has not taken yet, at most
};

class LiveCapture {
 public:
  static constexpr uint32_t kSnaplen = 262144;  // the file header's (libpcap's largest)

  // Compiles the BPF program for `link_type`; an error names the filter's fault.
  static Result<std::shared_ptr<LiveCapture>> create(int id, LiveCaptureSpec spec, int link_type);
  ~LiveCapture();
  LiveCapture(const LiveCapture&) = delete;
  LiveCapture& operator=(const LiveCapture&) = delete;

  int id() const { return id_; }
  const LiveCaptureSpec& spec() const { return spec_; }

  // Packet thread: the packet matches the host and the filter.
  bool matches(const capture::CapturedPacket& c, const decode::DecodedPacket& p) const;
  // Packet thread: keeps a pcap record of `c`, unless the capture has ended or its buffer is
  // full (then counted in dropped()). The packet that reaches max_packets ends the capture.
  void append(const capture::CapturedPacket& c);

  // Reader: what was appended since the last take, as pcap records (the first take begins with
  // the file header), into *out (cleared first, and given the buffer's full capacity, so that
  // the packet threads never grow the buffer they get in exchange).
  void take(std::string* out);
  // Reader: waits until the capture ends or `timeout` passes.
  void waitFor(std::chrono::milliseconds timeout);
  void stop();
  bool ended() const { return ended_.load(std::memory_order_acquire); }
  // Ends the capture and frees its buffer (a packet thread may hold the capture a while yet).
  void release();

  uint64_t packets() const;  // kept
  uint64_t dropped() const;  // matched, not kept: the buffer was full

 private:
  LiveCapture(int id, LiveCaptureSpec spec);

  const int id_;
  const LiveCaptureSpec spec_;
  bpf_program program_{}, allowed_program_{};
  bool has_program_ = false, has_allowed_program_ = false;
  std::atomic<bool> ended_{false};
  mutable std::mutex mutex_;
  std::condition_variable ended_cv_;
  std::string buffer_;            // guarded by mutex_
  uint64_t packets_ = 0, dropped_ = 0;  // guarded by mutex_
};

// One interface's live captures. Thread-safe.
class LiveCaptures {
 public:
  // At most this many at once (each holds an HTTP worker and its buffer).
  static constexpr size_t kMaxCaptures = 4;

  explicit LiveCaptures(int link_type) : link_type_(link_type) {}

  // A new capture, which the packet threads feed from the next packet they read; an error when a
  // filter does not compile (compiled before the registry's lock is taken) or kMaxCaptures run
  // already.
  Result<std::shared_ptr<LiveCapture>> start(LiveCaptureSpec spec);
  // Ends capture `id` (its reader finishes and removes it); false when there is none.
  bool stop(int id);
  // Removes `capture` (its reader is done): the packet threads drop it at their next packet.
  void remove(const std::shared_ptr<LiveCapture>& capture);
  // The captures running (not ended), in the order they started.
  std::vector<std::shared_ptr<LiveCapture>> list() const;

  // A packet thread's copy of the list, renewed when it changed (one atomic load per packet).
  class View {
   public:
    void refresh(const LiveCaptures& all);
    bool empty() const { return captures_.empty(); }
    // Appends the packet to each capture it matches.
    void offer(const capture::CapturedPacket& c, const decode::DecodedPacket& p) const;

   private:
    uint64_t generation_ = 0;
    std::vector<std::shared_ptr<LiveCapture>> captures_;
  };

 private:
  const int link_type_;
  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<LiveCapture>> captures_;  // guarded by mutex_
  std::atomic<int> next_id_{1};
  std::atomic<uint64_t> generation_{0};                 // bumped on each change of captures_
};

}  // namespace flowlens
