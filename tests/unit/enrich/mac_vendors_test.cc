#include "enrich/mac_vendors.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace flowlens::enrich {
namespace {

// Excerpts of the real registry files (see tests/data/ieee/NOTICE); expected names below were
// checked against /usr/share/ieee-data from ieee-data 20220827.1.
const std::string kFixtureDir = std::string(FLOWLENS_SOURCE_DIR) + "/tests/data/ieee";
const std::string kSystemDir = "/usr/share/ieee-data";

const MacVendors& fixture() {
  static const MacVendors vendors = MacVendors::load(kFixtureDir);
  return vendors;
}

std::string nameOr(std::optional<std::string_view> name, std::string_view otherwise = "<none>") {
  return std::string(name.value_or(otherwise));
}

std::string at(const MacVendors& v, std::array<uint8_t, 6> mac) { return nameOr(v.lookup(mac)); }
std::string at(const MacVendors& v, std::string_view text) { return nameOr(v.lookup(text)); }

TEST(MacVendors, LoadsFixtureWithoutProblems) {
  const MacVendors& v = fixture();
  EXPECT_TRUE(v.problems().empty()) << v.problems().front();
  // 39 MA-L records of which 36 distinct assignments (08:00:30 three times, 00:01:C8 twice),
  // 27 MA-M, 21 MA-S; iab.csv is absent from the fixture and simply skipped.
  EXPECT_EQ(v.size(), 36u + 27u + 21u);
}

TEST(MacVendors, KnownMaLOuis) {
  const MacVendors& v = fixture();
  EXPECT_EQ(at(v, {0x00, 0x00, 0x0C, 0x12, 0x34, 0x56}), "Cisco Systems, Inc");
  EXPECT_EQ(at(v, {0xF4, 0xBD, 0x9E, 0x00, 0x00, 0x01}), "Cisco Systems, Inc");
  EXPECT_EQ(at(v, {0x60, 0x8B, 0x0E, 0xAB, 0xCD, 0xEF}), "Apple, Inc.");
  EXPECT_EQ(at(v, {0x00, 0x03, 0x93, 0xFF, 0xFF, 0xFF}), "Apple, Inc.");
  EXPECT_EQ(at(v, {0x70, 0xB3, 0xD5, 0x00, 0x00, 0x01}), "IEEE Registration Authority");
}

TEST(MacVendors, LongestBlockWins) {
  const MacVendors& v = fixture();
  // MA-S 70B3D5F2F inside MA-L 70B3D5 (held by the IEEE RA itself).
  EXPECT_EQ(at(v, {0x70, 0xB3, 0xD5, 0xF2, 0xF0, 0x01}), "TELEPLATFORMS");
  EXPECT_EQ(at(v, {0x70, 0xB3, 0xD5, 0xF2, 0xFF, 0xFF}), "TELEPLATFORMS");
  EXPECT_EQ(at(v, {0x70, 0xB3, 0xD5, 0x71, 0x90, 0x00}), "2M Technology");
  // One bit past the MA-S block: back to the MA-L owner.
  EXPECT_EQ(at(v, {0x70, 0xB3, 0xD5, 0xF3, 0x00, 0x00}), "IEEE Registration Authority");
  // MA-M 208593B inside MA-L 208593.
  EXPECT_EQ(at(v, {0x20, 0x85, 0x93, 0xB0, 0x00, 0x00}), "IOG Products LLC");
  EXPECT_EQ(at(v, {0x20, 0x85, 0x93, 0xBF, 0xFF, 0xFF}), "IOG Products LLC");
  EXPECT_EQ(at(v, {0x20, 0x85, 0x93, 0xA1, 0x00, 0x00}), "H3 Industries, Inc.");
  EXPECT_EQ(at(v, {0x20, 0x85, 0x93, 0xF0, 0x00, 0x00}), "IEEE Registration Authority");
}

TEST(MacVendors, LongestBlockWinsAcrossThreeLevels) {
  // Synthetic nesting (the real registry never puts an MA-S inside an MA-M).
  MacVendors v;
  v.addCsv("MA-L,0A0B0C,Outer,\nMA-M,0A0B0C1,Middle,\nMA-S,0A0B0C123,Inner,\n", "nested");
  EXPECT_EQ(at(v, {0x0A, 0x0B, 0x0C, 0x12, 0x30, 0x00}), "Inner");
  EXPECT_EQ(at(v, {0x0A, 0x0B, 0x0C, 0x12, 0x40, 0x00}), "Middle");
  EXPECT_EQ(at(v, {0x0A, 0x0B, 0x0C, 0x22, 0x30, 0x00}), "Outer");
}

TEST(MacVendors, QuotedAndTrimmedNames) {
  const MacVendors& v = fixture();
  EXPECT_EQ(at(v, "00:1E:FC:00:00:00"), "JSC \"MASSA-K\"");
  EXPECT_EQ(at(v, "00:1E:CB:00:00:00"), "\"RPC \"Energoautomatika\" Ltd");
  EXPECT_EQ(at(v, "20:85:93:D0:00:00"), "Shanghai Kenmyond Industrial Network Equipment Co.,Ltd");
  EXPECT_EQ(at(v, "58:B5:68:00:00:00"), "SECURITAS DIRECT ESPAÑA, SAU");
  // Surrounding whitespace in the registry: a trailing tab, leading spaces, a trailing space.
  EXPECT_EQ(at(v, "90:12:34:00:00:00"), "Shenzhen YOUHUA Technology Co., Ltd");
  EXPECT_EQ(at(v, "48:29:E4:00:00:00"), "ZAO \"NPK Rotek\"");
  EXPECT_EQ(at(v, "FC:A4:7A:A0:00:00"), "Shenzhen Elebao Technology Co., Ltd");
  EXPECT_EQ(at(v, "70:B3:D5:A3:40:00"), "RCH ITALIA SPA");
}

TEST(MacVendors, AddressesSpanningLinesDoNotBreakRecords) {
  const MacVendors& v = fixture();
  // These records' quoted addresses contain line breaks; they and their neighbours load.
  EXPECT_EQ(at(v, "C4:04:D8:00:00:00"), "Aviva Links Inc.");
  EXPECT_EQ(at(v, "3C:B0:7E:00:00:00"), "Arounds Intelligent Equipment Co., Ltd.");
  EXPECT_EQ(at(v, "30:3D:51:B0:00:00"), "Labman Automation");
  EXPECT_EQ(at(v, "8C:1F:64:C5:70:00"), "Strategic Robotic Systems");
  EXPECT_EQ(at(v, "8C:1F:64:E9:00:00"), "MHE Electronics");
  EXPECT_EQ(at(v, "8C:1F:64:17:90:00"), "Agrowtek Inc.");
}

TEST(MacVendors, PrivateIsAName) {
  const MacVendors& v = fixture();
  EXPECT_EQ(at(v, "11:00:AA:00:00:00"), "Private");
  EXPECT_EQ(at(v, "74:1A:E0:90:00:00"), "Private");                // MA-M
  EXPECT_EQ(at(v, "74:1A:E0:20:00:00"), "NURA HOLDINGS PTY LTD");  // its MA-M neighbour
}

TEST(MacVendors, RepeatedAssignmentKeepsFirstListing) {
  // oui.csv lists 08:00:30 three times (NETWORK RESEARCH CORPORATION, ROYAL MELBOURNE INST OF
  // TECH, CERN) and 00:01:C8 twice.
  const MacVendors& v = fixture();
  EXPECT_EQ(at(v, "08:00:30:00:00:00"), "NETWORK RESEARCH CORPORATION");
  EXPECT_EQ(at(v, "00:01:C8:00:00:00"), "THOMAS CONRAD CORP.");

  MacVendors later;
  later.addCsv("MA-L,0A0B0C,First,\n", "a");
  later.addCsv("MA-L,0A0B0C,Second,\nMA-L,0A0B0D,Other,\n", "b");
  EXPECT_EQ(later.size(), 2u);
  EXPECT_EQ(at(later, "0A:0B:0C:00:00:00"), "First");
  EXPECT_EQ(at(later, "0A:0B:0D:00:00:00"), "Other");
}

TEST(MacVendors, NamesAreStoredOnce) {
  const MacVendors& v = fixture();
  const auto a = v.lookup("60:8B:0E:00:00:00");
  const auto b = v.lookup("00:03:93:00:00:00");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->data(), b->data());  // same bytes of the arena, not two copies

