#include "enrich/geoip.h"

#include <gtest/gtest.h>
#include <maxminddb.h>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace flowlens::enrich {
namespace {

namespace fs = std::filesystem;

const std::string kDataDir = std::string(FLOWLENS_SOURCE_DIR) + "/tests/data/geoip";

std::string dataPath(const std::string& name) { return kDataDir + "/" + name; }

util::IpAddress ip(const std::string& text) {
  auto r = util::parseIp(text);
  EXPECT_TRUE(r.ok()) << text;
  return r.ok() ? *r : util::IpAddress{};
}

// Rows of a tab-separated file, header dropped.
std::vector<std::vector<std::string>> readTsv(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  std::vector<std::vector<std::string>> rows;
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    if (header || line.empty()) {
      header = false;
      continue;
    }
    std::vector<std::string> cells;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, '\t')) cells.push_back(cell);
    rows.push_back(std::move(cells));
  }
  return rows;
}

// libmaxminddb on its own: the oracle for what it accepts and what it finds.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    status_ = MMDB_open(path.c_str(), MMDB_MODE_MMAP, &mmdb_);
  }
  ~RawDb() {
    if (status_ == MMDB_SUCCESS) MMDB_close(&mmdb_);
  }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  int status() const { return status_; }
  // country.iso_code ("" when absent), or nullopt when the address is not in the database.
  std::optional<std::string> country(const std::string& address) {
    int gai_error = 0;
    int mmdb_error = 0;
    MMDB_lookup_result_s r = MMDB_lookup_string(&mmdb_, address.c_str(), &gai_error, &mmdb_error);
    EXPECT_EQ(gai_error, 0) << address;
    EXPECT_EQ(mmdb_error, MMDB_SUCCESS) << address;
    if (!r.found_entry) return std::nullopt;
    MMDB_entry_data_s data;
    if (MMDB_get_value(&r.entry, &data, "country", "iso_code", nullptr) != MMDB_SUCCESS ||
        !data.has_data) {
      return std::string();
    }
    return std::string(data.utf8_string, data.data_size);
  }

 private:
  MMDB_s mmdb_{};
  int status_ = MMDB_SUCCESS;
};

const std::set<std::string> kLocationDbs = {"GeoIP2-City-Test", "GeoLite2-City-Test",
                                            "GeoIP2-Country-Test", "GeoLite2-Country-Test"};
const std::string kAsnDb = "GeoLite2-ASN-Test";

// Checks one EXPECTED.tsv assertion; false when the field has no counterpart in our types.
bool checkField(const GeoResult& r, const std::string& field, const std::string& expected) {
  if (field == "(any)") {
    EXPECT_EQ(expected, "(not found)");
    EXPECT_EQ(r.location, nullptr);
    EXPECT_EQ(r.as, nullptr);
    return true;
  }
  static const std::map<std::string, std::string Location::*> kText = {
      {"country iso_code", &Location::country}, {"country names en", &Location::country_name},
      {"city names en", &Location::city},       {"subdivisions 0 iso_code", &Location::subdivision},
      {"postal code", &Location::postal_code},  {"location time_zone", &Location::time_zone},
  };
  if (auto it = kText.find(field); it != kText.end()) {
    if (r.location == nullptr) {
      ADD_FAILURE() << "no location";
      return true;
    }
    EXPECT_EQ(r.location->*(it->second), expected);
    return true;
  }
  if (field == "location latitude" || field == "location longitude") {
    if (r.location == nullptr) {
      ADD_FAILURE() << "no location";
      return true;
    }
    EXPECT_TRUE(r.location->has_coordinates);
    const double actual =
        field == "location latitude" ? r.location->latitude : r.location->longitude;
    EXPECT_NEAR(actual, std::stod(expected), 1e-4);
    return true;
  }
  if (field == "autonomous_system_number" || field == "autonomous_system_organization") {
    if (r.as == nullptr) {
      ADD_FAILURE() << "no AS";
      return true;
    }
    if (field == "autonomous_system_number") {
      EXPECT_EQ(r.as->asn, std::stoul(expected));
    } else {
      EXPECT_EQ(r.as->name, expected);
    }
    return true;
  }
  return false;
}

