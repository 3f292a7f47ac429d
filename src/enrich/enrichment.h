#pragma once
// Host enrichment as the daemon (and the test environment) assembles it: the GeoIP databases,
// the IEEE MAC vendor lists and the name resolver, built from the options, plus the hooks the
// packet engines call for new hosts and DNS answers. Missing databases are logged and leave the
// feature off; only an unusable --dns-servers is an error.
//
// Thread-safe once built: the hooks run on packet threads, the accessors on Lua/HTTP threads.

#include <memory>
#include <string>

#include "core/dirs.h"
#include "core/options.h"
#include "core/result.h"
#include "enrich/geoip.h"
#include "enrich/mac_vendors.h"
#include "enrich/resolver.h"
#include "host/local_networks.h"
#include "iface/shard.h"

namespace flowlens::store {
class CacheService;
}

namespace flowlens::host {
class HostPools;
}

namespace flowlens::enrich {

// ntopng's reverse-DNS key: "ntopng.dns.cache.<address>".
inline constexpr std::string_view kDnsCachePrefix = "ntopng.dns.cache.";

class Enrichment {
 public:
  static Result<std::unique_ptr<Enrichment>> create(const Options& options, const Dirs& dirs);
  ~Enrichment();

  const GeoIp& geoip() const { return *geoip_; }
  const MacVendors& macVendors() const { return mac_vendors_; }
  Resolver& resolver() { return *resolver_; }

  // What the packet engines call: a new host gets its local network (-m), location and AS, its
  // host pool (`pools`, when given; again once its MAC is known), and its name is queued when
  // -n says so; DNS answers name addresses (-n 0..2).
  HostHooks hostHooks(const LocalNetworks* local, const host::HostPools* pools = nullptr);
  // Names are read from and written to the key-value store from now on.
  void attachStore(store::CacheService* cache);
  void start();  // the resolver's thread (after the privilege drop)
  void stop();   // before the store goes away

 private:
  Enrichment() = default;
  std::unique_ptr<GeoIp> geoip_;
  MacVendors mac_vendors_;
  std::unique_ptr<Resolver> resolver_;
};

// The directory the GeoIP databases are read from: --geoip-dir, else the first of
// <install>/httpdocs/geoip, <data dir>/geoip, /var/lib/GeoIP, /usr/share/GeoIP holding one.
std::string geoIpDirectory(const Options& options, const Dirs& dirs);

}  // namespace flowlens::enrich