  MacVendors across_calls;
  across_calls.addCsv("MA-L,0A0B0C,Same Name,\n", "a");
  across_calls.addCsv("MA-M,0A0B0D1,Same Name,\n", "b");
  const auto c = across_calls.lookup("0A:0B:0C:00:00:00");
  const auto d = across_calls.lookup("0A:0B:0D:10:00:00");
  ASSERT_TRUE(c && d);
  EXPECT_EQ(c->data(), d->data());
}

TEST(MacVendors, UnknownPrefixIsNullopt) {
  const MacVendors& v = fixture();
  EXPECT_FALSE(v.lookup(std::array<uint8_t, 6>{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}));
  EXPECT_FALSE(v.lookup(std::array<uint8_t, 6>{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}));
  EXPECT_FALSE(v.lookup("00:00:00:00:00:00"));
  EXPECT_FALSE(MacVendors().lookup("00:00:0C:00:00:00"));
}

TEST(MacVendors, TextForms) {
  const MacVendors& v = fixture();
  EXPECT_EQ(at(v, "70:B3:D5:F2:F0:01"), "TELEPLATFORMS");
  EXPECT_EQ(at(v, "70-b3-d5-f2-f0-01"), "TELEPLATFORMS");
  EXPECT_EQ(at(v, "70b3.d5f2.f001"), "TELEPLATFORMS");
  EXPECT_EQ(at(v, "70B3D5F2F001"), "TELEPLATFORMS");
  EXPECT_EQ(at(v, "  70:b3:D5:f2:F0:01\n"), "TELEPLATFORMS");
  EXPECT_EQ(at(v, "00-00-0c-aa-bb-cc"), "Cisco Systems, Inc");
}

