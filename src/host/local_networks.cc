#include "host/local_networks.h"

#include <ifaddrs.h>
#include <netinet/in.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/log.h"

namespace flowlens {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// LocalNetworks

LocalNetworks::LocalNetworks(const std::vector<util::IpPrefix>& prefixes,
                             const std::vector<std::string>& aliases) {
  auto table = std::make_shared<const Table>();
  for (size_t i = 0; i < prefixes.size(); ++i) {
    const Table& t = *table;
    if (find(t, prefixes[i]) >= 0) continue;
    if (static_cast<int>(t.networks.size()) >= kMaxNetworks) {
      log::warning("Local networks: more than {}; {} and later ones are ignored", kMaxNetworks,
                   prefixes[i].toString());
      break;
    }
    table = withNetwork(t, prefixes[i], i < aliases.size() ? aliases[i] : std::string());
  }
  table_.store(std::move(table), std::memory_order_release);
}

LocalNetworks::Key LocalNetworks::keyOf(const util::IpAddress& a) {
  Key k;
  for (int i = 0; i < 8; ++i) k.hi = (k.hi << 8) | a.bytes[i];
  for (int i = 8; i < 16; ++i) k.lo = (k.lo << 8) | a.bytes[i];
  return k;  // IPv4 sits in the top 32 bits of hi, the rest is zero
}

LocalNetworks::Key LocalNetworks::maskOf(int bits) {
  Key m;
  if (bits >= 64) {
    m.hi = ~uint64_t{0};
  } else if (bits > 0) {
    m.hi = ~uint64_t{0} << (64 - bits);
  }
  if (bits >= 128) {
    m.lo = ~uint64_t{0};
  } else if (bits > 64) {
    m.lo = ~uint64_t{0} << (128 - bits);
  }
  return m;
}

std::shared_ptr<const LocalNetworks::Table> LocalNetworks::withNetwork(const Table& from,
                                                                       const util::IpPrefix& p,
                                                                       std::string alias) {
  auto t = std::make_shared<Table>(from);
  const int id = static_cast<int>(t->networks.size());
  t->networks.push_back({id, p, p.toString(), std::move(alias)});
  const Key mask = maskOf(p.bits);
  const Key net = keyOf(p.network);
  auto& list = p.network.v6 ? t->v6 : t->v4;
  list.push_back({{net.hi & mask.hi, net.lo & mask.lo}, mask, p.bits, id});
  // Longest first; among equals (impossible: duplicates are refused) the older id first.
  std::stable_sort(list.begin(), list.end(),
                   [](const Matcher& a, const Matcher& b) { return a.bits > b.bits; });
  return t;
}

const LocalNetworks::Matcher* LocalNetworks::longestMatch(const Table& t, const util::IpAddress& a,
                                                          int max_bits) const {
  const Key k = keyOf(a);
  for (const Matcher& m : a.v6 ? t.v6 : t.v4) {
    if (m.bits > max_bits) continue;
    if ((k.hi & m.mask.hi) == m.network.hi && (k.lo & m.mask.lo) == m.network.lo) return &m;
  }
  return nullptr;
}

int LocalNetworks::networkIdOf(const util::IpAddress& a) const {
  const auto t = table_.load(std::memory_order_acquire);
  const Matcher* m = longestMatch(*t, a, 128);
  return m ? m->id : -1;
}

int LocalNetworks::networkIdOf(const util::IpPrefix& p) const {
  const auto t = table_.load(std::memory_order_acquire);
  const Matcher* m = longestMatch(*t, p.network, p.bits);
  return m ? m->id : -1;
}

std::optional<LocalNetwork> LocalNetworks::byId(int id) const {
  const auto t = table_.load(std::memory_order_acquire);
  if (id < 0 || id >= static_cast<int>(t->networks.size())) return std::nullopt;
  return t->networks[id];
}

int LocalNetworks::idByName(std::string_view name) const {
  const auto t = table_.load(std::memory_order_acquire);
  for (const auto& n : t->networks) {
    if (n.name == name) return n.id;
  }
  auto p = util::parsePrefix(trim(name));
  return p ? find(*t, *p) : -1;
}

Result<LocalNetworks::Entry> LocalNetworks::parseEntry(std::string_view spec) {
  std::string_view cidr = spec, alias;
  if (const auto eq = spec.find('='); eq != std::string_view::npos) {
    cidr = spec.substr(0, eq);
    alias = trim(spec.substr(eq + 1));
  }
  auto p = util::parsePrefix(trim(cidr));
  if (!p) return Error{p.error()};
  return Entry{*p, std::string(alias)};
}

int LocalNetworks::find(const Table& t, const util::IpPrefix& p) {
  for (const auto& n : t.networks) {
    if (n.prefix.bits == p.bits && n.prefix.network == p.network) return n.id;
  }
  return -1;
}

Result<int> LocalNetworks::add(std::string_view spec) {
  auto e = parseEntry(spec);
  if (!e) return Error{e.error()};
  std::vector<Entry> one;
  one.push_back(std::move(*e));
  auto ids = addEntries(std::move(one));
  if (!ids) return Error{ids.error()};
  return ids->front();
}

Result<std::vector<int>> LocalNetworks::addList(std::string_view list) {
  std::vector<Entry> entries;
  while (!list.empty()) {
    const auto comma = list.find(',');
    const std::string_view item = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    if (trim(item).empty()) continue;
    auto e = parseEntry(item);
    if (!e) return Error{e.error()};
    entries.push_back(std::move(*e));
  }
  return addEntries(std::move(entries));
}

Result<std::vector<int>> LocalNetworks::addEntries(std::vector<Entry> entries) {
  std::lock_guard lock(write_mu_);
  std::shared_ptr<const Table> t = table_.load(std::memory_order_acquire);
  const auto published = t;
  std::vector<int> ids;
  for (auto& e : entries) {
    int id = find(*t, e.prefix);
    if (id < 0) {
      if (static_cast<int>(t->networks.size()) >= kMaxNetworks) {
        return Error{"too many local networks (at most " + std::to_string(kMaxNetworks) + ")"};
      }
      id = static_cast<int>(t->networks.size());
      t = withNetwork(*t, e.prefix, std::move(e.alias));
    }
    ids.push_back(id);
  }
  if (t != published) table_.store(std::move(t), std::memory_order_release);
  return ids;
}

std::vector<LocalNetwork> LocalNetworks::all() const {
  return table_.load(std::memory_order_acquire)->networks;
}

size_t LocalNetworks::size() const {
  return table_.load(std::memory_order_acquire)->networks.size();
}

// ---------------------------------------------------------------------------------------------
// checkNetworkPolicy

Status checkNetworkPolicy(const std::vector<std::string_view>& lists) {
  std::vector<util::IpPrefix> accepted;
  for (std::string_view list : lists) {
    while (!list.empty()) {
      const auto comma = list.find(',');
      const std::string_view entry = trim(list.substr(0, comma));
      list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
      if (entry.empty()) continue;
      const auto slash = entry.find('/');
      auto addr = util::parseIp(entry.substr(0, slash));  // the address as written, unmasked
      auto prefix = util::parsePrefix(entry);
      if (!addr || !prefix) return Error{"Invalid network " + std::string(entry)};
      const util::IpPrefix* within = nullptr;
      for (const auto& a : accepted) {
        if (a.contains(*addr) && (!within || a.bits > within->bits)) within = &a;
      }
      if (within && !(slash != std::string_view::npos && prefix->bits > within->bits)) {
        return Error{"Overlapping address error " + std::string(entry)};
      }
      accepted.push_back(*prefix);
    }
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// InterfaceAddresses

InterfaceAddresses::InterfaceAddresses(std::chrono::milliseconds ttl, Source source)
    : ttl_(ttl), source_(std::move(source)) {}

bool InterfaceAddresses::contains(const util::IpAddress& a) {
  std::lock_guard lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  if (!have_ || now - read_at_ >= ttl_) {
    auto list = source_();
    read_at_ = now;
    if (list) {
      addresses_ = std::move(*list);
      have_ = true;
      failing_ = false;
    } else {
      if (!failing_) log::warning("Cannot list this machine's addresses: {}", list.error());
      failing_ = true;
      have_ = true;
      addresses_.clear();
    }
  }
  return std::find(addresses_.begin(), addresses_.end(), a) != addresses_.end();
}

Result<std::vector<util::IpAddress>> InterfaceAddresses::systemAddresses() {
  struct ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return Error{std::string("getifaddrs: ") + std::strerror(errno)};
  std::vector<util::IpAddress> out;
  for (const struct ifaddrs* i = list; i; i = i->ifa_next) {
    if (!i->ifa_addr) continue;
    util::IpAddress a;
    if (i->ifa_addr->sa_family == AF_INET) {
      const auto* sin = reinterpret_cast<const struct sockaddr_in*>(i->ifa_addr);
      std::memcpy(a.bytes.data(), &sin->sin_addr, 4);
    } else if (i->ifa_addr->sa_family == AF_INET6) {
      const auto* sin6 = reinterpret_cast<const struct sockaddr_in6*>(i->ifa_addr);
      a.v6 = true;
      std::memcpy(a.bytes.data(), &sin6->sin6_addr, 16);
    } else {
      continue;
    }
    if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
  }
  freeifaddrs(list);
  return out;
}

}  // namespace flowlens
