#include "capture/pcap_source.h"

#include <fcntl.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <algorithm>
#include <cstring>

#include <utility>

#include "capture/fanout.h"

namespace flowlens::capture {
namespace {

Status applyFilter(pcap* p, const std::string& filter) {
  if (filter.empty()) return Status::Ok();
  bpf_program program;
  if (pcap_compile(p, &program, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
    return Error{"bad packet filter '" + filter + "': " + pcap_geterr(p)};
  }
  const int rc = pcap_setfilter(p, &program);
  pcap_freecode(&program);
  if (rc != 0) return Error{std::string("cannot set packet filter: ") + pcap_geterr(p)};
  return Status::Ok();
}

}  // namespace

PcapSource::PcapSource(pcap* handle, bool file)
    : handle_(handle), file_(file), link_type_(pcap_datalink(handle)) {
  if (!file_) fd_ = pcap_get_selectable_fd(handle_);
}

PcapSource::PcapSource(PcapSource&& o) noexcept { *this = std::move(o); }

PcapSource& PcapSource::operator=(PcapSource&& o) noexcept {
  std::swap(handle_, o.handle_);
  std::swap(classic_, o.classic_);
  file_ = o.file_;
  link_type_ = o.link_type_;
  fd_ = o.fd_;
  return *this;
}

PcapSource::~PcapSource() {
  if (handle_ != nullptr) pcap_close(handle_);
  if (classic_.fd >= 0) ::close(classic_.fd);
}

bool PcapSource::Classic::ensure(size_t n) {
  if (end - pos >= n) return true;
  if (pos > 0) {  // a turn: the tail moves to the other buffer (at pos 0 it is already first)
    spare.resize(std::max(buffer.size(), n));
    std::memcpy(spare.data(), buffer.data() + pos, end - pos);
    buffer.swap(spare);
    end -= pos;
    pos = 0;
    ++generation;
  }
  if (n > buffer.size()) buffer.resize(n);
  while (end < n && !eof) {
    const ssize_t got = ::read(fd, buffer.data() + end, buffer.size() - end);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      eof = true;
      break;
    }
    end += size_t(got);
  }
  return end >= n;
}

bool PcapSource::openClassic(const std::string& path, Classic* out, int* link_type) {
  Classic r;
  r.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (r.fd < 0) return false;
  r.buffer.resize(size_t(256) << 10);  // fits in L2: copied, then parsed while still there
  uint32_t magic = 0;
  if (r.ensure(24)) std::memcpy(&magic, r.buffer.data(), 4);
  switch (magic) {
    case 0xa1b2c3d4: break;
    case 0xd4c3b2a1: r.swapped = true; break;
    case 0xa1b23c4d: r.nanoseconds = true; break;
    case 0x4d3cb2a1: r.swapped = r.nanoseconds = true; break;
    default:  // pcapng or not a capture: libpcap decides
      ::close(r.fd);
      return false;
  }
  const uint8_t* b = r.buffer.data();
  uint16_t major, minor;
  std::memcpy(&major, b + 4, 2);
  std::memcpy(&minor, b + 6, 2);
  uint32_t link;
  std::memcpy(&link, b + 20, 4);
  if (r.swapped) {
    major = __builtin_bswap16(major);
    minor = __builtin_bswap16(minor);
    link = __builtin_bswap32(link);
  }
  if (major < 2 || (major == 2 && minor < 3)) r.lengths = Classic::kLengthsSwapped;
  if (major == 2 && minor == 3) r.lengths = Classic::kLengthsMaybeSwapped;
  *link_type = int(link & 0x0fffffff);  // the top bits may carry FCS information
  r.pos = 24;
  *out = std::move(r);
  return true;
}

PcapSource::Next PcapSource::nextClassic(CapturedPacket* out) {
  Classic& c = classic_;
  if (!c.ensure(16)) {
    if (c.end != c.pos) error_ = "capture file ends inside a record header";
    c.pos = c.end;
    return Next::kEnd;
  }
  uint32_t h[4];
  std::memcpy(h, c.buffer.data() + c.pos, 16);
  if (c.swapped) {
    for (uint32_t& v : h) v = __builtin_bswap32(v);
  }
  if (c.lengths == Classic::kLengthsSwapped ||
      (c.lengths == Classic::kLengthsMaybeSwapped && h[2] > h[3])) {
    std::swap(h[2], h[3]);
  }
  const uint32_t cap_len = h[2];
  if (cap_len > (64u << 20) || !c.ensure(16 + size_t(cap_len))) {
    error_ = "capture file ends inside a record";
    c.pos = c.end;
    return Next::kEnd;
  }
  out->data = c.buffer.data() + c.pos + 16;
  out->cap_len = cap_len;
  out->wire_len = h[3];
  out->ts_us = uint64_t(h[0]) * 1000000u + (c.nanoseconds ? h[1] / 1000 : h[1]);
  c.pos += 16 + size_t(cap_len);
  return Next::kPacket;
}

Result<PcapSource> PcapSource::open(const SourceConfig& c) {
  char err[PCAP_ERRBUF_SIZE] = "";
  if (c.file && c.bpf_filter.empty()) {
    Classic classic;
    int link = 0;
    if (openClassic(c.name, &classic, &link)) {
      PcapSource s;
      s.file_ = true;
      s.link_type_ = link;
      s.classic_ = std::move(classic);
      return s;
    }
  }
  if (c.file) {
    // A 1 MiB stdio buffer: libpcap reads record by record through stdio, and the default
    // buffer makes one read() per few packets.
    FILE* f = std::fopen(c.name.c_str(), "rb");
    if (f == nullptr) {
      return Error{"cannot read capture file '" + c.name + "': " + std::strerror(errno)};
    }
    std::setvbuf(f, nullptr, _IOFBF, 1 << 20);
    pcap* p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_MICRO, err);
    if (p == nullptr) {
      std::fclose(f);
      return Error{"cannot read capture file '" + c.name + "': " + err};
    }
    PcapSource s(p, true);
    if (auto st = applyFilter(p, c.bpf_filter); !st) return Error{st.error()};
    return s;
  }
  pcap* p = pcap_create(c.name.c_str(), err);
  if (p == nullptr) return Error{"cannot open interface '" + c.name + "': " + err};
  pcap_set_snaplen(p, c.snaplen);
  pcap_set_promisc(p, c.promiscuous ? 1 : 0);
  pcap_set_timeout(p, 100);
  pcap_set_buffer_size(p, 32 << 20);
  if (pcap_activate(p) < 0) {
    std::string e = pcap_geterr(p);
    pcap_close(p);
    return Error{"cannot capture on '" + c.name + "': " + e};
  }
  if (pcap_setnonblock(p, 1, err) != 0) {
    pcap_close(p);
    return Error{"cannot capture on '" + c.name + "': " + err};
  }
  PcapSource s(p, false);
  if (auto st = applyFilter(p, c.bpf_filter); !st) return Error{st.error()};
  return s;
}

