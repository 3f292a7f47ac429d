#include "enrich/mac_vendors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstddef>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <system_error>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/result.h"

namespace flowlens::enrich {
namespace {

constexpr std::string_view kWhitespace = " \t\r\n\v\f";
constexpr uint64_t kMaxNameId = (uint64_t{1} << 28) - 1;  // width of Block::name_id

std::string_view trim(std::string_view s) {
  const size_t first = s.find_first_not_of(kWhitespace);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(kWhitespace) - first + 1);
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Appends the hex digits of `s` to `value`; false if any character is not a hex digit.
bool appendHex(std::string_view s, uint64_t& value) {
  for (char c : s) {
    const int v = hexValue(c);
    if (v < 0) return false;
    value = (value << 4) | static_cast<uint64_t>(v);
  }
  return true;
}

// Hex digits per assignment for each registry, i.e. the block size in nibbles.
int assignmentDigits(std::string_view registry) {
  if (registry == "MA-L") return 6;
  if (registry == "MA-M") return 7;
  if (registry == "MA-S" || registry == "IAB") return 9;
  return 0;
}

// True if `s` begins like a registry record ("MA-S,70B3D5F2F,"). Used only to recover from an
// unterminated quote: quoted addresses legitimately span lines, but never start one this way.
bool startsLikeRecord(std::string_view s) {
  const size_t comma = s.find(',');
  if (comma == std::string_view::npos || assignmentDigits(s.substr(0, comma)) == 0) return false;
  const std::string_view rest = s.substr(comma + 1);
  const size_t end = rest.find(',');
  if (end == std::string_view::npos || end < 6 || end > 9) return false;
  return std::all_of(rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(end),
                     [](char c) { return hexValue(c) >= 0; });
}

// Reads RFC 4180 records one at a time. Only the first kStoredFields fields are kept (the
// registry has four); extra fields are parsed and counted, so a wrong count can be reported.
class CsvRecords {
 public:
  static constexpr size_t kStoredFields = 4;

  explicit CsvRecords(std::string_view text) : text_(text) {
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") text_.remove_prefix(3);  // UTF-8 BOM
  }

  // Reads the next non-blank record; false at the end of the text. A malformed record still
  // returns true, with error() set and the reader already past it.
  bool next() {
    while (pos_ < text_.size() && (text_[pos_] == '\r' || text_[pos_] == '\n')) endLine();
    if (pos_ >= text_.size()) return false;
    record_line_ = line_;
    field_count_ = 0;
    error_ = {};
    while (true) {
      std::string& field = fields_[std::min(field_count_, kStoredFields)];
      ++field_count_;
      field.clear();
      if (text_[pos_] == '"') {
        if (!readQuoted(field)) return true;
      } else {
        size_t end = pos_;
        while (end < text_.size() && !isFieldEnd(text_[end])) ++end;
        field.assign(text_.substr(pos_, end - pos_));
        pos_ = end;
      }
      if (pos_ >= text_.size()) return true;
      const char c = text_[pos_];
      if (c == ',') {
        ++pos_;
        if (pos_ >= text_.size()) {  // "a,b," at the very end: one more, empty, field
          fields_[std::min(field_count_++, kStoredFields)].clear();
          return true;
        }
        continue;
      }
      if (c == '\r' || c == '\n') {
        endLine();
        return true;
      }
      error_ = "unexpected character after a closing quote";
      skipLine();
      return true;
    }
  }

  size_t fieldCount() const { return field_count_; }
  std::string_view field(size_t i) const {
    if (i >= std::min(field_count_, kStoredFields)) return {};
    return fields_[i];
  }
  size_t line() const { return record_line_; }
  std::string_view error() const { return error_; }

 private:
  // A plain loop: find_first_of() calls memchr() once per character, twice as slow here.
  static bool isFieldEnd(char c) { return c == ',' || c == '\r' || c == '\n'; }

