#pragma once
// MAC address -> vendor (organization) lookup from the IEEE Registration Authority listings as
// Debian's `ieee-data` package ships them: oui.csv (MA-L, 24-bit blocks), mam.csv (MA-M,
// 28-bit), oui36.csv (MA-S, 36-bit) and iab.csv (IAB, 36-bit). The longest registered block
// wins, so an MA-S block inside an OUI that the IEEE itself holds reports the MA-S owner.
//
// Thread-safety: build it (load(), addCsv()) on one thread, then share it read-only; the const
// lookups take no lock and allocate nothing. The string_views they return point into this
// object and stay valid until it is modified (addCsv), moved or destroyed.
//
// Data quirks handled on purpose: records are RFC 4180 (quoted fields hold commas, doubled
// quotes and line breaks: real addresses span lines); names are trimmed (some carry a trailing
// tab); an assignment listed twice (oui.csv has 08:00:30 three times) keeps its first listing.
// Problems are collected as text, never thrown: a caller logs them once.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flowlens::enrich {

class MacVendors {
 public:
  // Keeps a damaged or wrong file from flooding the log: the rest is summarized in one line.
  static constexpr size_t kMaxProblemsPerSource = 50;

  // Loads every registry file found in `dir` (oui.csv, mam.csv, oui36.csv, iab.csv). A missing
  // file is skipped silently (size() == 0 tells that none was found); a file that exists but
  // cannot be read, or a malformed record, is reported in problems(): malformed records are
  // skipped, the rest loads. Never throws.
  static MacVendors load(const std::string& dir = "/usr/share/ieee-data");

  // Adds the CSV text of one registry file (same format; the header line is optional). The
  // block size comes from each record: MA-L 6 hex digits, MA-M 7, MA-S and IAB 9. Problems are
  // reported as "<source_name>:<line>: <reason>", at most kMaxProblemsPerSource per call plus
  // one line counting the rest. Invalidates views returned by earlier lookups.
  void addCsv(std::string_view csv_text, std::string_view source_name);

  // The organization registered for the longest matching block (36-bit, then 28-bit, then
  // 24-bit), or nullopt. "Private" is a registered name like any other.
  std::optional<std::string_view> lookup(const std::array<uint8_t, 6>& mac) const;

  // Accepts "AA:BB:CC:DD:EE:FF", "aa-bb-cc-dd-ee-ff", "aabb.ccdd.eeff", "aabbccddeeff", and a
  // bare prefix of 3 to 5 bytes ("AA:BB:CC", "aa-bb-cc-dd"), which matches only blocks no longer
  // than the bits it gives ("70:B3:D5" is the MA-L owner even when MA-S blocks lie under it).
  // Case-insensitive; surrounding whitespace is ignored; nullopt for text that is not a MAC.
  std::optional<std::string_view> lookup(std::string_view mac_text) const;

  size_t size() const;  // number of distinct blocks loaded, all sizes together
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  class NameInterner;

  // One registered block: its prefix (right-aligned, 24/28/36 bits) and the index of its
  // organization name. 8 bytes; ~50k of them for the full registry.
  struct Block {
    uint64_t prefix : 36;
    uint64_t name_id : 28;
  };

  void addRecords(std::string_view csv_text, std::string_view source_name, NameInterner& names);
  // `mac` is the 48-bit address right-aligned; only its top `known_bits` are meaningful.
  std::optional<std::string_view> lookupBits(uint64_t mac, int known_bits) const;
  std::string_view nameOf(uint32_t name_id) const;
  void shrinkToFit();

  std::vector<Block> blocks36_;  // each sorted by prefix, unique prefixes
  std::vector<Block> blocks28_;
  std::vector<Block> blocks24_;
  std::string name_arena_;                 // every distinct name once, back to back
  std::vector<uint32_t> name_offsets_{0};  // name i is [offsets[i], offsets[i + 1]) of the arena
  std::vector<std::string> problems_;
};

}  // namespace flowlens::enrich
