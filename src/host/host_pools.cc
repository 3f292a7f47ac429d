#include "host/host_pools.h"

#include <algorithm>
#include <functional>
#include <charconv>

#include "host/host.h"
#include "store/kv_store.h"

namespace flowlens::host {
namespace {

Result<uint16_t> poolId(std::string_view text) {
  unsigned id = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id > 65535) {
    return Error{"host pools: '" + std::string(text) + "' is not a pool id"};
  }
  return uint16_t(id);
}

}  // namespace

uint16_t HostPools::Snapshot::poolOf(const util::IpAddress& ip, uint16_t vlan,
                                     const std::array<uint8_t, 6>* mac, bool* by_mac) const {
  if (by_mac) *by_mac = false;
  if (mac != nullptr) {
    if (auto pool = findMac(*mac)) {
      if (by_mac) *by_mac = true;
      return *pool;
    }
  }
  if (auto m = findNetwork(ip, vlan)) return m->pool;
  return kNoPool;
}

std::optional<uint16_t> HostPools::Snapshot::findMac(const std::array<uint8_t, 6>& mac) const {
  if (macs_.empty()) return std::nullopt;
  if (auto it = macs_.find(macKey(mac)); it != macs_.end()) return it->second;
  return std::nullopt;
}

std::optional<HostPools::Snapshot::Match> HostPools::Snapshot::findNetwork(
    const util::IpAddress& ip, uint16_t vlan) const {
  if (nets_.empty()) return std::nullopt;
  for (uint8_t bits : ip.v6 ? lengths_v6_ : lengths_v4_) {  // longest first: the best match
    const util::IpPrefix network{util::maskAddress(ip, bits), bits};
    if (auto it = nets_.find(keyOf(network, vlan)); it != nets_.end()) {
      return Match{it->second, network};
    }
  }
  return std::nullopt;
}

HostPools::Snapshot::NetKey HostPools::Snapshot::keyOf(const util::IpPrefix& network,
                                                       uint16_t vlan) {
  return {network.network.bytes, vlan, uint8_t(network.bits), network.network.v6};
}

size_t HostPools::Snapshot::NetKeyHash::operator()(const NetKey& k) const {
  uint64_t a, b;
  std::memcpy(&a, k.addr.data(), 8);
  std::memcpy(&b, k.addr.data() + 8, 8);
  uint64_t h = a * 0x9E3779B97F4A7C15ull ^ (b + 0x632BE59BD9B4E019ull);
  h ^= (uint64_t(k.vlan) << 16 | uint64_t(k.bits) << 1 | uint64_t(k.v6)) * 0xBF58476D1CE4E5B9ull;
  return size_t(h ^ (h >> 31));
}

HostPools::HostPools() : current_(std::make_shared<Snapshot>()) {}

Result<HostPools::Member> HostPools::parseMember(std::string_view text) {
  Member m;
  if (parseMac(std::string(text), &m.mac)) {
    m.is_mac = true;
    return m;
  }
  auto net = util::parseVlanPrefix(text);
  if (!net) {
    return Error{"host pools: member '" + std::string(text) +
                 "' is neither an address, a network nor a MAC"};
  }
  m.prefix = net->prefix;
  m.vlan = net->vlan;
  return m;
}

Status HostPools::reload(store::KvStore& store) {
  std::lock_guard reload(reload_mu_);
  auto next = std::make_shared<Snapshot>();
  auto ids = store.smembers(kPoolIdsKey);
  if (!ids) return Error{"host pools: " + ids.error()};
  if (ids->size() > kMaxPools) {
    return Error{"host pools: more than " + std::to_string(kMaxPools) + " pools"};
  }
  size_t members = 0;
  for (const std::string& text : *ids) {
    auto id = poolId(text);
    if (!id) return Error{id.error()};
    const uint16_t pool = *id;
    next->ids_.push_back(pool);
    auto list = store.smembers(kMembersPrefix + text);
    if (!list) return Error{"host pools: " + list.error()};
    members += list->size();
    if (members > kMaxMembers) {
      return Error{"host pools: more than " + std::to_string(kMaxMembers) + " members"};
    }
    // A member listed by several pools goes to the lowest id (whatever order the store
    // lists them in).
    const auto keep = [pool](uint16_t& slot, bool inserted) {
      if (inserted || pool < slot) slot = pool;
    };
    for (const std::string& entry : *list) {
      auto m = parseMember(entry);
      if (!m) return Error{m.error()};
      if (m->is_mac) {
        auto [it, inserted] = next->macs_.try_emplace(macKey(m->mac), pool);
        keep(it->second, inserted);
      } else {
        auto [it, inserted] = next->nets_.try_emplace(Snapshot::keyOf(m->prefix, m->vlan), pool);
        keep(it->second, inserted);
        auto& lengths = m->prefix.network.v6 ? next->lengths_v6_ : next->lengths_v4_;
        const auto bits = uint8_t(m->prefix.bits);
        if (std::find(lengths.begin(), lengths.end(), bits) == lengths.end()) {
          lengths.push_back(bits);
        }
      }
    }
  }
  std::sort(next->ids_.begin(), next->ids_.end());
  for (auto* lengths : {&next->lengths_v4_, &next->lengths_v6_}) {
    std::sort(lengths->begin(), lengths->end(), std::greater<>());
  }
  const bool any = !next->empty(), macs = next->hasMacs();
  {
    std::lock_guard lock(mu_);
    current_ = std::move(next);
  }
  any_members_.store(any, std::memory_order_release);
  any_macs_.store(macs, std::memory_order_release);
  return Status::Ok();
}

std::shared_ptr<const HostPools::Snapshot> HostPools::snapshot() const {
  std::lock_guard lock(mu_);
  return current_;
}

void HostPools::assign(Host& h) const {
  if (!anyMembers()) {
    h.pool_id = kNoPool;
    h.pool_by_mac = false;
    return;
  }
  bool by_mac = false;
  h.pool_id = snapshot()->poolOf(h.ip, h.vlan, h.has_mac ? &h.mac : nullptr, &by_mac);
  h.pool_by_mac = by_mac;
}

}  // namespace flowlens::host
