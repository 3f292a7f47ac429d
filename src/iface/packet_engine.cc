#include "iface/packet_engine.h"

#include <array>
#include <chrono>

#include "capture/fanout.h"
#include "core/cpu_affinity.h"
#include "core/log.h"
#include "decode/decoder.h"

namespace flowlens {
namespace {

constexpr int kBatch = 256;  // packets handled per shard-lock hold

int64_t nowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch()).count();
}

uint64_t wallUs() {
  return uint64_t(std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::system_clock::now().time_since_epoch()).count());
}

// The shard of a packet: by address pair, VLAN and protocol (not ports, so every fragment of a
// datagram lands where its first fragment did).
size_t shardOf(const decode::DecodedPacket& p, size_t shards) {
  if (shards == 1) return 0;
  uint64_t a = 0, b = 0;
  for (int i = 0; i < 16; i += 8) {
    uint64_t x, y;
    std::memcpy(&x, p.src_ip.data() + i, 8);
    std::memcpy(&y, p.dst_ip.data() + i, 8);
    a ^= x;
    b ^= y;
  }
  uint64_t h = (a ^ b) ^ (uint64_t(p.vlan_id) << 16) ^ p.l4_proto;  // symmetric in src/dst
  h *= 0x9E3779B97F4A7C15ull;
  return size_t((h >> 32) % shards);
}

// The packets a thread has read and not yet handled. Reading a classic pcap file, whose
// packets stay valid across one buffer turn (capture::PcapSource::generation), a thread reads
// up to kDepth packets ahead: a packet's flow index slot is prefetched when it is read and its
// flow kDepth / 2 packets later, so that the flow table's two cache misses per packet (slot,
// then flow) are paid while earlier packets are handled. Other sources: depth 0, a packet is
// handled as soon as it is read.
class ReadAhead {
 public:
  static constexpr uint32_t kDepth = 8;
  struct Entry {
    decode::DecodedPacket p;
    Shard::Lookup lookup;
    uint64_t generation = 0;  // the source's when the packet was read
  };

  explicit ReadAhead(uint32_t depth) : depth_(depth) {}
  bool empty() const { return count_ == 0; }
  bool full() const { return count_ > depth_; }  // the first one's turn
  Entry& first() { return ring_[head_]; }
  Entry& next() { return ring_[(head_ + count_) & kMask]; }  // where the next packet goes
  // next() joins the queue; the flow of the packet kDepth / 2 behind it is prefetched.
  void push(const Shard& shard) {
    ++count_;
    if (depth_ > 0 && count_ > kDepth / 2) {
      shard.prefetchFlow(ring_[(head_ + count_ - 1 - kDepth / 2) & kMask].lookup);
    }
  }
  void pop() {
    head_ = (head_ + 1) & kMask;
    --count_;
  }

 private:
  static constexpr uint32_t kMask = 15;  // room for kDepth + 1
  std::array<Entry, kMask + 1> ring_;
  uint32_t head_ = 0, count_ = 0;
  const uint32_t depth_;
};

// A flow as readers get it: without the packet thread's detection state.
flow::Flow readerCopy(const flow::Flow& f) {
  flow::Flow copy = f;
  copy.dpi_state = nullptr;
  copy.dpi_deferred = false;
  return copy;
}

}  // namespace

PacketEngine::PacketEngine(const EngineConfig& config, HostHooks hooks)
    : config_(config), shared_(std::make_unique<SharedTables>(config.limits.max_hosts)) {
  shared_->hooks = std::move(hooks);
  if (!shared_->hooks.on_new_host) shared_->hooks.on_new_host = [](host::Host&) {};
}

