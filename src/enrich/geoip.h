#pragma once
// Country/city and autonomous system of an address, read from MaxMind DB files (GeoIP2/GeoLite2
// City or Country, GeoLite2-ASN or GeoIP2-ISP) through libmaxminddb.
//
// Contract: open() never fails as a whole; a missing, corrupt or mistyped database is left out
// and described in problems() (the caller logs them: this service does not log). Lookups never
// throw or allocate on the cached path; a record libmaxminddb cannot decode counts as "not
// found" and is counted in lookupErrors().
// Thread-safety: a GeoIp is immutable after open() apart from its internal caches, which are
// synchronised; every const member may be called from any number of threads at once. To load
// new database files, open a new GeoIp and retire the old one once no reader holds its pointers.

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "util/ip.h"

namespace flowlens::enrich {

// Decoded once per distinct database record, then shared by every address that maps to it.
struct Location {
  std::string continent;     // continent.code, "EU"
  std::string country;       // country.iso_code, "GB" ("" when absent)
  std::string country_name;  // country.names.en
  std::string city;          // city.names.en ("" for Country databases)
  std::string subdivision;   // subdivisions[0].iso_code
  std::string postal_code;   // postal.code
  std::string time_zone;     // location.time_zone
  double latitude = 0, longitude = 0;
  bool has_coordinates = false;
};

// autonomous_system_number / autonomous_system_organization.
struct AsInfo {
  uint32_t asn = 0;
  std::string name;
};

// Null pointers mean "not found" (private or unlisted address, no database for that role).
struct GeoResult {
  const Location* location = nullptr;
  const AsInfo* as = nullptr;
};

// Database paths by role; either may be empty (that role is then not served).
struct GeoIpFiles {
  std::string location_db;
  std::string asn_db;
};

// Picks the databases in `dir` (not recursive): for locations the first (sorted by name) *.mmdb
// whose name contains "City", else the first containing "Country"; for ASes the first containing
// "ASN". Names containing "Broken" or "Invalid" are not special: a bad file is refused at open.
// An unreadable directory gives empty paths.
GeoIpFiles findGeoIpFiles(const std::string& dir);

class GeoIp {
 public:
  // Opens what it can. A database is refused (and named in problems()) when libmaxminddb cannot
  // open it or when its metadata database_type does not fit the role: a location database must
  // be a City, Country or Enterprise one, an AS database an ASN or ISP one. Never null.
  static std::unique_ptr<GeoIp> open(const GeoIpFiles& files);
  ~GeoIp();
  GeoIp(const GeoIp&) = delete;
  GeoIp& operator=(const GeoIp&) = delete;

  bool hasLocation() const;
  bool hasAs() const;
  bool loaded() const { return hasLocation() || hasAs(); }

  // The location and AS of `ip`. IPv4 addresses (and IPv4-mapped ::ffff:a.b.c.d, which are
  // looked up as IPv4) work on IPv4 and IPv6 databases. Records are interned by their offset in
  // the database, so the returned pointers stay valid for the GeoIp's lifetime and equal
  // pointers mean the same record. A fixed-size direct-mapped cache of recent addresses (64k
  // slots, one seqlock each: readers never write shared memory) sits in front of the search.
  GeoResult lookup(const util::IpAddress& ip) const;

  // The AS name for a number, from the AS database. The first call walks the database's search
  // tree once to build the asn->name map; nullopt when the number is unknown or there is no AS
  // database.
  std::optional<std::string> asName(uint32_t asn) const;

  // One line per refused file: the role, the path and the reason (libmaxminddb's message).
  const std::vector<std::string>& problems() const { return problems_; }
  // "GeoIP2-City (build 2024-05-01), GeoLite2-ASN (build 2024-05-03)" for a log line;
  // "no GeoIP database" when nothing was loaded.
  std::string describe() const;
  // Search-tree failures and undecodable records met since open (each record counted once);
  // the addresses concerned are reported as not found.
  uint64_t lookupErrors() const { return lookup_errors_.load(std::memory_order_relaxed); }

 private:
  struct LocationDb;
  struct AsDb;
  class Cache;

  GeoIp();

  std::unique_ptr<LocationDb> location_db_;
  std::unique_ptr<AsDb> as_db_;
  std::unique_ptr<Cache> cache_;
  std::vector<std::string> problems_;
  mutable std::atomic<uint64_t> lookup_errors_{0};
};

}  // namespace flowlens::enrich
