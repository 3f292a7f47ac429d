#include "enrich/geoip.h"

#include <arpa/inet.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <mutex>
#include <shared_mutex>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "core/result.h"

namespace flowlens::enrich {
namespace {

// An address as 128 bits with IPv4 in its mapped form (::ffff:a.b.c.d), so that both spellings
// share one cache slot and are searched as IPv4 (which also works on IPv4-only databases).
struct AddressKey {
  uint64_t hi = 0;
  uint64_t lo = 0;

  bool isV4() const { return hi == 0 && (lo >> 32) == 0xFFFF; }
};

AddressKey keyOf(const util::IpAddress& ip) {
  AddressKey key;
  if (!ip.v6) {
    key.lo = 0xFFFF00000000ULL;
    for (int i = 0; i < 4; ++i) key.lo |= uint64_t{ip.bytes[i]} << (24 - 8 * i);
    return key;
  }
  for (int i = 0; i < 8; ++i) key.hi = (key.hi << 8) | ip.bytes[i];
  for (int i = 8; i < 16; ++i) key.lo = (key.lo << 8) | ip.bytes[i];
  return key;
}

// MurmurHash3's 64-bit finaliser: consecutive addresses land in unrelated slots.
uint64_t hashKey(const AddressKey& key) {
  uint64_t h = key.lo ^ (key.hi * 0x9E3779B97F4A7C15ULL);
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDULL;
  h ^= h >> 33;
  h *= 0xC4CEB9FE1A85EC53ULL;
  h ^= h >> 33;
  return h;
}

// One open database. The MMDB_s stays at one address: every entry libmaxminddb hands out
// points back to it.
class MmdbFile {
 public:
  MmdbFile() = default;
  ~MmdbFile() {
    if (open_) MMDB_close(&mmdb_);
  }
  MmdbFile(const MmdbFile&) = delete;
  MmdbFile& operator=(const MmdbFile&) = delete;

  // Fails with libmaxminddb's reason (and the system's, for I/O errors).
  Status open(const std::string& path) {
    const int status = MMDB_open(path.c_str(), MMDB_MODE_MMAP, &mmdb_);
    const int saved_errno = errno;  // MMDB_open keeps errno for file errors
    if (status == MMDB_SUCCESS) {
      open_ = true;
      return Status::Ok();
    }
    std::string reason = MMDB_strerror(status);
    if ((status == MMDB_FILE_OPEN_ERROR || status == MMDB_IO_ERROR) && saved_errno != 0) {
      reason += std::string(" (") + std::strerror(saved_errno) + ")";
    }
    return Error{reason};
  }

  const MMDB_s& mmdb() const { return mmdb_; }
  std::string type() const {
    return mmdb_.metadata.database_type ? mmdb_.metadata.database_type : "";
  }

  // "GeoLite2-City (build 2024-05-01)".
  std::string describe() const {
    // Past year 9999 (a corrupt or hostile epoch) the date would not print sensibly.
    constexpr uint64_t kLastSaneEpoch = 253402300799ULL;
    const uint64_t epoch = mmdb_.metadata.build_epoch;
    char date[32] = "?";
    if (epoch <= kLastSaneEpoch) {
      const time_t t = static_cast<time_t>(epoch);
      struct tm tm {};
      if (gmtime_r(&t, &tm)) std::strftime(date, sizeof(date), "%Y-%m-%d", &tm);
    }
    const std::string type_name = type();
    return (type_name.empty() ? std::string("unnamed database") : type_name) + " (build " + date +
           ")";
  }