TEST(GeoIp, AnswersMatchExpectedTsv) {
  std::map<std::string, std::unique_ptr<GeoIp>> dbs;
  std::set<std::string> addresses;
  std::set<std::string> unmapped;
  bool saw_v4 = false;
  bool saw_v6 = false;
  int checked = 0;
  for (const auto& row : readTsv(dataPath("EXPECTED.tsv"))) {
    ASSERT_EQ(row.size(), 4u);
    std::string db = row[1];
    if (db.ends_with(".mmdb")) db.resize(db.size() - 5);
    const bool location_role = kLocationDbs.count(db) > 0;
    if (!location_role && db != kAsnDb) continue;
    auto& geo = dbs[db];
    if (!geo) {
      const std::string path = dataPath(db + ".mmdb");
      geo = GeoIp::open(location_role ? GeoIpFiles{path, ""} : GeoIpFiles{"", path});
      ASSERT_TRUE(location_role ? geo->hasLocation() : geo->hasAs()) << db;
      ASSERT_TRUE(geo->problems().empty()) << geo->problems()[0];
    }
    SCOPED_TRACE(row[0] + " in " + db + ": " + row[2]);
    const util::IpAddress address = ip(row[0]);
    if (!checkField(geo->lookup(address), row[2], row[3])) {
      unmapped.insert(row[2]);
      continue;
    }
    ++checked;
    addresses.insert(row[0]);
    (address.v6 ? saw_v6 : saw_v4) = true;
  }
  // The only field of the file our types leave out.
  EXPECT_EQ(unmapped, std::set<std::string>{"registered_country iso_code"});

  // Addresses seen in the test captures, with their AS as the ASN database lists it.
  auto& asn = dbs[kAsnDb];
  ASSERT_TRUE(asn);
  for (const auto& row : readTsv(dataPath("PCAP_SHARED_IPS_IN_ASN_TEST_DB.tsv"))) {
    ASSERT_GE(row.size(), 3u);
    SCOPED_TRACE(row[0]);
    const util::IpAddress address = ip(row[0]);
    EXPECT_TRUE(checkField(asn->lookup(address), "autonomous_system_number", row[1]));
    EXPECT_TRUE(checkField(asn->lookup(address), "autonomous_system_organization", row[2]));
    checked += 2;
    addresses.insert(row[0]);
    (address.v6 ? saw_v6 : saw_v4) = true;
  }
  EXPECT_GE(checked, 200);
  EXPECT_GE(addresses.size(), 20u);
  EXPECT_TRUE(saw_v4);
  EXPECT_TRUE(saw_v6);
  for (const auto& [name, geo] : dbs) EXPECT_EQ(geo->lookupErrors(), 0u) << name;

  // The test data's documented quirk: only the GeoIP2 Country database lists this address.
  EXPECT_NE(dbs["GeoIP2-Country-Test"]->lookup(ip("175.16.199.1")).location, nullptr);
  EXPECT_EQ(dbs["GeoLite2-Country-Test"]->lookup(ip("175.16.199.1")).location, nullptr);
}

TEST(GeoIp, CountryDatabaseHasNoCity) {
  auto geo = GeoIp::open({dataPath("GeoIP2-Country-Test.mmdb"), ""});
  const Location* gb = geo->lookup(ip("81.2.69.142")).location;
  ASSERT_NE(gb, nullptr);
  EXPECT_EQ(gb->continent, "EU");
  EXPECT_EQ(gb->country, "GB");
  EXPECT_EQ(gb->country_name, "United Kingdom");
  EXPECT_EQ(gb->city, "");
  EXPECT_EQ(gb->subdivision, "");
}