Result<std::unique_ptr<PacketEngine>> PacketEngine::create(const EngineConfig& config,
                                                           HostHooks hooks) {
  std::unique_ptr<PacketEngine> e(new PacketEngine(config, std::move(hooks)));
  const int n = std::clamp(config.packet_threads, 1, 64);
  const uint32_t per_shard = std::max<uint32_t>(1, (config.limits.max_flows + n - 1) / n);
  for (int i = 0; i < n; ++i) {
    auto source = capture::PcapSource::open(config.source);
    if (!source) return Error{source.error()};
    if (!decode::linkTypeSupported(source->linkType())) {
      return Error{"'" + config.source.name + "': unsupported link type " +
                   std::to_string(source->linkType())};
    }
    e->link_type_ = source->linkType();
    auto dpi = dpi::DpiEngine::create(config.dpi);
    if (!dpi) return Error{dpi.error()};
    e->shards_.push_back(
        std::make_unique<Shard>(config.limits, per_shard, std::move(*dpi), e->shared_.get()));
    e->sources_.push_back(std::move(*source));
  }
  e->live_ = std::make_shared<LiveCaptures>(e->link_type_);
  if (!config.source.file && n > 1) {
    uint32_t group = capture::kNewFanoutGroup;
    Status joined = Status::Ok();
    for (auto& s : e->sources_) {
      if (joined = s.joinFanout(&group); !joined) break;
    }
    if (joined) {
      // Until the last socket joined, each got every packet (or its share of fewer sockets):
      // the threads skip what the kernel stamped before now.
      e->fanout_start_us_ = wallUs();
      e->fanout_ = true;
      log::normal("{}: {} packet threads, each given its share by kernel fanout group {}",
                  config.source.name, n, group);
    } else {
      // The sockets that joined share the packets among themselves and cannot leave the group:
      // open every source anew, each to read every packet.
      log::warning("{}: no kernel fanout ({}): each of the {} packet threads reads every packet",
                   config.source.name, joined.error(), n);
      for (auto& s : e->sources_) {
        auto fresh = capture::PcapSource::open(config.source);
        if (!fresh) return Error{fresh.error()};
        s = std::move(*fresh);
      }
    }
  }
  return e;
}

std::vector<uint64_t> PacketEngine::packetsReadPerThread() const {
  std::vector<uint64_t> out;
  for (size_t i = 0; i < shards_.size(); ++i) out.push_back(packets_read_[i].load());
  return out;
}

PacketEngine::~PacketEngine() { stop(); }

void PacketEngine::start() {
  started_ns_ = nowNs();
  running_threads_ = int(sources_.size());
  for (size_t i = 0; i < sources_.size(); ++i) {
    threads_.emplace_back(&PacketEngine::run, this, i, std::move(sources_[i]));
  }
  sources_.clear();
}