TEST(MacVendors, BarePrefixMatchesOnlyBlocksItCovers) {
  const MacVendors& v = fixture();
  EXPECT_EQ(at(v, "00:00:0C"), "Cisco Systems, Inc");
  EXPECT_EQ(at(v, "60-8b-0e"), "Apple, Inc.");
  // 24 known bits cannot pick an MA-M or MA-S block below: the MA-L owner answers.
  EXPECT_EQ(at(v, "70:B3:D5"), "IEEE Registration Authority");
  EXPECT_EQ(at(v, "20:85:93"), "IEEE Registration Authority");
  EXPECT_EQ(at(v, "20:85:93:B0"), "IOG Products LLC");             // 32 bits cover MA-M
  EXPECT_EQ(at(v, "70:B3:D5:F2"), "IEEE Registration Authority");  // but not MA-S
  EXPECT_EQ(at(v, "70:B3:D5:F2:F0"), "TELEPLATFORMS");             // 40 bits cover MA-S
  EXPECT_FALSE(v.lookup("02:00:00"));
}

TEST(MacVendors, TextThatIsNotAMac) {
  const MacVendors& v = fixture();
  for (const char* text :
       {"", "   ", "hello", "00:00", "00:00:0C:", "00:00:0c:00:00:00:00", "00:00-0C:00:00:00",
        "0:0:c:0:0:0", "00:00:0G:00:00:00", "00000C", "00000c00000", "0000.0c00.000g",
        "0000.0c00.0000.", "00:00:0C:00:00:00x", "00_00_0C_00_00_00", "00::0C:00:00:00"}) {
    EXPECT_FALSE(v.lookup(std::string_view(text))) << '"' << text << '"';
  }
}

TEST(MacVendors, MalformedRecordsAreReportedAndSkipped) {
  MacVendors v;
  v.addCsv(
      "Registry,Assignment,Organization Name,Organization Address\r\n"  // 1
      "MA-L,0A0001,Good One,Somewhere 1\r\n"                            // 2
      "MA-L,0A0002,Too Few Fields\r\n"                                  // 3: 3 fields
      "MA-L,0A0003,Too,Many,Fields\r\n"                                 // 4: 5 fields
      "MA-L,0A00G4,Not Hex,\r\n"                                        // 5
      "MA-M,0A0005,Six Digits For MA-M,\r\n"                            // 6
      "MA-X,0A0006,Unknown Registry,\r\n"                               // 7
      "MA-L,0A0007,\"  \",\r\n"                                         // 8: empty name
      "MA-L,0A0008,\"Quoted\"trailing,\r\n"                             // 9
      "\r\n"                                                            // 10: blank, ignored
      "MA-L,0A0009,\"Good, Two\",\"Line one\nline two\"\r\n"            // 11-12
      "MA-L,0A000A,Good Three,\r\n",                                    // 13
      "bad.csv");
  ASSERT_EQ(v.problems().size(), 7u);
  EXPECT_EQ(v.problems()[0], "bad.csv:3: expected 4 fields, found 3");
  EXPECT_EQ(v.problems()[1], "bad.csv:4: expected 4 fields, found 5");
  EXPECT_EQ(v.problems()[2], "bad.csv:5: assignment '0A00G4' is not 6 hex digits");
  EXPECT_EQ(v.problems()[3], "bad.csv:6: assignment '0A0005' is not 7 hex digits");
  EXPECT_EQ(v.problems()[4], "bad.csv:7: unknown registry 'MA-X'");
  EXPECT_EQ(v.problems()[5], "bad.csv:8: empty organization name");
  EXPECT_EQ(v.problems()[6], "bad.csv:9: unexpected character after a closing quote");
  EXPECT_EQ(v.size(), 3u);
  EXPECT_EQ(at(v, "0A:00:01:00:00:00"), "Good One");
  EXPECT_EQ(at(v, "0A:00:09:00:00:00"), "Good, Two");
  EXPECT_EQ(at(v, "0A:00:0A:00:00:00"), "Good Three");
  EXPECT_FALSE(v.lookup("0A:00:02:00:00:00"));
}

