#pragma once
// ntopng's host pools: named groups of hosts, by MAC address or by address / network and VLAN,
// kept in the store under ntopng's keys (written by its host_pools.lua):
//   ntopng.prefs.host_pools.pool_ids            set of pool ids
//   ntopng.prefs.host_pools.members.<id>        set of "<address>[/<bits>][@<vlan>]" or MACs
// reload() reads them (ntop.reloadHostPools); a host belongs to the pool of its MAC, else of
// the longest network holding its address on its VLAN, else to pool 0 (ntopng's "not
// assigned"). Snapshots are immutable; thread-safe.

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "util/ip.h"

namespace flowlens::store {
class KvStore;
}

namespace flowlens::host {

struct Host;

class HostPools {
 public:
  static constexpr uint16_t kNoPool = 0;
  static constexpr size_t kMaxPools = 1024;
  static constexpr size_t kMaxMembers = 65536;  // in all pools
  static constexpr const char* kPoolIdsKey = "ntopng.prefs.host_pools.pool_ids";
  static constexpr const char* kMembersPrefix = "ntopng.prefs.host_pools.members.";

  class Snapshot {
   public:
    // The pool of a host with this address, VLAN and MAC (nullptr: none known); `by_mac` tells
    // whether its MAC decided.
    uint16_t poolOf(const util::IpAddress& ip, uint16_t vlan, const std::array<uint8_t, 6>* mac,
                    bool* by_mac = nullptr) const;
    // The network member that places `ip` on `vlan` (the longest), or nullopt.
    struct Match {
      uint16_t pool = 0;
      util::IpPrefix prefix;
    };
    std::optional<Match> findNetwork(const util::IpAddress& ip, uint16_t vlan) const;
    // The pool listing `mac`, or nullopt.
    std::optional<uint16_t> findMac(const std::array<uint8_t, 6>& mac) const;
    // The pools' ids (as the store lists them, with or without members), ascending.
    const std::vector<uint16_t>& ids() const { return ids_; }
    bool empty() const { return nets_.empty() && macs_.empty(); }
    bool hasMacs() const { return !macs_.empty(); }

   private:
    friend class HostPools;
    // A network member: its masked address, length and VLAN. A lookup tries each length the
    // members use, longest first: a hash lookup per length, whatever the number of members.
    struct NetKey {
      std::array<uint8_t, 16> addr{};
      uint16_t vlan = 0;
      uint8_t bits = 0;
      bool v6 = false;
      bool operator==(const NetKey&) const = default;
    };
    struct NetKeyHash {
      size_t operator()(const NetKey& k) const;
    };
    static NetKey keyOf(const util::IpPrefix& network, uint16_t vlan);
    std::unordered_map<NetKey, uint16_t, NetKeyHash> nets_;
    std::vector<uint8_t> lengths_v4_, lengths_v6_;  // the members' lengths, longest first
    std::unordered_map<uint64_t, uint16_t> macs_;
    std::vector<uint16_t> ids_;
  };

  HostPools();

  // Replaces the pools with those the store holds. An error (a member that is neither an
  // address, a network nor a MAC; too many pools or members) leaves them as they were.
  Status reload(store::KvStore& store);
  std::shared_ptr<const Snapshot> snapshot() const;
  // Whether any pool has members, or MAC members (cheap: the packet path asks for every new
  // host, and for every host whose MAC becomes known).
  bool anyMembers() const { return any_members_.load(std::memory_order_acquire); }
  bool anyMacMembers() const { return any_macs_.load(std::memory_order_acquire); }
  // Sets the host's pool (Host::pool_id, pool_by_mac) from the current pools.
  void assign(Host& h) const;

  // Parses one member: "<address>[/<bits>][@<vlan>]" or "AA:BB:CC:DD:EE:FF".
  struct Member {
    bool is_mac = false;
    std::array<uint8_t, 6> mac{};
    util::IpPrefix prefix;
    uint16_t vlan = 0;
  };
  static Result<Member> parseMember(std::string_view text);

 private:
  std::mutex reload_mu_;  // one reload (store reads, then swap) at a time
  mutable std::mutex mu_;
  std::shared_ptr<const Snapshot> current_;  // guarded by mu_
  std::atomic<bool> any_members_{false}, any_macs_{false};
};

}  // namespace flowlens::host
