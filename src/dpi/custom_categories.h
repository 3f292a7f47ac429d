#pragma once
// Category overrides: custom categories by host name or address (loaded between
// ntop.initnDPIReload() and ntop.finalizenDPIReload()), per-protocol category changes
// (ntop.setnDPIProtoCategory), domain masks and trusted certificate issuers. Packet threads read
// the published set when a flow's detection ends, through a snapshot each keeps and refreshes
// only when version() has changed (no lock, no shared reference count per flow); Lua writes to
// a pending copy under a mutex and publishes it atomically.

#include <atomic>
#include <functional>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "util/ip.h"

namespace flowlens::dpi {

class CustomCategories {
 public:
  struct Set {
    std::map<std::string, uint16_t, std::less<>> hosts;  // lower-case name -> category
    std::vector<std::pair<util::IpPrefix, uint16_t>> networks;
    std::map<uint16_t, uint16_t> protocol_categories;    // nDPI protocol -> category
    std::map<std::string, uint32_t> domain_masks;
    std::set<std::string> trusted_issuers;
  };

  CustomCategories();

  // Reload cycle: begin copies the published set minus its custom hosts and networks;
  // finalize publishes the result.
  void beginReload();
  Status addHost(uint16_t category, std::string_view host);
  Status addIp(uint16_t category, std::string_view cidr);
  // One entry per line (address, CIDR or host name); '#' starts a comment. Returns entries read.
  Result<size_t> loadFile(uint16_t category, const std::string& path);
  void finalizeReload();

  // Take effect at once.
  void setProtocolCategory(uint16_t protocol, uint16_t category);
  void setDomainMask(std::string_view domain, uint32_t mask);
  void addTrustedIssuer(std::string_view dn);

  // Lookups on the published set: a host name matches an entry equal to it or to one of its
  // parent domains ("www.example.com" matches "example.com").
  std::optional<uint16_t> matchHost(std::string_view host) const;
  std::optional<uint16_t> matchIp(const util::IpAddress& ip) const;
  std::optional<uint16_t> protocolCategory(uint16_t protocol) const;
  std::shared_ptr<const Set> published() const { return std::atomic_load(&published_); }
  // Changes with every publication, after the new set is published: a reader holding a
  // snapshot taken at an older version takes published() again.
  uint64_t version() const { return version_.load(std::memory_order_acquire); }

  // The same lookups in a given set (a reader's snapshot).
  static std::optional<uint16_t> matchHostIn(const Set& set, std::string_view host);
  static std::optional<uint16_t> matchIpIn(const Set& set, const util::IpAddress& ip);
  static std::optional<uint16_t> protocolCategoryIn(const Set& set, uint16_t protocol);

 private:
  void publishChange(const std::function<void(Set&)>& change);

  std::mutex mutex_;
  Set pending_;
  std::shared_ptr<const Set> published_;
  std::atomic<uint64_t> version_{0};
};

}  // namespace flowlens::dpi
