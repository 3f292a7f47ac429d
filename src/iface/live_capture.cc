#include "iface/live_capture.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "capture/bpf.h"

namespace flowlens {
namespace {

void appendRaw(std::string* out, const void* data, size_t n) {
  out->append(static_cast<const char*>(data), n);
}

// The classic pcap file header, in the host's byte order (readers tell by the magic).
void appendFileHeader(std::string* out, int link_type) {
  const uint32_t magic = 0xa1b2c3d4, snaplen = LiveCapture::kSnaplen;
  const uint16_t major = 2, minor = 4;
  const int32_t thiszone = 0;
  const uint32_t sigfigs = 0, linktype = uint32_t(link_type);
  appendRaw(out, &magic, 4);
  appendRaw(out, &major, 2);
  appendRaw(out, &minor, 2);
  appendRaw(out, &thiszone, 4);
  appendRaw(out, &sigfigs, 4);
  appendRaw(out, &snaplen, 4);
  appendRaw(out, &linktype, 4);
}

}  // namespace

LiveCapture::LiveCapture(int id, LiveCaptureSpec spec) : id_(id), spec_(std::move(spec)) {}

Result<std::shared_ptr<LiveCapture>> LiveCapture::create(int id, LiveCaptureSpec spec,
                                                         int link_type) {
  std::shared_ptr<LiveCapture> c(new LiveCapture(id, std::move(spec)));
  const std::string& bpf = c->spec_.bpf;
  if (!bpf.empty()) {
    if (Status st = capture::compileFilter(bpf, link_type, &c->program_); !st) {
      const bool quotable = bpf.size() <= capture::kMaxFilterBytes;  // (not 4 KiB more of it)
      return Error{"bad BPF filter" + (quotable ? " '" + bpf + "'" : "") + ": " + st.error()};
    }
    c->has_program_ = true;
  }
  if (!c->spec_.allowed.empty()) {
    std::string nets;
    for (const util::IpPrefix& p : c->spec_.allowed) {
      nets += (nets.empty() ? "net " : " or net ") + p.toString();
    }
    if (Status st = capture::compileFilter(nets, link_type, &c->allowed_program_, SIZE_MAX); !st) {
      return Error{"the allowed networks make no filter (" + nets + "): " + st.error()};
    }
    c->has_allowed_program_ = true;
  }
  c->buffer_.reserve(c->spec_.buffer_bytes);  // the packet threads never grow it
  appendFileHeader(&c->buffer_, link_type);
  return c;
}

LiveCapture::~LiveCapture() {
  if (has_program_) pcap_freecode(&program_);
  if (has_allowed_program_) pcap_freecode(&allowed_program_);
}

bool LiveCapture::matches(const capture::CapturedPacket& c, const decode::DecodedPacket& p) const {
  if (spec_.host) {
    const util::IpAddress& h = *spec_.host;
    if (p.ip_version != (h.v6 ? 6 : 4) || p.vlan_id != spec_.vlan) return false;
    const size_t n = h.v6 ? 16 : 4;
    if (std::memcmp(p.src_ip.data(), h.bytes.data(), n) != 0 &&
        std::memcmp(p.dst_ip.data(), h.bytes.data(), n) != 0) {
      return false;
    }
  }
  // bpf_filter() reads within cap_len; wire_len is what `len` and `greater` test.
  if (has_allowed_program_ &&
      bpf_filter(allowed_program_.bf_insns, c.data, c.wire_len, c.cap_len) == 0) {
    return false;
  }
  return !has_program_ || bpf_filter(program_.bf_insns, c.data, c.wire_len, c.cap_len) != 0;
}

void LiveCapture::append(const capture::CapturedPacket& c) {
  const uint32_t incl = std::min(c.cap_len, kSnaplen);
  std::lock_guard g(mutex_);
  if (ended()) return;
  if (buffer_.size() + 16 + incl > spec_.buffer_bytes) {
    ++dropped_;
    return;
  }
  const uint32_t header[4] = {uint32_t(c.ts_us / 1000000), uint32_t(c.ts_us % 1000000), incl,
                              c.wire_len};
  appendRaw(&buffer_, header, sizeof(header));
  appendRaw(&buffer_, c.data, incl);
  if (++packets_ >= spec_.max_packets && spec_.max_packets > 0) {
    ended_.store(true, std::memory_order_release);
    ended_cv_.notify_all();
  }
}

void LiveCapture::take(std::string* out) {
  out->clear();
  if (out->capacity() < spec_.buffer_bytes) out->reserve(spec_.buffer_bytes);  // (unlocked)
  std::lock_guard g(mutex_);
  buffer_.swap(*out);
}

void LiveCapture::release() {
  stop();
  std::string freed;
  std::lock_guard g(mutex_);
  buffer_.swap(freed);
}

void LiveCapture::waitFor(std::chrono::milliseconds timeout) {
  std::unique_lock g(mutex_);
  ended_cv_.wait_for(g, timeout, [this] { return ended(); });
}

void LiveCapture::stop() {
  std::lock_guard g(mutex_);
  ended_.store(true, std::memory_order_release);
  ended_cv_.notify_all();
}

uint64_t LiveCapture::packets() const {
  std::lock_guard g(mutex_);
  return packets_;
}

uint64_t LiveCapture::dropped() const {
  std::lock_guard g(mutex_);
  return dropped_;
}

Result<std::shared_ptr<LiveCapture>> LiveCaptures::start(LiveCaptureSpec spec) {
  // Compiled unlocked: a packet thread renewing its list never waits for libpcap's optimiser.
  auto c = LiveCapture::create(next_id_.fetch_add(1), std::move(spec), link_type_);
  if (!c) return Error{c.error()};
  std::lock_guard g(mutex_);
  if (captures_.size() >= kMaxCaptures) {
    return Error{"too many live captures (" + std::to_string(kMaxCaptures) + " at most)"};
  }
  captures_.push_back(*c);
  generation_.fetch_add(1, std::memory_order_release);
  return *c;
}

bool LiveCaptures::stop(int id) {
  std::lock_guard g(mutex_);
  for (const auto& c : captures_) {
    if (c->id() == id) {
      c->stop();
      return true;
    }
  }
  return false;
}

void LiveCaptures::remove(const std::shared_ptr<LiveCapture>& capture) {
  capture->release();
  std::lock_guard g(mutex_);
  std::erase(captures_, capture);
  generation_.fetch_add(1, std::memory_order_release);
}

std::vector<std::shared_ptr<LiveCapture>> LiveCaptures::list() const {
  std::vector<std::shared_ptr<LiveCapture>> running;
  std::lock_guard g(mutex_);
  for (const auto& c : captures_) {
    if (!c->ended()) running.push_back(c);
  }
  return running;
}

void LiveCaptures::View::refresh(const LiveCaptures& all) {
  const uint64_t now = all.generation_.load(std::memory_order_acquire);
  if (now == generation_) return;
  std::lock_guard g(all.mutex_);
  captures_ = all.captures_;
  generation_ = all.generation_.load(std::memory_order_relaxed);
}

void LiveCaptures::View::offer(const capture::CapturedPacket& c,
                               const decode::DecodedPacket& p) const {
  for (const auto& capture : captures_) {
    if (!capture->ended() && capture->matches(c, p)) capture->append(c);
  }
}

}  // namespace flowlens
