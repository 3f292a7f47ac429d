#pragma once
// The hosts and MAC hosts of one interface, with stable indexes (flows refer to hosts by index).
// Capped at `max_hosts` (ntopng's -x): a host that does not fit is counted and left out.
// Not thread-safe: the interface's stats lock guards it.

#include <algorithm>
#include <cstdint>
#include <deque>
#include <functional>
#include <unordered_map>
#include <vector>

#include "host/host.h"
#include "util/block_arena.h"

namespace flowlens::host {

class HostTable {
 public:
  // Room for up to 65,536 hosts is reserved up front: no rehashing while a busy network fills it.
  explicit HostTable(uint32_t max_hosts)
      : max_hosts_(max_hosts),
        hosts_(util::ArenaAllocator<Host>(&arena_)),
        index_(0, KeyHash{}, std::equal_to<Key>{}, util::ArenaAllocator<std::pair<const Key, uint32_t>>(&arena_)),
        macs_(0, std::hash<uint64_t>{}, std::equal_to<uint64_t>{},
              util::ArenaAllocator<std::pair<const uint64_t, MacHost>>(&arena_)) {
    index_.reserve(std::min<uint32_t>(max_hosts, 1u << 16));
  }

  // The index of the host (ip, vlan), created when absent; UINT32_MAX when the table is full.
  // `classify` sets local/network_id of a new host.
  uint32_t acquire(const util::IpAddress& ip, uint16_t vlan, uint64_t now_us,
                   const std::function<void(Host&)>& classify);
  Host* at(uint32_t index) { return index < hosts_.size() && hosts_[index].in_use ? &hosts_[index] : nullptr; }
  const Host* at(uint32_t index) const {
    return index < hosts_.size() && hosts_[index].in_use ? &hosts_[index] : nullptr;
  }
  const Host* find(const util::IpAddress& ip, uint16_t vlan) const;
  // Every (ip) on any VLAN.
  std::vector<const Host*> findAll(const util::IpAddress& ip) const;

  // Removes hosts without active flows idle since `idle_before_us`.
  size_t purgeIdle(uint64_t idle_before_us);
  void forEach(const std::function<void(const Host&)>& visit) const;
  // Visits slots [from, from + count) (unused ones skipped); returns the next slot, or
  // slotCount() at the end. Slots are stable: a scan in several calls sees each host once.
  size_t forEachIn(size_t from, size_t count, const std::function<void(const Host&)>& visit) const;
  // The same, for changing the hosts' own fields (not their identity: address and VLAN).
  size_t updateIn(size_t from, size_t count, const std::function<void(Host&)>& update);
  size_t slotCount() const { return hosts_.size(); }
  size_t localCount() const { return local_count_; }
  // Sets every host's throughput from the traffic since the last call, `seconds` ago.
  void sampleThroughput(double seconds);

  MacHost& mac(const std::array<uint8_t, 6>& mac, uint64_t now_us);
  const MacHost* findMac(const std::array<uint8_t, 6>& mac) const;
  void forEachMac(const std::function<void(const MacHost&)>& visit) const;
  size_t purgeIdleMacs(uint64_t idle_before_us);

  size_t size() const { return index_.size(); }
  size_t macCount() const { return macs_.size(); }
  uint64_t dropped() const { return dropped_; }
  void resetCounters();
  // Zeroes one host's counters: traffic (in all, per L4 protocol and per application), flows
  // and contacts; `forget` also drops the name learned from its traffic. Its identity and
  // active flows stay. False when there is no such host.
  bool resetHost(const util::IpAddress& ip, uint16_t vlan, bool forget);
  // Zeroes one MAC host's traffic; false when there is none.
  bool resetMac(const std::array<uint8_t, 6>& mac);
  // Gives the MAC host `type` (ntopng's DeviceType), unless it has one and not `overwrite`;
  // remembered (up to kMaxDeviceTypes addresses) for when the address comes back after a
  // purge, or first. False when the type was not set: the MAC has one and not `overwrite`.
  bool setMacDeviceType(const std::array<uint8_t, 6>& mac, uint8_t type, bool overwrite);
  static constexpr size_t kMaxDeviceTypes = 65536;

 private:
  struct Key {
    util::IpAddress ip;
    uint16_t vlan;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const;
  };

  uint32_t max_hosts_;
  // Hosts, index entries and MAC hosts come from huge blocks (declared first: goes last).
  util::BlockArena arena_;
  std::deque<Host, util::ArenaAllocator<Host>> hosts_;  // stable addresses
  std::vector<uint32_t> free_;
  std::unordered_map<Key, uint32_t, KeyHash, std::equal_to<Key>,
                     util::ArenaAllocator<std::pair<const Key, uint32_t>>>
      index_;
  std::unordered_map<uint64_t, MacHost, std::hash<uint64_t>, std::equal_to<uint64_t>,
                     util::ArenaAllocator<std::pair<const uint64_t, MacHost>>>
      macs_;
  std::unordered_map<uint64_t, uint8_t> device_types_;  // set by scripts, by MAC
  uint64_t dropped_ = 0;
  uint32_t next_serial_ = 1;
  size_t local_count_ = 0;
};

}  // namespace flowlens::host
