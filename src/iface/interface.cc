#include "iface/interface.h"

namespace flowlens {

NetworkInterface::NetworkInterface(int id, std::string name, Kind kind)
    : id_(id), name_(std::move(name)), kind_(kind), start_epoch_(std::time(nullptr)) {}

uint64_t NetworkInterface::packetsSinceReset() const {
  return counters_.packets.load(std::memory_order_relaxed) - reset_packets_.load();
}

uint64_t NetworkInterface::bytesSinceReset() const {
  return counters_.bytes.load(std::memory_order_relaxed) - reset_bytes_.load();
}

void NetworkInterface::resetCounters() {
  reset_packets_.store(counters_.packets.load(std::memory_order_relaxed));
  reset_bytes_.store(counters_.bytes.load(std::memory_order_relaxed));
}

}  // namespace flowlens