TEST(MacVendors, UnterminatedQuoteLosesOnlyItsRecord) {
  MacVendors v;
  v.addCsv(
      "MA-L,0A0001,\"Never Closed,Somewhere\r\n"
      "MA-L,0A0002,Next,\"Street\nTown \"\r\n"
      "MA-L,0A0003,\"Closed At End Of Text\n",
      "quote.csv");
  ASSERT_EQ(v.problems().size(), 2u);
  EXPECT_EQ(v.problems()[0], "quote.csv:1: unterminated quoted field");
  EXPECT_EQ(v.problems()[1], "quote.csv:4: unterminated quoted field");
  EXPECT_EQ(v.size(), 1u);
  EXPECT_EQ(at(v, "0A:00:02:00:00:00"), "Next");
}

TEST(MacVendors, ProblemListIsCappedPerSource) {
  std::string csv;
  for (int i = 0; i < 200; ++i) csv += "garbage line " + std::to_string(i) + "\n";
  csv += "MA-L,0A0001,Still Loaded,\n";
  MacVendors v;
  v.addCsv(csv, "noise.csv");
  ASSERT_EQ(v.problems().size(), MacVendors::kMaxProblemsPerSource + 1);
  EXPECT_EQ(v.problems().back(),
            "noise.csv: " + std::to_string(200 - MacVendors::kMaxProblemsPerSource) +
                " more problems not listed");
  EXPECT_EQ(at(v, "0A:00:01:00:00:00"), "Still Loaded");
}

TEST(MacVendors, MissingFilesAreSkipped) {
  // The caller (Enrichment) warns once when size() is 0; load() adds no problem of its own.
  const MacVendors v = MacVendors::load("/nonexistent/ieee-data");
  EXPECT_EQ(v.size(), 0u);
  EXPECT_TRUE(v.problems().empty());
  EXPECT_FALSE(v.lookup("00:00:0C:00:00:00"));
}

TEST(MacVendors, UnreadableFileIsReportedAndOthersLoad) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(testing::TempDir()) / "mac_vendors_unreadable";
  fs::remove_all(dir);
  fs::create_directories(dir / "oui.csv");  // exists, but read() fails: EISDIR
  fs::copy_file(fs::path(kFixtureDir) / "mam.csv", dir / "mam.csv");
  const MacVendors v = MacVendors::load(dir.string());
  ASSERT_EQ(v.problems().size(), 1u);
  EXPECT_EQ(v.problems()[0], (dir / "oui.csv").string() + ": cannot read: Is a directory");
  EXPECT_EQ(v.size(), 27u);
  EXPECT_EQ(at(v, "20:85:93:B0:00:00"), "IOG Products LLC");
  fs::remove_all(dir);
}

TEST(MacVendors, FullSystemRegistry) {
  if (!std::filesystem::exists(kSystemDir + "/oui.csv")) {
    GTEST_SKIP() << kSystemDir << " not installed (Debian package ieee-data)";
  }
  const MacVendors v = MacVendors::load();
  EXPECT_TRUE(v.problems().empty()) << v.problems().front();
  EXPECT_GT(v.size(), 30000u);
  EXPECT_EQ(at(v, "00:00:0C:07:AC:01"), "Cisco Systems, Inc");  // MA-L
  EXPECT_EQ(at(v, "60:8B:0E:12:34:56"), "Apple, Inc.");         // MA-L
  EXPECT_EQ(at(v, "20:85:93:B1:23:45"), "IOG Products LLC");    // MA-M
  EXPECT_EQ(at(v, "70:B3:D5:F2:F1:23"), "TELEPLATFORMS");       // MA-S
  EXPECT_EQ(at(v, "00:50:C2:7D:51:23"), "DEUTA-WERKE GmbH");    // IAB
  EXPECT_EQ(at(v, "70:B3:D5"), "IEEE Registration Authority");
  EXPECT_EQ(at(v, "08:00:30:00:00:00"), "NETWORK RESEARCH CORPORATION");  // listed 3 times
  EXPECT_FALSE(v.lookup("02:00:00:00:00:01"));
}

}  // namespace
}  // namespace flowlens::enrich