  // The data record `key` maps to; nullopt when absent. A damaged search tree counts in
  // *errors.
  std::optional<MMDB_entry_s> search(const AddressKey& key, std::atomic<uint64_t>* errors) const {
    int error = MMDB_SUCCESS;
    MMDB_lookup_result_s result;
    if (key.isV4()) {
      sockaddr_in sin{};
      sin.sin_family = AF_INET;
      sin.sin_addr.s_addr = htonl(static_cast<uint32_t>(key.lo));
      result = MMDB_lookup_sockaddr(&mmdb_, reinterpret_cast<const sockaddr*>(&sin), &error);
    } else {
      sockaddr_in6 sin6{};
      sin6.sin6_family = AF_INET6;
      for (int i = 0; i < 8; ++i) {
        sin6.sin6_addr.s6_addr[i] = static_cast<uint8_t>(key.hi >> (56 - 8 * i));
        sin6.sin6_addr.s6_addr[8 + i] = static_cast<uint8_t>(key.lo >> (56 - 8 * i));
      }
      result = MMDB_lookup_sockaddr(&mmdb_, reinterpret_cast<const sockaddr*>(&sin6), &error);
    }
    // An IPv4-only database simply does not list IPv6 addresses.
    if (error == MMDB_IPV6_LOOKUP_IN_IPV4_DATABASE_ERROR) return std::nullopt;
    if (error != MMDB_SUCCESS) {
      errors->fetch_add(1, std::memory_order_relaxed);
      return std::nullopt;
    }
    if (!result.found_entry) return std::nullopt;
    return result.entry;
  }

 private:
  MMDB_s mmdb_{};
  bool open_ = false;
};

// Reads fields of one data record. A missing key or index is an absent field; any other
// failure means the record is damaged, and the whole record is then treated as not found
// (its other fields cannot be trusted either).
class RecordReader {
 public:
  explicit RecordReader(MMDB_entry_s entry) : entry_(entry) {}

  bool corrupt() const { return corrupt_; }

  std::string text(const char* const* path) {
    MMDB_entry_data_s data;
    if (!read(path, &data) || data.type != MMDB_DATA_TYPE_UTF8_STRING) return {};
    return std::string(data.utf8_string, data.data_size);  // not NUL-terminated
  }

  std::optional<double> number(const char* const* path) {
    MMDB_entry_data_s data;
    if (!read(path, &data)) return std::nullopt;
    if (data.type == MMDB_DATA_TYPE_DOUBLE) return data.double_value;
    if (data.type == MMDB_DATA_TYPE_FLOAT) return data.float_value;
    return std::nullopt;
  }

  std::optional<uint64_t> unsignedInt(const char* const* path) {
    MMDB_entry_data_s data;
    if (!read(path, &data)) return std::nullopt;
    switch (data.type) {
      case MMDB_DATA_TYPE_UINT16:
        return data.uint16;
      case MMDB_DATA_TYPE_UINT32:
        return data.uint32;
      case MMDB_DATA_TYPE_UINT64:
        return data.uint64;
      case MMDB_DATA_TYPE_INT32:
        if (data.int32 >= 0) return static_cast<uint64_t>(data.int32);
        return std::nullopt;
      default:
        return std::nullopt;
    }
  }

 private:
  bool read(const char* const* path, MMDB_entry_data_s* data) {
    if (corrupt_) return false;
    MMDB_entry_s entry = entry_;  // MMDB_aget_value takes a mutable start
    const int status = MMDB_aget_value(&entry, data, path);
    if (status == MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR) return false;
    if (status != MMDB_SUCCESS) {
      corrupt_ = true;
      return false;
    }
    return data->has_data;
  }