PcapSource::Next PcapSource::next(CapturedPacket* out) {
  if (classic_.fd >= 0) return nextClassic(out);
  pcap_pkthdr* h;
  const u_char* data;
  const int rc = pcap_next_ex(handle_, &h, &data);
  if (rc == 1) {
    out->data = data;
    out->cap_len = h->caplen;
    out->wire_len = h->len;
    out->ts_us = uint64_t(h->ts.tv_sec) * 1000000u + uint64_t(h->ts.tv_usec);
    return Next::kPacket;
  }
  if (rc == 0) return Next::kNone;
  if (rc == PCAP_ERROR_BREAK) return Next::kEnd;
  error_ = pcap_geterr(handle_);
  // A file cut short mid-record is its end, not a failure of the monitor.
  return file_ ? Next::kEnd : Next::kError;
}

void PcapSource::wait(int timeout_ms) {
  if (fd_ < 0) return;
  pollfd pfd{fd_, POLLIN, 0};
  poll(&pfd, 1, timeout_ms);
}

Status PcapSource::joinFanout(uint32_t* group) {
  if (file_ || handle_ == nullptr) return Error{"only live captures join a fanout group"};
  return joinFanoutGroup(pcap_fileno(handle_), group);
}

uint64_t PcapSource::kernelDrops(bool with_interface) {
  if (file_) return 0;
  pcap_stat st{};
  if (pcap_stats(handle_, &st) != 0) return 0;
  return uint64_t(st.ps_drop) + (with_interface ? uint64_t(st.ps_ifdrop) : 0);
}

}  // namespace flowlens::capture
