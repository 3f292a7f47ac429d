#include "dpi/custom_categories.h"

#include <algorithm>
#include <fstream>
#include <functional>

namespace flowlens::dpi {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

bool validHostName(std::string_view h) {
  if (h.empty() || h.size() > 253) return false;
  return std::all_of(h.begin(), h.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '.' || c == '-' || c == '_' || c == '*';
  });
}

}  // namespace

CustomCategories::CustomCategories() : published_(std::make_shared<const Set>()) {}

void CustomCategories::beginReload() {
  std::lock_guard g(mutex_);
  pending_ = *published();
  pending_.hosts.clear();
  pending_.networks.clear();
}

Status CustomCategories::addHost(uint16_t category, std::string_view host) {
  std::string h = lower(host);
  while (!h.empty() && h.front() == '.') h.erase(h.begin());
  if (h.starts_with("*.")) h.erase(0, 2);
  if (!validHostName(h)) return Error{"invalid host name '" + std::string(host) + "'"};
  std::lock_guard g(mutex_);
  pending_.hosts[h] = category;
  return Status::Ok();
}

Status CustomCategories::addIp(uint16_t category, std::string_view cidr) {
  auto p = util::parsePrefix(cidr);
  if (!p) return Error{p.error()};
  std::lock_guard g(mutex_);
  pending_.networks.emplace_back(*p, category);
  return Status::Ok();
}

Result<size_t> CustomCategories::loadFile(uint16_t category, const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error{"cannot read '" + path + "'"};
  size_t n = 0;
  for (std::string line; std::getline(in, line);) {
    line = line.substr(0, line.find('#'));
    const size_t b = line.find_first_not_of(" \t\r");
    if (b == std::string::npos) continue;
    const std::string item = line.substr(b, line.find_last_not_of(" \t\r") - b + 1);
    if (util::parsePrefix(item).ok()) {
      if (addIp(category, item).ok()) ++n;
    } else if (addHost(category, item).ok()) {
      ++n;
    }
  }
  return n;
}

void CustomCategories::finalizeReload() {
  std::lock_guard g(mutex_);
  auto set = std::make_shared<Set>(pending_);
  // Longest prefixes first, so the most specific network wins.
  std::stable_sort(set->networks.begin(), set->networks.end(),
                   [](const auto& a, const auto& b) { return a.first.bits > b.first.bits; });
  std::atomic_store(&published_, std::shared_ptr<const Set>(std::move(set)));
  version_.fetch_add(1, std::memory_order_release);
}

void CustomCategories::publishChange(const std::function<void(Set&)>& change) {
  std::lock_guard g(mutex_);
  auto set = std::make_shared<Set>(*published());
  change(*set);
  change(pending_);
  std::atomic_store(&published_, std::shared_ptr<const Set>(std::move(set)));
  version_.fetch_add(1, std::memory_order_release);
}

void CustomCategories::setProtocolCategory(uint16_t protocol, uint16_t category) {
  publishChange([&](Set& s) { s.protocol_categories[protocol] = category; });
}

void CustomCategories::setDomainMask(std::string_view domain, uint32_t mask) {
  const std::string d = lower(domain);
  publishChange([&](Set& s) { s.domain_masks[d] = mask; });
}

void CustomCategories::addTrustedIssuer(std::string_view dn) {
  const std::string d(dn);
  publishChange([&](Set& s) { s.trusted_issuers.insert(d); });
}

std::optional<uint16_t> CustomCategories::matchHost(std::string_view host) const {
  return matchHostIn(*published(), host);
}

std::optional<uint16_t> CustomCategories::matchIp(const util::IpAddress& ip) const {
  return matchIpIn(*published(), ip);
}

std::optional<uint16_t> CustomCategories::protocolCategory(uint16_t protocol) const {
  return protocolCategoryIn(*published(), protocol);
}

std::optional<uint16_t> CustomCategories::matchHostIn(const Set& set, std::string_view host) {
  if (set.hosts.empty() || host.empty()) return std::nullopt;
  std::string h = lower(host);
  std::string_view v = h;
  for (;;) {
    if (auto it = set.hosts.find(v); it != set.hosts.end()) return it->second;
    const size_t dot = v.find('.');
    if (dot == std::string_view::npos) return std::nullopt;
    v.remove_prefix(dot + 1);
  }
}

std::optional<uint16_t> CustomCategories::matchIpIn(const Set& set, const util::IpAddress& ip) {
  for (const auto& [prefix, category] : set.networks) {
    if (prefix.contains(ip)) return category;
  }
  return std::nullopt;
}

std::optional<uint16_t> CustomCategories::protocolCategoryIn(const Set& set, uint16_t protocol) {
  auto it = set.protocol_categories.find(protocol);
  if (it == set.protocol_categories.end()) return std::nullopt;
  return it->second;
}

}  // namespace flowlens::dpi