  MMDB_entry_s entry_;
  bool corrupt_ = false;
};

template <typename T>
struct Decoded {
  std::unique_ptr<T> value;  // null: nothing usable in the record
  bool corrupt = false;
};

// Field paths of the GeoIP2/GeoLite2 schema (mmdblookup syntax, NULL-terminated).
constexpr const char* kContinentCode[] = {"continent", "code", nullptr};
constexpr const char* kCountryIso[] = {"country", "iso_code", nullptr};
constexpr const char* kCountryName[] = {"country", "names", "en", nullptr};
constexpr const char* kCityName[] = {"city", "names", "en", nullptr};
constexpr const char* kSubdivisionIso[] = {"subdivisions", "0", "iso_code", nullptr};
constexpr const char* kPostalCode[] = {"postal", "code", nullptr};
constexpr const char* kTimeZone[] = {"location", "time_zone", nullptr};
constexpr const char* kLatitude[] = {"location", "latitude", nullptr};
constexpr const char* kLongitude[] = {"location", "longitude", nullptr};
constexpr const char* kAsNumber[] = {"autonomous_system_number", nullptr};
constexpr const char* kAsOrganization[] = {"autonomous_system_organization", nullptr};

Decoded<Location> decodeLocation(MMDB_entry_s entry) {
  RecordReader reader(entry);
  auto location = std::make_unique<Location>();
  location->continent = reader.text(kContinentCode);
  location->country = reader.text(kCountryIso);
  location->country_name = reader.text(kCountryName);
  location->city = reader.text(kCityName);
  location->subdivision = reader.text(kSubdivisionIso);
  location->postal_code = reader.text(kPostalCode);
  location->time_zone = reader.text(kTimeZone);
  const auto latitude = reader.number(kLatitude);
  const auto longitude = reader.number(kLongitude);
  if (latitude && longitude) {
    location->latitude = *latitude;
    location->longitude = *longitude;
    location->has_coordinates = true;
  }
  if (reader.corrupt()) return {nullptr, true};
  return {std::move(location), false};
}

Decoded<AsInfo> decodeAs(MMDB_entry_s entry) {
  RecordReader reader(entry);
  const auto number = reader.unsignedInt(kAsNumber);
  std::string name = reader.text(kAsOrganization);
  if (reader.corrupt()) return {nullptr, true};
  // ISP records may carry neither (only an ISP name): nothing to report then.
  if (!number && name.empty()) return {nullptr, false};
  auto as = std::make_unique<AsInfo>();
  if (number && *number <= UINT32_MAX) as->asn = static_cast<uint32_t>(*number);
  as->name = std::move(name);
  return {std::move(as), false};
}

// Decoded records by data-section offset: each record is decoded once and its address never
// changes. Bounded by the number of distinct records in the database.
template <typename T>
class RecordTable {
 public:
  template <typename Decode>
  const T* get(uint32_t offset, Decode&& decode, std::atomic<uint64_t>* errors) {
    {
      std::shared_lock lock(mu_);
      if (auto it = records_.find(offset); it != records_.end()) return it->second.get();
    }
    Decoded<T> decoded = decode();  // outside the lock: decoding walks the data section
    std::unique_lock lock(mu_);
    auto [it, inserted] = records_.try_emplace(offset, std::move(decoded.value));
    if (inserted && decoded.corrupt) errors->fetch_add(1, std::memory_order_relaxed);
    return it->second.get();
  }