  // At the opening quote; reads up to and past the closing quote, undoubling quotes.
  bool readQuoted(std::string& field) {
    ++pos_;
    while (true) {
      size_t stop = pos_;
      while (stop < text_.size() && text_[stop] != '"' && text_[stop] != '\n') ++stop;
      if (stop == text_.size()) {
        error_ = "unterminated quoted field";
        pos_ = text_.size();
        return false;
      }
      field.append(text_.substr(pos_, stop - pos_));
      if (text_[stop] == '\n') {
        ++line_;
        pos_ = stop + 1;
        if (startsLikeRecord(text_.substr(pos_))) {
          error_ = "unterminated quoted field";
          return false;
        }
        field.push_back('\n');
        continue;
      }
      if (stop + 1 < text_.size() && text_[stop + 1] == '"') {
        field.push_back('"');
        pos_ = stop + 2;
        continue;
      }
      pos_ = stop + 1;
      return true;
    }
  }

  // At '\r' or '\n': consumes one line ending (CRLF, LF or a lone CR).
  void endLine() {
    if (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') ++pos_;
    ++pos_;
    ++line_;
  }

  void skipLine() {
    const size_t nl = text_.find('\n', pos_);
    pos_ = nl == std::string_view::npos ? text_.size() : nl + 1;
    ++line_;
  }

  std::string_view text_;
  size_t pos_ = 0;
  size_t line_ = 1;
  size_t record_line_ = 1;
  size_t field_count_ = 0;
  std::string_view error_;
  std::array<std::string, kStoredFields + 1> fields_;  // the last one takes any extra field
};

// A file mapped read-only for parsing: the lists (4 MB) never pass through the heap, whose
// freed pages glibc would keep for the process's life.
class MappedFile {
 public:
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  MappedFile(MappedFile&& o) noexcept : data_(std::exchange(o.data_, nullptr)), size_(o.size_) {}
  ~MappedFile() {
    if (data_ != nullptr) ::munmap(data_, size_);
  }
  std::string_view text() const { return {static_cast<const char*>(data_), size_}; }

  // The file's contents; ok(nullopt) when it does not exist.
  static Result<std::optional<MappedFile>> open(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT || errno == ENOTDIR) return std::optional<MappedFile>();
      return Error{path + ": cannot open: " + std::generic_category().message(errno)};
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd);
      const int err = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
      return Error{path + ": cannot read: " + std::generic_category().message(err)};
    }
    void* p = nullptr;
    if (st.st_size > 0) {
      p = ::mmap(nullptr, size_t(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
      if (p == MAP_FAILED) {
        const int err = errno;
        ::close(fd);
        return Error{path + ": cannot read: " + std::generic_category().message(err)};
      }
    }
    ::close(fd);
    return std::optional<MappedFile>(MappedFile(p, p != nullptr ? size_t(st.st_size) : 0));
  }

 private:
  MappedFile(void* data, size_t size) : data_(data), size_(size) {}
  void* data_;
  size_t size_;
};

// 48-bit value and number of meaningful leading bits of a MAC or MAC prefix in text form.
struct ParsedMac {
  uint64_t value = 0;
  int known_bits = 0;
};

std::optional<ParsedMac> parseMacText(std::string_view s) {
  s = trim(s);
  uint64_t value = 0;
  int bytes = 0;
  if (s.size() == 14 && s[4] == '.' && s[9] == '.') {  // Cisco: aabb.ccdd.eeff
    if (!appendHex(s.substr(0, 4), value) || !appendHex(s.substr(5, 4), value) ||
        !appendHex(s.substr(10, 4), value)) {
      return std::nullopt;
    }
    bytes = 6;
  } else if (s.size() == 12) {  // aabbccddeeff
    if (!appendHex(s, value)) return std::nullopt;
    bytes = 6;
  } else if (s.size() >= 8 && (s[2] == ':' || s[2] == '-') && (s.size() + 1) % 3 == 0) {
    bytes = static_cast<int>((s.size() + 1) / 3);  // AA:BB:CC .. AA:BB:CC:DD:EE:FF
    if (bytes > 6) return std::nullopt;
    for (int i = 0; i < bytes; ++i) {
      const size_t at = static_cast<size_t>(i) * 3;
      if (!appendHex(s.substr(at, 2), value)) return std::nullopt;
      if (i + 1 < bytes && s[at + 2] != s[2]) return std::nullopt;  // one separator throughout
    }
  } else {
    return std::nullopt;
  }
  return ParsedMac{value << (8 * (6 - bytes)), 8 * bytes};
}

}  // namespace

// Deduplicates names while loading. Holds name ids and hashes them through the arena, so the
// arena may grow (and move) while the set is alive, and nothing outlives the load.
class MacVendors::NameInterner {
 public:
  explicit NameInterner(MacVendors& owner)
      : owner_(owner), ids_(owner.name_offsets_.size(), Hash{&owner}, Equal{&owner}) {
    if (owner.name_offsets_.empty()) owner.name_offsets_.push_back(0);  // a moved-from owner
    for (uint32_t id = 0; id + 1 < owner.name_offsets_.size(); ++id) ids_.insert(id);
  }

