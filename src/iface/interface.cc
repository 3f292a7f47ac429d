#include "iface/interface.h"

#include <chrono>

namespace flowlens {

NetworkInterface::NetworkInterface(int id, std::string name, Kind kind)
    : id_(id), name_(std::move(name)), kind_(kind), start_epoch_(std::time(nullptr)) {}

NetworkInterface::~NetworkInterface() { stop(); }

Status NetworkInterface::attach(const EngineConfig& config, HostHooks hooks) {
  auto engine = PacketEngine::create(config, std::move(hooks));
  if (!engine) return Error{engine.error()};
  engine_ = std::move(*engine);
  return Status::Ok();
}

void NetworkInterface::start() {
  if (engine_) engine_->start();
}

void NetworkInterface::stop() {
  if (engine_) engine_->stop();
}

EngineTotals NetworkInterface::totals() const { return engine_ ? engine_->totals() : EngineTotals{}; }

EngineTotals NetworkInterface::totalsSinceReset() const {
  EngineTotals t = totals();
  std::lock_guard g(reset_mutex_);
  t.packets -= std::min(t.packets, baseline_.packets);
  t.bytes -= std::min(t.bytes, baseline_.bytes);
  t.kernel_drops -= std::min(t.kernel_drops, baseline_.kernel_drops);
  t.malformed -= std::min(t.malformed, baseline_.malformed);
  t.flow_drops -= std::min(t.flow_drops, baseline_.flow_drops);
  return t;
}

void NetworkInterface::resetCounters() {
  const EngineTotals t = totals();
  std::lock_guard g(reset_mutex_);
  baseline_ = t;
}

void NetworkInterface::sampleThroughput() {
  const int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::steady_clock::now().time_since_epoch()).count();
  const EngineTotals t = totals();
  if (last_sample_ns_ != 0 && now > last_sample_ns_) {
    const double secs = double(now - last_sample_ns_) / 1e9;
    bps_ = double(t.bytes - std::min(t.bytes, last_bytes_)) * 8 / secs;
    pps_ = double(t.packets - std::min(t.packets, last_packets_)) / secs;
    if (engine_) engine_->sampleThroughput(secs);
  } else if (engine_) {
    engine_->sampleThroughput(0);  // hosts start from the same baseline as the interface
  }
  if (t.packets != last_packets_ || last_change_ns_.load() == 0) last_change_ns_ = now;
  last_sample_ns_ = now;
  last_bytes_ = t.bytes;
  last_packets_ = t.packets;
}

bool NetworkInterface::idle(int idle_s) const {
  if (engine_ && engine_->isFile()) return engine_->finished();
  const int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::steady_clock::now().time_since_epoch()).count();
  const int64_t changed = last_change_ns_.load();
  return changed != 0 && now - changed > int64_t(idle_s) * 1000000000;
}

}  // namespace flowlens
