#include "host/host_table.h"

#include <algorithm>
#include <cstring>

namespace flowlens::host {

size_t HostTable::KeyHash::operator()(const Key& k) const {
  uint64_t a, b;
  std::memcpy(&a, k.ip.bytes.data(), 8);
  std::memcpy(&b, k.ip.bytes.data() + 8, 8);
  uint64_t h = (a ^ (b * 0x9E3779B97F4A7C15ull) ^ (uint64_t(k.vlan) << 48)) * 0xff51afd7ed558ccdull;
  return size_t(h ^ (h >> 31));
}

uint32_t HostTable::acquire(const util::IpAddress& ip, uint16_t vlan, uint64_t now_us,
                            const std::function<void(Host&)>& classify) {
  const Key key{ip, vlan};
  if (auto it = index_.find(key); it != index_.end()) return it->second;
  if (index_.size() >= max_hosts_) {
    ++dropped_;
    return UINT32_MAX;
  }
  uint32_t i;
  if (!free_.empty()) {
    i = free_.back();
    free_.pop_back();
  } else {
    i = uint32_t(hosts_.size());
    hosts_.emplace_back();
  }
  Host& h = hosts_[i];
  h = Host{};
  h.ip = ip;
  h.vlan = vlan;
  h.in_use = true;
  h.first_seen_us = h.last_seen_us = now_us;
  h.serial = next_serial_++;
  classify(h);
  local_count_ += h.local;
  index_.emplace(key, i);
  return i;
}

const Host* HostTable::find(const util::IpAddress& ip, uint16_t vlan) const {
  auto it = index_.find(Key{ip, vlan});
  return it == index_.end() ? nullptr : &hosts_[it->second];
}

std::vector<const Host*> HostTable::findAll(const util::IpAddress& ip) const {
  std::vector<const Host*> out;
  if (const Host* h = find(ip, 0)) out.push_back(h);
  if (index_.size() > 0 && out.empty()) {
    for (const Host& h : hosts_) {
      if (h.in_use && h.ip == ip) out.push_back(&h);
    }
  }
  return out;
}

size_t HostTable::purgeIdle(uint64_t idle_before_us) {
  size_t n = 0;
  for (uint32_t i = 0; i < hosts_.size(); ++i) {
    Host& h = hosts_[i];
    if (!h.in_use || h.active_flows_as_client + h.active_flows_as_server > 0 ||
        h.last_seen_us >= idle_before_us) {
      continue;
    }
    index_.erase(Key{h.ip, h.vlan});
    local_count_ -= h.local;
    if (h.has_mac) {
      if (auto m = macs_.find(macKey(h.mac)); m != macs_.end() && m->second.num_hosts > 0) {
        --m->second.num_hosts;
      }
    }
    h = Host{};
    free_.push_back(i);
    ++n;
  }
  return n;
}

void HostTable::forEach(const std::function<void(const Host&)>& visit) const {
  for (const Host& h : hosts_) {
    if (h.in_use) visit(h);
  }
}

size_t HostTable::forEachIn(size_t from, size_t count,
                            const std::function<void(const Host&)>& visit) const {
  const size_t end = std::min(hosts_.size(), from + count);
  for (size_t k = from; k < end; ++k) {
    if (hosts_[k].in_use) visit(hosts_[k]);
  }
  return end;
}

size_t HostTable::updateIn(size_t from, size_t count, const std::function<void(Host&)>& update) {
  const size_t end = std::min(hosts_.size(), from + count);
  for (size_t k = from; k < end; ++k) {
    if (hosts_[k].in_use) update(hosts_[k]);
  }
  return end;
}

void HostTable::sampleThroughput(double seconds) {
  for (Host& h : hosts_) {
    if (!h.in_use) continue;
    host::sampleThroughput(h.traffic, seconds, h.sampled_bytes, h.sampled_packets,
                           h.throughput_bps, h.throughput_pps);
  }
}

MacHost& HostTable::mac(const std::array<uint8_t, 6>& m, uint64_t now_us) {
  auto [it, created] = macs_.try_emplace(macKey(m));
  if (created) {
    it->second.mac = m;
    it->second.first_seen_us = it->second.last_seen_us = now_us;
    if (!device_types_.empty()) {
      if (auto t = device_types_.find(it->first); t != device_types_.end()) {
        it->second.device_type = t->second;
      }
    }
  }
  return it->second;
}

const MacHost* HostTable::findMac(const std::array<uint8_t, 6>& m) const {
  auto it = macs_.find(macKey(m));
  return it == macs_.end() ? nullptr : &it->second;
}

void HostTable::forEachMac(const std::function<void(const MacHost&)>& visit) const {
  for (const auto& [k, m] : macs_) visit(m);
}

size_t HostTable::purgeIdleMacs(uint64_t idle_before_us) {
  return std::erase_if(macs_, [&](const auto& kv) { return kv.second.last_seen_us < idle_before_us; });
}

void HostTable::resetCounters() {
  for (Host& h : hosts_) {
    if (!h.in_use) continue;
    h.traffic = {};
    h.l4 = {};
    h.apps.clear();
  }
  for (auto& [k, m] : macs_) m.traffic = {};
}

bool HostTable::resetHost(const util::IpAddress& ip, uint16_t vlan, bool forget) {
  auto it = index_.find(Key{ip, vlan});
  if (it == index_.end()) return false;
  Host& h = hosts_[it->second];
  h.traffic = {};
  h.l4 = {};
  h.apps.clear();
  h.flows_as_client = h.flows_as_server = 0;
  h.contacts_as_client.clear();
  h.contacts_as_server.clear();
  h.sampled_bytes = h.sampled_packets = 0;
  h.throughput_bps = h.throughput_pps = 0;
  if (forget) {
    h.name.clear();
    h.name_from = Host::NameFrom::kNone;
  }
  return true;
}

bool HostTable::resetMac(const std::array<uint8_t, 6>& mac) {
  auto it = macs_.find(macKey(mac));
  if (it == macs_.end()) return false;
  it->second.traffic = {};
  return true;
}

bool HostTable::setMacDeviceType(const std::array<uint8_t, 6>& mac, uint8_t type,
                                 bool overwrite) {
  const uint64_t key = macKey(mac);
  auto known = device_types_.find(key);
  auto it = macs_.find(key);
  const uint8_t current = it != macs_.end() ? it->second.device_type
                          : known != device_types_.end() ? known->second
                                                         : 0;
  if (current != 0 && !overwrite) return false;
  if (it != macs_.end()) it->second.device_type = type;
  if (type == 0) {  // unknown again: nothing to remember
    if (known != device_types_.end()) device_types_.erase(known);
  } else if (known != device_types_.end()) {
    known->second = type;
  } else if (device_types_.size() < kMaxDeviceTypes) {
    device_types_.emplace(key, type);
  }
  return true;
}

}  // namespace flowlens::host