 private:
  std::shared_mutex mu_;
  std::unordered_map<uint32_t, std::unique_ptr<T>> records_;
};

// The AS names of a database: one walk over the whole search tree, each data record decoded
// once. Tolerates damaged trees: nodes are visited at most once (no loops), and unreadable
// nodes or records are skipped.
std::unordered_map<uint32_t, std::string> collectAsNames(const MMDB_s& mmdb) {
  std::unordered_map<uint32_t, std::string> names;
  const uint32_t node_count = mmdb.metadata.node_count;
  if (node_count == 0) return names;
  std::vector<bool> visited(node_count, false);
  std::unordered_set<uint32_t> decoded_offsets;
  std::vector<uint32_t> pending{0};
  visited[0] = true;
  auto visit = [&](uint8_t type, uint64_t record, MMDB_entry_s entry) {
    if (type == MMDB_RECORD_TYPE_SEARCH_NODE) {
      if (record < node_count && !visited[record]) {
        visited[record] = true;
        pending.push_back(static_cast<uint32_t>(record));
      }
    } else if (type == MMDB_RECORD_TYPE_DATA && decoded_offsets.insert(entry.offset).second) {
      Decoded<AsInfo> as = decodeAs(entry);
      // The lowest network's name wins when a number has several (left subtrees go first).
      if (as.value && as.value->asn != 0 && !as.value->name.empty()) {
        names.try_emplace(as.value->asn, std::move(as.value->name));
      }
    }
  };
  while (!pending.empty()) {
    const uint32_t node_number = pending.back();
    pending.pop_back();
    MMDB_search_node_s node;
    if (MMDB_read_node(&mmdb, node_number, &node) != MMDB_SUCCESS) continue;
    // Right is pushed first so that left (lower addresses) is walked first.
    visit(node.right_record_type, node.right_record, node.right_record_entry);
    visit(node.left_record_type, node.left_record, node.left_record_entry);
  }
  return names;
}

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

Status openInRole(MmdbFile* file, const std::string& path, bool location_role) {
  const char* role = location_role ? "GeoIP location database" : "GeoIP ASN database";
  if (Status s = file->open(path); !s) {
    return Error{std::string(role) + " '" + path + "' refused by libmaxminddb: " + s.error()};
  }
  const std::string type = file->type();
  const bool fits = location_role ? contains(type, "City") || contains(type, "Country") ||
                                        contains(type, "Enterprise")
                                  : contains(type, "ASN") || contains(type, "ISP");
  if (!fits) {
    return Error{std::string(role) + " '" + path + "' refused: its database_type '" + type +
                 (location_role ? "' is not a City or Country database"
                                : "' is not an ASN or ISP database")};
  }
  return Status::Ok();
}

}  // namespace

struct GeoIp::LocationDb {
  MmdbFile file;
  RecordTable<Location> records;
};

struct GeoIp::AsDb {
  MmdbFile file;
  RecordTable<AsInfo> records;
  std::once_flag names_once;
  std::unordered_map<uint32_t, std::string> names;  // filled once, under names_once
};

// Direct-mapped: an address has one slot, and a newer address simply replaces an older one.
// Each slot is a seqlock made of atomics, so readers never write shared memory and a reader
// racing a writer sees a miss, never a torn entry. A writer that finds the slot being written
// skips caching rather than waiting.
class GeoIp::Cache {
 public:
  bool find(const AddressKey& key, GeoResult* out) const {
    const Slot& slot = slots_[hashKey(key) & (kSlots - 1)];
    const uint64_t before = slot.seq.load(std::memory_order_acquire);
    if (before == 0 || (before & 1) != 0) return false;
    // Acquire loads keep the second sequence read after them; a value from a writer that is
    // still busy makes that read see the writer's odd (or a later) sequence number.
    const uint64_t hi = slot.hi.load(std::memory_order_acquire);
    const uint64_t lo = slot.lo.load(std::memory_order_acquire);
    const Location* location = slot.location.load(std::memory_order_acquire);
    const AsInfo* as = slot.as.load(std::memory_order_acquire);
    if (slot.seq.load(std::memory_order_relaxed) != before) return false;
    if (hi != key.hi || lo != key.lo) return false;
    *out = GeoResult{location, as};
    return true;
  }

  void store(const AddressKey& key, const GeoResult& result) {
    Slot& slot = slots_[hashKey(key) & (kSlots - 1)];
    uint64_t seq = slot.seq.load(std::memory_order_relaxed);
    if ((seq & 1) != 0 ||
        !slot.seq.compare_exchange_strong(seq, seq + 1, std::memory_order_acquire)) {
      return;
    }
    // Release stores: whoever reads one of these values also sees the odd sequence number.
    slot.hi.store(key.hi, std::memory_order_release);
    slot.lo.store(key.lo, std::memory_order_release);
    slot.location.store(result.location, std::memory_order_release);
    slot.as.store(result.as, std::memory_order_release);
    slot.seq.store(seq + 2, std::memory_order_release);
  }

