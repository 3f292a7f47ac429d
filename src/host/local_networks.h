#pragma once
// The local networks: those given with -m and those added later by ntop.addLocalNetwork().
// A host whose address lies in one of them is a local host. Networks are numbered 0, 1, ... in
// the order they were given (ntopng's network ids); each has a name (its CIDR text,
// "192.168.1.0/24") and an optional alias (-m 192.168.1.0/24=office).
//
// Only configured networks are local: flowlens does not add the monitored interfaces' own
// networks, nor any built-in range, to this list (see docs/api/network.md).
//
// Thread-safe. Lookups (isLocal, networkIdOf) run on packet threads when hosts are created:
// they read an immutable table published by copy-on-write, take no lock and allocate nothing.
// add() copies the table under a writer mutex and publishes the copy.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "util/ip.h"

namespace flowlens {

struct LocalNetwork {
  int id = -1;
  util::IpPrefix prefix;
  std::string name;   // canonical CIDR: "192.168.1.0/24", "2001:db8::/32"
  std::string alias;  // "" when none was given
};

class LocalNetworks {
 public:
  // ntopng's CONST_MAX_NUM_NETWORKS: its network ids are 8 bits with 255 meaning "none".
  static constexpr int kMaxNetworks = 255;

  LocalNetworks() : LocalNetworks({}, {}) {}
  // `aliases` runs parallel to `prefixes` (Options::local_network_aliases); missing entries
  // mean no alias. Duplicate prefixes keep the first; networks past kMaxNetworks are dropped.
  LocalNetworks(const std::vector<util::IpPrefix>& prefixes,
                const std::vector<std::string>& aliases);

  bool isLocal(const util::IpAddress& a) const { return networkIdOf(a) >= 0; }
  // The id of the longest local network containing `a`, -1 if none.
  int networkIdOf(const util::IpAddress& a) const;
  // The id of the longest local network containing the whole of `p`, -1 if none
  // (10.1.0.0/16 lies in 10.0.0.0/8; 10.0.0.0/7 does not).
  int networkIdOf(const util::IpPrefix& p) const;

  std::optional<LocalNetwork> byId(int id) const;
  // By name. "10.1.2.3/8" also finds "10.0.0.0/8": a parseable name is compared canonically.
  int idByName(std::string_view name) const;
  // Adds "cidr" or "cidr=alias" (ntopng's -m syntax, one entry). Returns the new network's id;
  // a network already present keeps its id and alias, and that id is returned.
  Result<int> add(std::string_view spec);
  // A comma separated list of such entries, as -m takes it (empty items are skipped). All or
  // nothing: nothing is added unless every entry parses and there is room for all. Returns the
  // ids, in order.
  Result<std::vector<int>> addList(std::string_view list);
  // Every network, by id.
  std::vector<LocalNetwork> all() const;
  size_t size() const;

 private:
  // An address as two big-endian 64-bit halves: prefix tests are two masked compares.
  struct Key {
    uint64_t hi = 0, lo = 0;
  };
  struct Matcher {
    Key network, mask;
    int bits = 0;
    int id = -1;
  };
  struct Table {
    std::vector<LocalNetwork> networks;  // by id
    std::vector<Matcher> v4, v6;         // longest prefix first
  };

  struct Entry {
    util::IpPrefix prefix;
    std::string alias;
  };
  static Result<Entry> parseEntry(std::string_view spec);
  Result<std::vector<int>> addEntries(std::vector<Entry> entries);
  // The id `p` has in `t`, -1 if absent.
  static int find(const Table& t, const util::IpPrefix& p);
  static Key keyOf(const util::IpAddress& a);
  static Key maskOf(int bits);
  static std::shared_ptr<const Table> withNetwork(const Table& from, const util::IpPrefix& p,
                                                  std::string alias);
  const Matcher* longestMatch(const Table& t, const util::IpAddress& a, int min_bits) const;

  std::atomic<std::shared_ptr<const Table>> table_;
  std::mutex write_mu_;  // serialises add(): one copy-on-write at a time
};

// ntop.checkNetworkPolicy(): each list is "cidr,cidr,...". Fails with the first entry that is
// not an address or network ("Invalid network <entry>"), or that overlaps an entry accepted
// before it, in this list or an earlier one ("Overlapping address error <entry>"), unless it is
// a network strictly smaller than the one it falls in (ntopng's rule).
Status checkNetworkPolicy(const std::vector<std::string_view>& lists);

// This machine's own addresses (getifaddrs), re-read at most once per `ttl`. Thread-safe.
class InterfaceAddresses {
 public:
  using Source = std::function<Result<std::vector<util::IpAddress>>()>;
  static constexpr std::chrono::milliseconds kDefaultTtl{5000};

  explicit InterfaceAddresses(std::chrono::milliseconds ttl = kDefaultTtl,
                              Source source = systemAddresses);
  // Whether `a` is one of the addresses; false (and a log line once per failure streak) when the
  // list cannot be read.
  bool contains(const util::IpAddress& a);
  // Every IPv4 and IPv6 address of every interface, up or down.
  static Result<std::vector<util::IpAddress>> systemAddresses();

 private:
  const std::chrono::milliseconds ttl_;
  const Source source_;
  std::mutex mu_;
  std::vector<util::IpAddress> addresses_;
  std::chrono::steady_clock::time_point read_at_{};
  bool have_ = false;
  bool failing_ = false;
};

}  // namespace flowlens
