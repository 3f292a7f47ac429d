// GeoIP lookups per second on one core: enrich::GeoIp on a hot working set of 1,000 addresses
// (cache hits) and on 1M distinct random IPv4 addresses (mostly cache misses), against the peer:
// bare libmaxminddb (MMDB_lookup_sockaddr in both databases and decoding the same fields on
// every call, no cache) on the same addresses.
// FLOWLENS_GEOIP_DIR names the database directory (default: the repository's test databases,
// tests/data/geoip); findGeoIpFiles() picks a location and an ASN database in it.

#include <arpa/inet.h>
#include <benchmark/benchmark.h>
#include <maxminddb.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "enrich/geoip.h"

namespace flowlens::enrich {
namespace {

std::string geoIpDir() {
  if (const char* dir = std::getenv("FLOWLENS_GEOIP_DIR"); dir && *dir) return dir;
  return std::string(FLOWLENS_SOURCE_DIR) + "/tests/data/geoip";
}

util::IpAddress ipv4(uint32_t host_order) {
  util::IpAddress a;
  for (int i = 0; i < 4; ++i) a.bytes[i] = static_cast<uint8_t>(host_order >> (24 - 8 * i));
  return a;
}

// A bijection on 32 bits: distinct inputs give distinct, scattered addresses.
uint32_t scatter(uint32_t x) {
  x ^= x >> 16;
  x *= 0x7FEB352DU;
  x ^= x >> 15;
  x *= 0x846CA68BU;
  x ^= x >> 16;
  return x;
}

// The peer: one database opened with libmaxminddb alone.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    ok_ = !path.empty() && MMDB_open(path.c_str(), MMDB_MODE_MMAP, &mmdb_) == MMDB_SUCCESS;
  }
  ~RawDb() {
    if (ok_) MMDB_close(&mmdb_);
  }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  bool ok() const { return ok_; }
  const MMDB_s& mmdb() const { return mmdb_; }

  bool search(const util::IpAddress& a, MMDB_entry_s* entry) const {
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    std::memcpy(&sin.sin_addr, a.bytes.data(), 4);
    int error = MMDB_SUCCESS;
    const MMDB_lookup_result_s r =
        MMDB_lookup_sockaddr(&mmdb_, reinterpret_cast<const sockaddr*>(&sin), &error);
    if (error != MMDB_SUCCESS || !r.found_entry) return false;
    *entry = r.entry;
    return true;
  }

 private:
  MMDB_s mmdb_{};
  bool ok_ = false;
};

std::string text(MMDB_entry_s entry, const char* const* path) {
  MMDB_entry_data_s d;
  if (MMDB_aget_value(&entry, &d, path) != MMDB_SUCCESS || !d.has_data ||
      d.type != MMDB_DATA_TYPE_UTF8_STRING) {
    return {};
  }
  return std::string(d.utf8_string, d.data_size);
}

double number(MMDB_entry_s entry, const char* const* path) {
  MMDB_entry_data_s d;
  if (MMDB_aget_value(&entry, &d, path) != MMDB_SUCCESS || !d.has_data ||
      d.type != MMDB_DATA_TYPE_DOUBLE) {
    return 0;
  }
  return d.double_value;
}

// What a service without interning and cache does per lookup: search, then decode.
Location rawLocation(MMDB_entry_s e) {
  static constexpr const char* kPaths[][4] = {{"continent", "code", nullptr},
                                              {"country", "iso_code", nullptr},
                                              {"country", "names", "en", nullptr},
                                              {"city", "names", "en", nullptr},
                                              {"subdivisions", "0", "iso_code", nullptr},
                                              {"postal", "code", nullptr},
                                              {"location", "time_zone", nullptr},
                                              {"location", "latitude", nullptr},
                                              {"location", "longitude", nullptr}};
  Location l;
  l.continent = text(e, kPaths[0]);
  l.country = text(e, kPaths[1]);
  l.country_name = text(e, kPaths[2]);
  l.city = text(e, kPaths[3]);
  l.subdivision = text(e, kPaths[4]);
  l.postal_code = text(e, kPaths[5]);
  l.time_zone = text(e, kPaths[6]);
  l.latitude = number(e, kPaths[7]);
  l.longitude = number(e, kPaths[8]);
  return l;
}

AsInfo rawAs(MMDB_entry_s e) {
  static constexpr const char* kNumber[] = {"autonomous_system_number", nullptr};
  static constexpr const char* kName[] = {"autonomous_system_organization", nullptr};
  AsInfo as;
  MMDB_entry_data_s d;
  if (MMDB_aget_value(&e, &d, kNumber) == MMDB_SUCCESS && d.has_data &&
      d.type == MMDB_DATA_TYPE_UINT32) {
    as.asn = d.uint32;
  }
  as.name = text(e, kName);
  return as;
}