void PacketEngine::stop() {
  stop_ = true;
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

void PacketEngine::run(size_t index, capture::PcapSource source) {
  if (index < config_.cores.size()) {
    if (Status st = affinity::bindThisThread({config_.cores[index]}); !st) {
      log::warning("{}: packet thread {}: {}", config_.source.name, index, st.error());
    }
  }
  Shard& shard = *shards_[index];
  const size_t shards = shards_.size();
  const bool owner_of_non_ip = fanout_ || index == 0;  // (with fanout, a frame comes once)
  uint64_t packets_read = 0;
  bool before_fanout = fanout_;
  uint64_t skipped_before_fanout = 0;
  const int link = source.linkType();
  const bool file = source.isFile();
  const auto paced_start = std::chrono::steady_clock::now();
  uint64_t first_ts = 0;
  capture::CapturedPacket c;
  uint64_t last_drop_poll_us = 0;
  uint64_t file_clock_us = 0;  // the latest timestamp read, any shard's: a file's "now"
  ReadAhead ahead(source.keepsPackets() && !config_.original_speed ? ReadAhead::kDepth : 0);
  LiveCaptures::View taps;  // the live captures this thread feeds

  while (!stop_.load(std::memory_order_relaxed)) {
    std::unique_lock lock(shard.mutex(), std::defer_lock);
    const auto handleFirst = [&] {
      if (!lock.owns_lock()) lock.lock();
      shard.handle(ahead.first().p, &ahead.first().lookup);
      ahead.pop();
    };
    capture::PcapSource::Next rc = capture::PcapSource::Next::kNone;
    for (int n = 0; n < kBatch; ++n) {
      // A file's batch spans any stretch of its clock: end it when housekeeping falls due.
      if (file && !shard.housekeepingRunning() && shard.housekeepingDue(file_clock_us, true)) {
        break;
      }
      // The source's next buffer turn overwrites the packets read before its last one.
      while (!ahead.empty() && ahead.first().generation != source.generation()) handleFirst();
      rc = source.next(&c);
      if (rc != capture::PcapSource::Next::kPacket) break;
      if (before_fanout) {  // what the socket got before its group was complete: skipped
        if (c.ts_us < fanout_start_us_) {
          ++skipped_before_fanout;
          continue;
        }
        before_fanout = false;  // and from the first packet after, no more (the clock may step)
        if (skipped_before_fanout > 0) {
          log::normal("{}: packet thread {} skipped {} packets received before its fanout group "
                      "was complete", config_.source.name, index, skipped_before_fanout);
        }
      }
      ++packets_read;
      shard.packetRead();
      taps.refresh(*live_);  // (one load: a capture started now gets this packet on)
      file_clock_us = std::max(file_clock_us, c.ts_us);
      if (config_.original_speed && file) {  // (nothing read ahead: see `ahead`)
        if (first_ts == 0) first_ts = c.ts_us;
        const auto due = paced_start + std::chrono::microseconds(c.ts_us - std::min(c.ts_us, first_ts));
        if (due > std::chrono::steady_clock::now()) {
          if (lock.owns_lock()) {
            shard.bindNewFlows();  // a paced batch can take seconds: hosts appear meanwhile
            lock.unlock();
          }
          std::this_thread::sleep_until(due);
        }
      }
      ReadAhead::Entry& e = ahead.next();
      decode::DecodedPacket& p = e.p;
      const bool is_ip = decode::decodeFrame(link, c.data, c.cap_len, c.wire_len, c.ts_us, p);
      if (!is_ip) {
        if (!owner_of_non_ip) continue;
        if (!taps.empty()) taps.offer(c, p);
        if (!lock.owns_lock()) lock.lock();
        if (p.reason != decode::Reason::kOk) {
          shard.countMalformed(p.reason, p.wire_len);
        } else {
          shard.countNonIp(p);
        }
        continue;
      }
      if (!fanout_ && shardOf(p, shards) != index) continue;
      if (!taps.empty()) taps.offer(c, p);
      e.generation = source.generation();
      shard.prepare(p, &e.lookup);
      ahead.push(shard);
      if (ahead.full()) handleFirst();
    }
    while (!ahead.empty()) handleFirst();
    if (lock.owns_lock()) shard.bindNewFlowsUnlessBusy();
    const bool ended = rc == capture::PcapSource::Next::kEnd || rc == capture::PcapSource::Next::kError;
    const uint64_t now = std::max(file ? file_clock_us : wallUs(), shard.lastPacketUs());
    // A pass goes in slices, one per batch, so that no batch waits behind a walk of every flow
    // (and the other threads, behind the shared lock); its first slice runs where it fell due.
    if (!ended && !shard.housekeepingRunning() && shard.housekeepingDue(now, file)) {
      shard.beginHousekeeping(now);
    }
    if (!ended && shard.housekeepingRunning()) {
      if (!lock.owns_lock()) lock.lock();
      shard.housekeepingStep(now, false, Shard::kHousekeepingSlice);
    }
    if (lock.owns_lock()) lock.unlock();
    packets_read_[index].store(packets_read, std::memory_order_relaxed);
    // A reader waiting for the shard takes it now (it spins: see util::AdaptiveMutex), before
    // the next batch: pauses, not yields, for the system call is dearer than the wait.
    for (util::Backoff backoff(4096); shard.readersWaiting();) backoff.wait();

    if (!file && now > last_drop_poll_us + 1'000'000) {
      last_drop_poll_us = now;
      // Each thread's own socket's drops; the interface's, once.
      kernel_drops_[index] = source.kernelDrops(index == 0);
    }
    if (rc == capture::PcapSource::Next::kNone) {
      source.wait(100);
      if (!file) {  // idle live interface: housekeeping on the wall clock
        const uint64_t t = std::max(wallUs(), shard.lastPacketUs());
        std::lock_guard g(shard.mutex());
        if (t >= shard.lastPacketUs() + 1'000'000) shard.housekeeping(t, false);
      }
    } else if (ended) {
      if (!file) {  // a live interface that failed (it went away): this thread stops
        log::error("{}: capture stopped: {}", config_.source.name, source.lastError());
        break;
      }
      if (!source.lastError().empty()) {  // e.g. a file cut short mid-record
        log::warning("{}: {}", config_.source.name, source.lastError());
      }
      {
        std::lock_guard g(shard.mutex());
        shard.housekeeping(shard.lastPacketUs(), true);
      }
      finished_ns_ = nowNs();
      ++finished_threads_;
      break;
    }
  }
  {  // stopped mid-capture: the last batch's flows get their hosts
    std::lock_guard g(shard.mutex());
    shard.bindNewFlows();
  }
  --running_threads_;
}

uint64_t PacketEngine::lastPacketUs() const {
  uint64_t t = 0;
  for (const auto& s : shards_) t = std::max(t, s->lastPacketUs());
  return t;
}

double PacketEngine::processingSeconds() const {
  const int64_t start = started_ns_.load();
  if (start == 0) return 0;
  const int64_t end = finished() ? finished_ns_.load() : nowNs();
  return double(end - start) / 1e9;
}

EngineTotals PacketEngine::totals() const {
  EngineTotals t;
  for (const auto& s : shards_) {
    const ShardCounters& c = s->counters();
    t.packets += c.packets.load(std::memory_order_relaxed);
    t.bytes += c.bytes.load(std::memory_order_relaxed);
    t.ip_packets += c.ip_packets.load(std::memory_order_relaxed);
    t.non_ip_packets += c.non_ip_packets.load(std::memory_order_relaxed);
    t.fragments += c.fragments.load(std::memory_order_relaxed);
    t.flow_drops += c.flow_drops.load(std::memory_order_relaxed);
    t.host_drops += c.host_drops.load(std::memory_order_relaxed);
    for (size_t r = 0; r < c.malformed.size(); ++r) {
      const uint64_t m = c.malformed[r].load(std::memory_order_relaxed);
      t.malformed_by_reason[r] += m;
      t.malformed += m;
    }
    t.flows += c.flows.load(std::memory_order_relaxed);
    t.flows_created += c.flows_created.load(std::memory_order_relaxed);
  }
  for (size_t i = 0; i < shards_.size(); ++i) t.kernel_drops += kernel_drops_[i].load();
  std::lock_guard g(shared_->mutex);
  t.hosts = shared_->hosts.size();
  t.macs = shared_->hosts.macCount();
  return t;
}

std::vector<flow::Flow> PacketEngine::flows(
    const std::function<bool(const flow::Flow&)>& keep) const {
  std::vector<flow::Flow> out;
  scanFlows([&](const flow::Flow& f) {
    if (keep && !keep(f)) return;
    out.push_back(readerCopy(f));
  });
  return out;
}

void PacketEngine::scanFlows(const std::function<void(const flow::Flow&)>& visit) const {
  for (size_t index = 0; index < shards_.size(); ++index) scanShard(index, visit);
}

FlowRow FlowRow::of(const flow::Flow& f, uint8_t shard) {
  FlowRow r;
  r.key = f.key;
  r.hash = f.hash;
  r.serial = f.serial;
  r.master_proto = f.master_proto;
  r.app_proto = f.app_proto;
  r.category = f.category;
  r.lo_is_client = f.lo_is_client;
  r.shard = shard;
  r.first_seen_us = f.first_seen_us;
  r.last_seen_us = f.last_seen_us;
  r.packets_ = f.packets();
  r.bytes_ = f.bytes();
  return r;
}

void PacketEngine::scanFlowRows(const std::function<void(const FlowRow&)>& visit) const {
  std::vector<FlowRow> rows;
  rows.reserve(kScanChunk);
  for (size_t index = 0; index < shards_.size(); ++index) {
    const Shard& s = *shards_[index];
    for (size_t slot = 0;;) {
      rows.clear();
      bool done;
      {
        const auto g = s.lockForReader();
        slot = s.flows().forEachSlotIn(slot, kScanChunk, [&](const flow::Flow& f) {
          rows.push_back(FlowRow::of(f, uint8_t(index)));
        });
        done = slot >= s.flows().slotEnd();
      }
      for (const FlowRow& r : rows) visit(r);
      if (done) break;
    }
  }
}

std::vector<std::pair<uint8_t, flow::Flow>> PacketEngine::fetchFlows(
    const std::vector<FlowRow>& rows) const {
  std::vector<std::pair<uint8_t, flow::Flow>> out;
  for (size_t index = 0; index < shards_.size(); ++index) {
    const auto mine = [&](const FlowRow& r) { return r.shard == index; };
    if (std::none_of(rows.begin(), rows.end(), mine)) continue;
    const Shard& s = *shards_[index];
    const auto g = s.lockForReader();
    for (const FlowRow& r : rows) {
      if (!mine(r)) continue;
      const flow::Flow* f = s.flows().find(r.key, r.hash);
      if (f == nullptr || f->serial != r.serial) continue;  // it ended since the scan
      out.emplace_back(uint8_t(index), readerCopy(*f));
    }
  }
  return out;
}

void PacketEngine::scanHosts(const std::function<void(const host::Host&)>& visit) const {
  for (size_t pos = 0;;) {
    std::lock_guard g(shared_->mutex);
    pos = shared_->hosts.forEachIn(pos, kScanChunk, visit);
    if (pos >= shared_->hosts.slotCount()) break;
  }
}

void PacketEngine::updateHosts(const std::function<void(host::Host&)>& update) {
  for (size_t pos = 0;;) {
    std::lock_guard g(shared_->mutex);
    pos = shared_->hosts.updateIn(pos, kScanChunk, update);
    if (pos >= shared_->hosts.slotCount()) break;
  }
}

uint64_t PacketEngine::walkHosts(uint64_t from, size_t max,
                                 const std::function<bool(const host::Host&)>& keep,
                                 std::vector<host::Host>* out) const {
  size_t pos = size_t(from);
  while (out->size() < max) {
    std::lock_guard g(shared_->mutex);
    const size_t slots = shared_->hosts.slotCount();
    if (pos >= slots) return 0;
    // One slot at a time, so the walk stops right after the host that fills the batch; at most
    // kCopiesPerHold hosts (each with its applications and contacts) copied per hold.
    constexpr size_t kCopiesPerHold = 256;
    const size_t copied_before = out->size();
    for (size_t n = 0; n < kScanChunk && pos < slots && out->size() < max &&
                       out->size() - copied_before < kCopiesPerHold;
         ++n) {
      pos = shared_->hosts.forEachIn(pos, 1, [&](const host::Host& h) {
        if (keep(h)) out->push_back(h);
      });
    }
  }
  std::lock_guard g(shared_->mutex);
  return pos < shared_->hosts.slotCount() ? pos : 0;
}

uint64_t PacketEngine::walkFlows(uint64_t from, size_t max,
                                 const std::function<bool(const flow::Flow&)>& keep,
                                 std::vector<flow::Flow>* out) const {
  size_t shard = size_t(from >> 32);
  uint32_t after = uint32_t(from);
  while (shard < shards_.size() && out->size() < max) {
    const size_t need = max - out->size();
    // The serials after the cursor that `keep` accepts: the `need` lowest are this batch.
    std::vector<uint32_t> serials;
    scanShard(shard, [&](const flow::Flow& f) {
      if (f.serial > after && keep(f)) serials.push_back(f.serial);
    });
    if (serials.size() > need) {
      std::nth_element(serials.begin(), serials.begin() + long(need - 1), serials.end());
      serials.resize(need);
    }
    const uint32_t last = serials.empty() ? after : *std::max_element(serials.begin(), serials.end());
    const size_t first = out->size();
    scanShard(shard, [&](const flow::Flow& f) {
      if (f.serial > after && f.serial <= last && keep(f)) out->push_back(readerCopy(f));
    });
    std::sort(out->begin() + long(first), out->end(),
              [](const flow::Flow& a, const flow::Flow& b) { return a.serial < b.serial; });
    if (serials.size() == need) {  // the batch is full: go on after its last flow
      after = last;
      break;
    }
    ++shard;  // this shard is done
    after = 0;
  }
  if (shard >= shards_.size()) return 0;
  return (uint64_t(shard) << 32) | after;
}

void PacketEngine::collectExpiredRisky(bool on) {
  for (auto& s : shards_) s->collectExpiredRisky(on);
}

void PacketEngine::collectServerFlows(uint8_t kinds) const {
  for (const auto& s : shards_) s->collectServerFlows(kinds);
}

uint64_t PacketEngine::takeExpiredRisky(std::vector<flow::Flow>* out) const {
  uint64_t dropped = 0;
  for (const auto& s : shards_) {
    const auto g = s->lockForReader();
    dropped += s->takeExpiredRisky(out);
  }
  return dropped;
}

void PacketEngine::scanShard(size_t index, const std::function<void(const flow::Flow&)>& visit) const {
  const Shard& s = *shards_[index];
  // By pool slot, which a flow keeps for its life: expiries between the chunks (which move
  // flows in the live list) make the scan miss or repeat no flow that stays.
  for (size_t slot = 0;;) {
    const auto g = s.lockForReader();
    slot = s.flows().forEachSlotIn(slot, kScanChunk, visit);
    if (slot >= s.flows().slotEnd()) break;
  }
}

uint64_t PacketEngine::localHosts() const {
  std::lock_guard g(shared_->mutex);
  return shared_->hosts.localCount();
}

void PacketEngine::readShared(
    const std::function<void(const host::HostTable&, const TrafficStats&)>& read) const {
  std::lock_guard g(shared_->mutex);
  read(shared_->hosts, shared_->stats);
}

void PacketEngine::sampleThroughput(double seconds) {
  std::lock_guard g(shared_->mutex);
  shared_->hosts.sampleThroughput(seconds);
  for (auto& [id, p] : shared_->stats.pools) {
    host::sampleThroughput(p.traffic, seconds, p.sampled_bytes, p.sampled_packets,
                           p.throughput_bps, p.throughput_pps);
  }
}

void PacketEngine::resetPoolStats(std::optional<uint16_t> pool) {
  std::lock_guard g(shared_->mutex);
  for (auto& [id, p] : shared_->stats.pools) {
    if (!pool || *pool == id) p.reset();
  }
}

bool PacketEngine::resetHost(const util::IpAddress& ip, uint16_t vlan, bool forget) {
  bool found;
  {
    std::lock_guard g(shared_->mutex);
    found = shared_->hosts.resetHost(ip, vlan, forget);
  }
  host_rankings_.clear();  // rankings by traffic would still place it by its old counters
  return found;
}

bool PacketEngine::resetMac(const std::array<uint8_t, 6>& mac) {
  std::lock_guard g(shared_->mutex);
  return shared_->hosts.resetMac(mac);
}

bool PacketEngine::setMacDeviceType(const std::array<uint8_t, 6>& mac, uint8_t type,
                                    bool overwrite) {
  std::lock_guard g(shared_->mutex);
  return shared_->hosts.setMacDeviceType(mac, type, overwrite);
}

void PacketEngine::resetCounters() {
  host_rankings_.clear();
  flow_rankings_.clear();
  for (auto& s : shards_) {
    std::lock_guard g(s->mutex());
    s->resetCounters();
  }
  std::lock_guard g(shared_->mutex);
  shared_->stats = TrafficStats{};
  shared_->hosts.resetCounters();
}

}  // namespace flowlens
