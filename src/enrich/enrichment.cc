#include "enrich/enrichment.h"

#include <filesystem>

#include "core/log.h"
#include "host/host_pools.h"
#include "store/cache_service.h"

namespace flowlens::enrich {

std::string geoIpDirectory(const Options& options, const Dirs& dirs) {
  if (!options.geoip_dir.empty()) return options.geoip_dir;
  for (const std::string& dir : {dirs.httpdocsdir + "/geoip", dirs.workingdir + "/geoip",
                                 std::string("/var/lib/GeoIP"), std::string("/usr/share/GeoIP")}) {
    const GeoIpFiles files = findGeoIpFiles(dir);
    if (!files.location_db.empty() || !files.asn_db.empty()) return dir;
  }
  return "";
}

Result<std::unique_ptr<Enrichment>> Enrichment::create(const Options& options, const Dirs& dirs) {
  std::unique_ptr<Enrichment> e(new Enrichment());

  const std::string geo_dir = geoIpDirectory(options, dirs);
  e->geoip_ = GeoIp::open(geo_dir.empty() ? GeoIpFiles{} : findGeoIpFiles(geo_dir));
  for (const std::string& problem : e->geoip_->problems()) log::warning("GeoIP: {}", problem);
  if (e->geoip_->loaded()) {
    log::normal("GeoIP: {}", e->geoip_->describe());
  } else {
    log::normal("GeoIP: no database{}: hosts get no location or AS",
                geo_dir.empty() ? "" : " usable in " + geo_dir);
  }

  e->mac_vendors_ = MacVendors::load(options.mac_vendors_dir);
  for (const std::string& problem : e->mac_vendors_.problems()) {
    log::warning("MAC vendors: {}", problem);
  }
  if (e->mac_vendors_.size() == 0) {
    log::warning("MAC vendors: no IEEE list in {} (Debian package ieee-data)",
                 options.mac_vendors_dir);
  }

  ResolverConfig rc;
  rc.servers = options.dns_servers;
  rc.dns_mode = options.dns_mode;
  rc.max_names = std::max<size_t>(rc.max_names, options.max_num_hosts);
  auto resolver = Resolver::create(rc);
  if (!resolver) return Error{"--dns-servers: " + resolver.error()};
  e->resolver_ = std::move(*resolver);
  return e;
}

Enrichment::~Enrichment() { stop(); }

HostHooks Enrichment::hostHooks(const LocalNetworks* local, const host::HostPools* pools) {
  HostHooks hooks;
  const GeoIp* geo = geoip_.get();
  Resolver* resolver = resolver_.get();
  hooks.on_new_host = [local, geo, resolver, pools](host::Host& h) {
    h.network_id = local != nullptr ? local->networkIdOf(h.ip) : -1;
    h.local = h.network_id >= 0;
    h.geo = geo->lookup(h.ip);
    if (pools != nullptr) pools->assign(h);
    if (resolver->resolvesAutomatically(h.local)) resolver->resolveAsync(h.ip);
  };
  if (pools != nullptr) {
    hooks.on_host_mac = [pools](host::Host& h) {
      if (pools->anyMacMembers()) pools->assign(h);  // a pool may list the MAC
    };
  }
  if (resolver->learnsFromAnswers()) {
    hooks.on_dns_answer = [resolver](const util::IpAddress& ip, std::string_view name) {
      resolver->learn(ip, name, NameSource::kDnsAnswer);
    };
  }
  return hooks;
}

void Enrichment::attachStore(store::CacheService* cache) {
  NameStore names;
  names.get = [cache](const std::string& ip) -> std::optional<std::string> {
    cache->count(store::Op::kGet);
    auto v = cache->store().get(std::string(kDnsCachePrefix) + ip);
    if (!v || !v->has_value()) return std::nullopt;
    return **v;
  };
  names.put = [cache](const std::string& ip, const std::string& name, uint32_t ttl_s) {
    const std::string key = std::string(kDnsCachePrefix) + ip;
    cache->count(store::Op::kSet);
    if (cache->store().set(key, name, ttl_s)) cache->noteWrite(key);
  };
  resolver_->setStore(std::move(names));
}

void Enrichment::start() { resolver_->start(); }

void Enrichment::stop() {
  if (resolver_) resolver_->stop();
}

}  // namespace flowlens::enrich