// IPv4 networks the database lists (prefix, bits), read from its search tree: the hot set is
// drawn from them so that hot lookups find records, on sparse test databases too.
std::vector<std::pair<uint32_t, int>> listedIpv4Networks(const MMDB_s& mmdb) {
  std::vector<std::pair<uint32_t, int>> networks;
  const uint32_t nodes = mmdb.metadata.node_count;
  uint32_t root = 0;
  if (mmdb.metadata.ip_version == 6) {  // IPv4 lives under ::/96
    for (int i = 0; i < 96; ++i) {
      MMDB_search_node_s n;
      if (MMDB_read_node(&mmdb, root, &n) != MMDB_SUCCESS ||
          n.left_record_type != MMDB_RECORD_TYPE_SEARCH_NODE) {
        return networks;
      }
      root = static_cast<uint32_t>(n.left_record);
    }
  }
  struct Pending {
    uint32_t node;
    uint32_t prefix;
    int depth;
  };
  std::vector<Pending> pending{{root, 0, 0}};
  while (!pending.empty()) {
    const Pending p = pending.back();
    pending.pop_back();
    MMDB_search_node_s n;
    if (p.depth >= 32 || p.node >= nodes || MMDB_read_node(&mmdb, p.node, &n) != MMDB_SUCCESS) {
      continue;
    }
    for (int side = 0; side < 2; ++side) {
      const uint32_t prefix = p.prefix | (static_cast<uint32_t>(side) << (31 - p.depth));
      const uint8_t type = side ? n.right_record_type : n.left_record_type;
      const uint64_t record = side ? n.right_record : n.left_record;
      if (type == MMDB_RECORD_TYPE_SEARCH_NODE) {
        pending.push_back({static_cast<uint32_t>(record), prefix, p.depth + 1});
      } else if (type == MMDB_RECORD_TYPE_DATA) {
        networks.emplace_back(prefix, p.depth + 1);
      }
    }
  }
  return networks;
}

struct Fixture {
  Fixture() {
    files = findGeoIpFiles(geoIpDir());
    geo = GeoIp::open(files);
    for (const auto& p : geo->problems()) std::fprintf(stderr, "geoip: %s\n", p.c_str());
    std::fprintf(stderr, "geoip: %s in %s\n", geo->describe().c_str(), geoIpDir().c_str());
    raw_location = std::make_unique<RawDb>(files.location_db);
    raw_as = std::make_unique<RawDb>(files.asn_db);

    std::mt19937 rng(7);
    const auto networks = raw_location->ok() ? listedIpv4Networks(raw_location->mmdb())
                                             : std::vector<std::pair<uint32_t, int>>{};
    for (int i = 0; i < 1000; ++i) {
      const uint32_t r = rng();
      if (networks.empty()) {
        hot.push_back(ipv4(r));
        continue;
      }
      const auto& [prefix, bits] = networks[r % networks.size()];
      const uint32_t host_mask = bits >= 32 ? 0 : (0xFFFFFFFFU >> bits);
      hot.push_back(ipv4(prefix | (rng() & host_mask)));
    }
    constexpr uint32_t kCold = 1'000'000;
    cold.reserve(kCold);
    for (uint32_t i = 0; i < kCold; ++i) cold.push_back(ipv4(scatter(i + 0x9E3779B9U)));
  }

  GeoIpFiles files;
  std::unique_ptr<GeoIp> geo;
  std::unique_ptr<RawDb> raw_location;
  std::unique_ptr<RawDb> raw_as;
  std::vector<util::IpAddress> hot;
  std::vector<util::IpAddress> cold;
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

void runGeoIp(benchmark::State& st, const std::vector<util::IpAddress>& addresses) {
  auto& f = fixture();
  if (!f.geo->loaded()) st.SkipWithError("no GeoIP database loaded");
  size_t i = 0;
  int64_t found = 0;
  for (auto _ : st) {
    const GeoResult r = f.geo->lookup(addresses[i]);
    benchmark::DoNotOptimize(r);
    found += r.location != nullptr;
    if (++i == addresses.size()) i = 0;
  }
  st.SetItemsProcessed(st.iterations());
  st.counters["found"] =
      benchmark::Counter(static_cast<double>(found) / static_cast<double>(st.iterations()));
}

void runRaw(benchmark::State& st, const std::vector<util::IpAddress>& addresses) {
  auto& f = fixture();
  if (!f.raw_location->ok() && !f.raw_as->ok()) st.SkipWithError("no GeoIP database loaded");
  size_t i = 0;
  int64_t found = 0;
  for (auto _ : st) {
    MMDB_entry_s entry;
    if (f.raw_location->ok() && f.raw_location->search(addresses[i], &entry)) {
      Location l = rawLocation(entry);
      benchmark::DoNotOptimize(l);
      ++found;
    }
    if (f.raw_as->ok() && f.raw_as->search(addresses[i], &entry)) {
      AsInfo as = rawAs(entry);
      benchmark::DoNotOptimize(as);
    }
    if (++i == addresses.size()) i = 0;
  }
  st.SetItemsProcessed(st.iterations());
  st.counters["found"] =
      benchmark::Counter(static_cast<double>(found) / static_cast<double>(st.iterations()));
}

// (a) 1,000 hot addresses, listed in the database: the cached path.
void BM_GeoIpHot(benchmark::State& st) {
  auto& f = fixture();
  for (const auto& a : f.hot) benchmark::DoNotOptimize(f.geo->lookup(a));  // warm
  runGeoIp(st, f.hot);
}
BENCHMARK(BM_GeoIpHot);

// (b) 1M distinct random IPv4 addresses: mostly cache misses (records stay interned).
void BM_GeoIpColdRandom(benchmark::State& st) { runGeoIp(st, fixture().cold); }
BENCHMARK(BM_GeoIpColdRandom);

// (c) the peer, libmaxminddb search + decode per call, on the same two address sets.
void BM_RawLibmaxminddbHot(benchmark::State& st) { runRaw(st, fixture().hot); }
BENCHMARK(BM_RawLibmaxminddbHot);

void BM_RawLibmaxminddbColdRandom(benchmark::State& st) { runRaw(st, fixture().cold); }
BENCHMARK(BM_RawLibmaxminddbColdRandom);

}  // namespace
}  // namespace flowlens::enrich

BENCHMARK_MAIN();