TEST(GeoIp, Ipv4FormsShareOneRecordOnIpv6Databases) {
  auto geo = GeoIp::open({dataPath("GeoIP2-City-Test.mmdb"), dataPath("GeoLite2-ASN-Test.mmdb")});
  ASSERT_TRUE(geo->hasLocation() && geo->hasAs());
  const GeoResult london = geo->lookup(ip("81.2.69.142"));
  ASSERT_NE(london.location, nullptr);
  EXPECT_EQ(london.location->city, "London");
  EXPECT_EQ(london.location->continent, "EU");
  // Same record whichever way the address is written: mapped, 6to4, or a neighbour in the same
  // network (records are interned by offset).
  EXPECT_EQ(geo->lookup(ip("::ffff:81.2.69.142")).location, london.location);
  EXPECT_EQ(geo->lookup(ip("2002:5102:458e::1")).location, london.location);
  EXPECT_EQ(geo->lookup(ip("81.2.69.143")).location, london.location);

  const GeoResult google = geo->lookup(ip("1.0.0.1"));
  ASSERT_NE(google.as, nullptr);
  EXPECT_EQ(google.as->asn, 15169u);
  EXPECT_EQ(geo->lookup(ip("::ffff:1.0.0.1")).as, google.as);

  const GeoResult tokyo = geo->lookup(ip("2001:218::1"));
  ASSERT_NE(tokyo.location, nullptr);
  EXPECT_EQ(tokyo.location->country, "JP");

  for (const char* address : {"10.0.0.1", "192.168.1.1", "127.0.0.1", "1.1.1.1", "8.8.8.8", "::1",
                              "fe80::1", "::ffff:10.0.0.1", "0.0.0.0", "255.255.255.255"}) {
    const GeoResult r = geo->lookup(ip(address));
    EXPECT_EQ(r.location, nullptr) << address;
    EXPECT_EQ(r.as, nullptr) << address;
  }
  EXPECT_EQ(geo->lookupErrors(), 0u);
}

TEST(GeoIp, AsNameFromAsnDatabase) {
  auto geo = GeoIp::open({"", dataPath("GeoLite2-ASN-Test.mmdb")});
  ASSERT_TRUE(geo->hasAs());
  EXPECT_EQ(geo->asName(15169), "Google Inc.");
  EXPECT_EQ(geo->asName(1221), "Telstra Pty Ltd");
  EXPECT_EQ(geo->asName(7018), "AT&T Services");
  EXPECT_EQ(geo->asName(237), "Merit Network Inc.");
  EXPECT_EQ(geo->asName(29518), "Bredband2 AB");
  // Listed under two names in the test database; either is a fair answer.
  const auto cellco = geo->asName(6167);
  ASSERT_TRUE(cellco.has_value());
  EXPECT_TRUE(*cellco == "CELLCO-PART" || *cellco == "Cellco Partnership DBA Verizon Wireless")
      << *cellco;
  EXPECT_FALSE(geo->asName(0).has_value());
  EXPECT_FALSE(geo->asName(64512).has_value());
  EXPECT_FALSE(geo->asName(4294967295u).has_value());

  auto city_only = GeoIp::open({dataPath("GeoIP2-City-Test.mmdb"), ""});
  EXPECT_FALSE(city_only->asName(15169).has_value());
}