  // The id of `name`, added if new; nullopt if the table is full (2^28 names or 4 GiB).
  std::optional<uint32_t> intern(std::string_view name) {
    if (auto it = ids_.find(name); it != ids_.end()) return *it;
    const size_t id = owner_.name_offsets_.size() - 1;
    const size_t end = owner_.name_arena_.size() + name.size();
    if (id > kMaxNameId || end > std::numeric_limits<uint32_t>::max()) return std::nullopt;
    owner_.name_arena_.append(name);
    owner_.name_offsets_.push_back(static_cast<uint32_t>(end));
    ids_.insert(static_cast<uint32_t>(id));
    return static_cast<uint32_t>(id);
  }

 private:
  struct Hash {
    using is_transparent = void;
    const MacVendors* owner;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
    size_t operator()(uint32_t id) const { return (*this)(owner->nameOf(id)); }
  };
  struct Equal {
    using is_transparent = void;
    const MacVendors* owner;
    std::string_view view(std::string_view s) const { return s; }
    std::string_view view(uint32_t id) const { return owner->nameOf(id); }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return view(a) == view(b);
    }
  };

  MacVendors& owner_;
  std::unordered_set<uint32_t, Hash, Equal> ids_;
};

MacVendors MacVendors::load(const std::string& dir) {
  MacVendors vendors;
  NameInterner names(vendors);
  for (const char* name : {"oui.csv", "mam.csv", "oui36.csv", "iab.csv"}) {
    const std::string path = dir + "/" + name;
    auto file = MappedFile::open(path);
    if (!file.ok()) {
      vendors.problems_.push_back(file.error());
    } else if (file->has_value()) {
      vendors.addRecords((*file)->text(), path, names);
    }
  }
  vendors.shrinkToFit();
  return vendors;
}

void MacVendors::addCsv(std::string_view csv_text, std::string_view source_name) {
  NameInterner names(*this);
  addRecords(csv_text, source_name, names);
}