 private:
  static constexpr size_t kSlots = size_t{1} << 16;

  struct Slot {
    std::atomic<uint64_t> seq{0};  // odd while being written; 0 = never filled
    std::atomic<uint64_t> hi{0};
    std::atomic<uint64_t> lo{0};
    std::atomic<const Location*> location{nullptr};
    std::atomic<const AsInfo*> as{nullptr};
  };

  std::unique_ptr<Slot[]> slots_ = std::make_unique<Slot[]>(kSlots);
};

GeoIpFiles findGeoIpFiles(const std::string& dir) {
  namespace fs = std::filesystem;
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    if (!it->is_regular_file(type_ec)) continue;
    std::string name = it->path().filename().string();
    if (name.size() > 5 && name.ends_with(".mmdb")) names.push_back(std::move(name));
  }
  std::sort(names.begin(), names.end());
  auto first = [&](std::string_view part) -> std::string {
    for (const auto& name : names) {
      if (contains(name, part)) return (fs::path(dir) / name).string();
    }
    return {};
  };
  GeoIpFiles files;
  files.location_db = first("City");
  if (files.location_db.empty()) files.location_db = first("Country");
  files.asn_db = first("ASN");
  return files;
}

GeoIp::GeoIp() = default;
GeoIp::~GeoIp() = default;

std::unique_ptr<GeoIp> GeoIp::open(const GeoIpFiles& files) {
  std::unique_ptr<GeoIp> geo(new GeoIp());
  if (!files.location_db.empty()) {
    auto db = std::make_unique<LocationDb>();
    if (Status s = openInRole(&db->file, files.location_db, true); s) {
      geo->location_db_ = std::move(db);
    } else {
      geo->problems_.push_back(s.error());
    }
  }
  if (!files.asn_db.empty()) {
    auto db = std::make_unique<AsDb>();
    if (Status s = openInRole(&db->file, files.asn_db, false); s) {
      geo->as_db_ = std::move(db);
    } else {
      geo->problems_.push_back(s.error());
    }
  }
  if (geo->loaded()) geo->cache_ = std::make_unique<Cache>();  // 2.5 MiB: only when used
  return geo;
}

bool GeoIp::hasLocation() const { return location_db_ != nullptr; }
bool GeoIp::hasAs() const { return as_db_ != nullptr; }

GeoResult GeoIp::lookup(const util::IpAddress& ip) const {
  if (!loaded()) return {};
  const AddressKey key = keyOf(ip);
  GeoResult result;
  if (cache_->find(key, &result)) return result;
  if (location_db_) {
    if (auto entry = location_db_->file.search(key, &lookup_errors_)) {
      result.location = location_db_->records.get(
          entry->offset, [&] { return decodeLocation(*entry); }, &lookup_errors_);
    }
  }
  if (as_db_) {
    if (auto entry = as_db_->file.search(key, &lookup_errors_)) {
      result.as = as_db_->records.get(
          entry->offset, [&] { return decodeAs(*entry); }, &lookup_errors_);
    }
  }
  cache_->store(key, result);
  return result;
}

std::optional<std::string> GeoIp::asName(uint32_t asn) const {
  if (!as_db_) return std::nullopt;
  std::call_once(as_db_->names_once,
                 [this] { as_db_->names = collectAsNames(as_db_->file.mmdb()); });
  const auto it = as_db_->names.find(asn);
  if (it == as_db_->names.end()) return std::nullopt;
  return it->second;
}

std::string GeoIp::describe() const {
  std::string text;
  if (location_db_) text = location_db_->file.describe();
  if (as_db_) text += (text.empty() ? "" : ", ") + as_db_->file.describe();
  return text.empty() ? "no GeoIP database" : text;
}

}  // namespace flowlens::enrich