// Every malformed database in the upstream corpus, opened in both roles.
std::vector<std::string> damagedDatabases() {
  std::vector<std::string> files;
  for (const char* dir : {"bad-data", "broken"}) {
    std::error_code ec;
    for (fs::recursive_directory_iterator it(dataPath(dir), ec), end; !ec && it != end;
         it.increment(ec)) {
      if (it->path().extension() == ".mmdb") files.push_back(it->path().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(GeoIp, DamagedDatabasesAreRefusedOrSurvived) {
  const auto files = damagedDatabases();
  ASSERT_GE(files.size(), 25u);
  int refused_by_library = 0;
  for (const auto& file : files) {
    SCOPED_TRACE(file);
    RawDb raw(file);
    if (raw.status() != MMDB_SUCCESS) ++refused_by_library;
    for (const bool location_role : {true, false}) {
      auto geo = GeoIp::open(location_role ? GeoIpFiles{file, ""} : GeoIpFiles{"", file});
      if (raw.status() != MMDB_SUCCESS) {
        EXPECT_FALSE(geo->loaded());
        EXPECT_EQ(geo->problems().size(), 1u);
        if (!geo->problems().empty()) {
          EXPECT_NE(geo->problems()[0].find(file), std::string::npos) << geo->problems()[0];
          EXPECT_NE(geo->problems()[0].find(MMDB_strerror(raw.status())), std::string::npos)
              << geo->problems()[0];
        }
      } else {
        EXPECT_EQ(geo->problems().size(), geo->loaded() ? 0u : 1u);
      }
      // Whatever opened must answer (or decline) without crashing.
      for (const char* address : {"1.1.1.1", "1.1.1.3", "81.2.69.142", "2001:218::1", "::1.1.1.1",
                                  "::ffff:1.2.3.4", "255.255.255.255", "ffff::1"}) {
        (void)geo->lookup(ip(address));
      }
      (void)geo->asName(1);
      EXPECT_FALSE(geo->describe().empty());
    }
  }
  EXPECT_GE(refused_by_library, 10);

  // Opens (its metadata is fine) but its records are damaged: reported as not found, counted.
  auto broken = GeoIp::open({dataPath("broken/GeoIP2-City-Test-Broken-Double-Format.mmdb"), ""});
  ASSERT_TRUE(broken->hasLocation());
  EXPECT_EQ(broken->lookup(ip("81.2.69.142")).location, nullptr);
  EXPECT_GT(broken->lookupErrors(), 0u);
}

TEST(GeoIp, MissingFileIsNamedInProblems) {
  const std::string city = dataPath("no-such-GeoLite2-City.mmdb");
  const std::string asn = dataPath("no-such-GeoLite2-ASN.mmdb");
  auto geo = GeoIp::open({city, asn});
  EXPECT_FALSE(geo->loaded());
  ASSERT_EQ(geo->problems().size(), 2u);
  EXPECT_NE(geo->problems()[0].find(city), std::string::npos) << geo->problems()[0];
  EXPECT_NE(geo->problems()[0].find(MMDB_strerror(MMDB_FILE_OPEN_ERROR)), std::string::npos);
  EXPECT_NE(geo->problems()[0].find("No such file"), std::string::npos) << geo->problems()[0];
  EXPECT_NE(geo->problems()[1].find(asn), std::string::npos) << geo->problems()[1];
  EXPECT_EQ(geo->describe(), "no GeoIP database");
  const GeoResult r = geo->lookup(ip("81.2.69.142"));
  EXPECT_EQ(r.location, nullptr);
  EXPECT_EQ(r.as, nullptr);

  // Nothing asked, nothing to complain about.
  auto none = GeoIp::open({});
  EXPECT_FALSE(none->loaded());
  EXPECT_TRUE(none->problems().empty());
}

TEST(GeoIp, DatabaseOfWrongKindIsRefused) {
  const std::string city = dataPath("GeoIP2-City-Test.mmdb");
  const std::string asn = dataPath("GeoLite2-ASN-Test.mmdb");
  auto swapped = GeoIp::open({asn, city});
  EXPECT_FALSE(swapped->hasLocation());
  EXPECT_FALSE(swapped->hasAs());
  ASSERT_EQ(swapped->problems().size(), 2u);
  EXPECT_NE(swapped->problems()[0].find(asn), std::string::npos);
  EXPECT_NE(swapped->problems()[0].find("'GeoLite2-ASN'"), std::string::npos)
      << swapped->problems()[0];
  EXPECT_NE(swapped->problems()[1].find(city), std::string::npos);
  EXPECT_NE(swapped->problems()[1].find("'GeoIP2-City'"), std::string::npos)
      << swapped->problems()[1];

  auto right = GeoIp::open({city, asn});
  EXPECT_TRUE(right->problems().empty());
  EXPECT_EQ(right->describe(), "GeoIP2-City (build 2026-02-04), GeoLite2-ASN (build 2026-02-04)");
}

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "geoip_test_XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  void touch(const std::string& name) const { std::ofstream(file(name)) << "x"; }

 private:
  std::string path_;
};

TEST(GeoIp, FindGeoIpFilesPicksByName) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  EXPECT_TRUE(findGeoIpFiles(dir.path()).location_db.empty());
  for (const char* name :
       {"GeoLite2-City.mmdb", "GeoIP2-City-Test-Broken-Double-Format.mmdb", "GeoLite2-Country.mmdb",
        "GeoLite2-ASN.mmdb", "GeoLite2-ASN.mmdb.old", "City-notes.txt", "ASN.csv"}) {
    dir.touch(name);
  }
  fs::create_directory(dir.file("AAA-City.mmdb"));  // a directory, not a database

  // Sorted by name, "Broken" is not special: the first City file wins.
  GeoIpFiles files = findGeoIpFiles(dir.path());
  EXPECT_EQ(files.location_db, dir.file("GeoIP2-City-Test-Broken-Double-Format.mmdb"));
  EXPECT_EQ(files.asn_db, dir.file("GeoLite2-ASN.mmdb"));

  // Without City databases, a Country one.
  fs::remove(dir.file("GeoLite2-City.mmdb"));
  fs::remove(dir.file("GeoIP2-City-Test-Broken-Double-Format.mmdb"));
  files = findGeoIpFiles(dir.path());
  EXPECT_EQ(files.location_db, dir.file("GeoLite2-Country.mmdb"));

  // A bad file picked by name is refused at open, with its name in problems().
  fs::copy_file(dataPath("broken/GeoIP2-City-Test-Invalid-Node-Count.mmdb"),
                dir.file("GeoIP2-City-Test-Invalid-Node-Count.mmdb"));
  files = findGeoIpFiles(dir.path());
  EXPECT_EQ(files.location_db, dir.file("GeoIP2-City-Test-Invalid-Node-Count.mmdb"));
  auto geo = GeoIp::open(files);
  EXPECT_FALSE(geo->hasLocation());
  EXPECT_FALSE(geo->hasAs());  // the "ASN" file here is not a database either
  ASSERT_EQ(geo->problems().size(), 2u);
  EXPECT_NE(geo->problems()[0].find(files.location_db), std::string::npos);

  files = findGeoIpFiles(dir.file("does-not-exist"));
  EXPECT_TRUE(files.location_db.empty());
  EXPECT_TRUE(files.asn_db.empty());

  // The repository's test data: well-formed databases at the top level only.
  files = findGeoIpFiles(kDataDir);
  EXPECT_EQ(files.location_db, dataPath("GeoIP2-City-Test.mmdb"));
  EXPECT_EQ(files.asn_db, dataPath("GeoLite2-ASN-Test.mmdb"));
  auto real = GeoIp::open(files);
  EXPECT_TRUE(real->hasLocation());
  EXPECT_TRUE(real->hasAs());
  EXPECT_TRUE(real->problems().empty());
}

// Addresses the test databases list plus many they do not: more than fill the cache, so that
// slots are shared and overwritten while threads race.
std::vector<std::string> mixedAddresses() {
  std::set<std::string> known;
  for (const auto& row : readTsv(dataPath("EXPECTED.tsv"))) known.insert(row[0]);
  for (const auto& row : readTsv(dataPath("PCAP_SHARED_IPS_IN_ASN_TEST_DB.tsv"))) {
    known.insert(row[0]);
  }
  std::vector<std::string> addresses(known.begin(), known.end());
  // Half of them near listed addresses (same /24), half anywhere.
  std::vector<std::string> near;
  for (const auto& a : addresses) {
    if (a.find(':') == std::string::npos) near.push_back(a.substr(0, a.rfind('.') + 1));
  }
  std::mt19937 rng(42);
  for (int i = 0; i < 30000; ++i) {
    const uint32_t r = rng();
    if (i % 2 == 0) {
      addresses.push_back(near[r % near.size()] + std::to_string(r >> 24));
    } else {
      addresses.push_back(std::to_string(r >> 24) + "." + std::to_string((r >> 16) & 0xFF) + "." +
                          std::to_string((r >> 8) & 0xFF) + "." + std::to_string(r & 0xFF));
    }
  }
  for (int i = 0; i < 2000; ++i) {
    std::ostringstream v6;
    v6 << std::hex << "2001:" << (rng() & 0xFFFF) << "::" << (rng() & 0xFFFF);
    addresses.push_back(v6.str());
  }
  return addresses;
}

TEST(GeoIp, ConcurrentLookupsMatchSingleThreaded) {
  const GeoIpFiles files{dataPath("GeoIP2-City-Test.mmdb"), dataPath("GeoLite2-ASN-Test.mmdb")};
  const auto texts = mixedAddresses();
  std::vector<util::IpAddress> addresses;
  addresses.reserve(texts.size());
  for (const auto& t : texts) addresses.push_back(ip(t));

  auto shared = GeoIp::open(files);
  constexpr int kThreads = 4;
  std::vector<std::vector<GeoResult>> seen(kThreads, std::vector<GeoResult>(addresses.size()));
  std::vector<std::optional<std::string>> google(kThreads);
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      ready.fetch_add(1);
      while (ready.load() < kThreads) {
      }
      google[t] = shared->asName(15169);  // the first call builds the map: racing on purpose
      for (int pass = 0; pass < 3; ++pass) {
        // Each thread starts elsewhere so that they fill and overwrite the same slots.
        for (size_t i = 0; i < addresses.size(); ++i) {
          const size_t k = (i + t * addresses.size() / kThreads) % addresses.size();
          seen[t][k] = shared->lookup(addresses[k]);
        }
      }
    });
  }
  for (auto& th : threads) th.join();

  auto reference = GeoIp::open(files);  // fresh instance, used from this thread only
  RawDb raw(files.location_db);
  ASSERT_EQ(raw.status(), MMDB_SUCCESS);
  size_t found = 0;
  for (size_t i = 0; i < addresses.size(); ++i) {
    SCOPED_TRACE(texts[i]);
    const GeoResult expected = shared->lookup(addresses[i]);
    for (int t = 0; t < kThreads; ++t) {
      ASSERT_EQ(seen[t][i].location, expected.location);
      ASSERT_EQ(seen[t][i].as, expected.as);
    }
    const GeoResult ref = reference->lookup(addresses[i]);
    ASSERT_EQ(ref.location == nullptr, expected.location == nullptr);
    ASSERT_EQ(ref.as == nullptr, expected.as == nullptr);
    if (ref.location) {
      ++found;
      ASSERT_EQ(ref.location->country, expected.location->country);
      ASSERT_EQ(ref.location->city, expected.location->city);
    }
    if (ref.as) {
      ASSERT_EQ(ref.as->asn, expected.as->asn);
    }
    if (i % 8 == 0) {
      const auto country = raw.country(texts[i]);
      ASSERT_EQ(country.has_value(), expected.location != nullptr);
      if (country) {
        ASSERT_EQ(*country, expected.location->country);
      }
    }
  }
  EXPECT_GT(found, 1000u) << "of " << addresses.size();
  for (const auto& name : google) EXPECT_EQ(name, "Google Inc.");
  EXPECT_EQ(shared->lookupErrors(), 0u);
}

}  // namespace
}  // namespace flowlens::enrich