void MacVendors::addRecords(std::string_view csv_text, std::string_view source_name,
                            NameInterner& names) {
  const size_t old_size[] = {blocks36_.size(), blocks28_.size(), blocks24_.size()};
  size_t problem_count = 0;
  auto problem = [&](size_t line, std::string_view what) {
    if (++problem_count > kMaxProblemsPerSource) return;
    problems_.push_back(std::string(source_name) + ":" + std::to_string(line) + ": " +
                        std::string(what));
  };

  CsvRecords records(csv_text);
  bool first = true;
  while (records.next()) {
    const bool is_first = std::exchange(first, false);
    if (!records.error().empty()) {
      problem(records.line(), records.error());
      continue;
    }
    const std::string_view registry = trim(records.field(0));
    const std::string_view assignment = trim(records.field(1));
    if (is_first && registry == "Registry" && assignment == "Assignment") continue;  // header
    if (records.fieldCount() != 4) {
      problem(records.line(), "expected 4 fields, found " + std::to_string(records.fieldCount()));
      continue;
    }
    const int digits = assignmentDigits(registry);
    if (digits == 0) {
      problem(records.line(), "unknown registry '" + std::string(registry) + "'");
      continue;
    }
    uint64_t prefix = 0;
    if (assignment.size() != static_cast<size_t>(digits) || !appendHex(assignment, prefix)) {
      problem(records.line(), "assignment '" + std::string(assignment) + "' is not " +
                                  std::to_string(digits) + " hex digits");
      continue;
    }
    const std::string_view name = trim(records.field(2));
    if (name.empty()) {
      problem(records.line(), "empty organization name");
      continue;
    }
    const std::optional<uint32_t> name_id = names.intern(name);
    if (!name_id) {
      problem(records.line(), "name table full");
      break;
    }
    const Block block{.prefix = prefix, .name_id = *name_id};
    (digits == 9 ? blocks36_ : digits == 7 ? blocks28_ : blocks24_).push_back(block);
  }
  if (problem_count > kMaxProblemsPerSource) {
    problems_.push_back(std::string(source_name) + ": " +
                        std::to_string(problem_count - kMaxProblemsPerSource) +
                        " more problems not listed");
  }

  // Sort what this call added and merge it behind the existing blocks; both steps are stable,
  // so unique() keeps the first listing of a repeated assignment.
  const auto by_prefix = [](const Block& a, const Block& b) { return a.prefix < b.prefix; };
  const auto same_prefix = [](const Block& a, const Block& b) { return a.prefix == b.prefix; };
  std::vector<Block>* tables[] = {&blocks36_, &blocks28_, &blocks24_};
  for (size_t t = 0; t < 3; ++t) {
    std::vector<Block>& v = *tables[t];
    const auto mid = v.begin() + static_cast<std::ptrdiff_t>(old_size[t]);
    std::stable_sort(mid, v.end(), by_prefix);
    std::inplace_merge(v.begin(), mid, v.end(), by_prefix);
    v.erase(std::unique(v.begin(), v.end(), same_prefix), v.end());
  }
}

std::optional<std::string_view> MacVendors::lookup(const std::array<uint8_t, 6>& mac) const {
  uint64_t value = 0;
  for (uint8_t byte : mac) value = (value << 8) | byte;
  return lookupBits(value, 48);
}

std::optional<std::string_view> MacVendors::lookup(std::string_view mac_text) const {
  const std::optional<ParsedMac> mac = parseMacText(mac_text);
  if (!mac) return std::nullopt;
  return lookupBits(mac->value, mac->known_bits);
}

std::optional<std::string_view> MacVendors::lookupBits(uint64_t mac, int known_bits) const {
  const std::pair<int, const std::vector<Block>*> tables[] = {
      {36, &blocks36_}, {28, &blocks28_}, {24, &blocks24_}};
  for (const auto& [bits, table] : tables) {
    if (known_bits < bits) continue;
    const uint64_t key = mac >> (48 - bits);
    const auto it = std::partition_point(table->begin(), table->end(),
                                         [key](const Block& b) { return b.prefix < key; });
    if (it != table->end() && it->prefix == key) return nameOf(it->name_id);
  }
  return std::nullopt;
}

size_t MacVendors::size() const { return blocks36_.size() + blocks28_.size() + blocks24_.size(); }

std::string_view MacVendors::nameOf(uint32_t name_id) const {
  const uint32_t begin = name_offsets_[name_id];
  const std::string_view arena = name_arena_;
  return arena.substr(begin, name_offsets_[name_id + 1] - begin);
}

void MacVendors::shrinkToFit() {
  blocks36_.shrink_to_fit();
  blocks28_.shrink_to_fit();
  blocks24_.shrink_to_fit();
  name_arena_.shrink_to_fit();
  name_offsets_.shrink_to_fit();
}

}  // namespace flowlens::enrich
