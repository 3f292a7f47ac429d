// The packet engine on malformed captures (bad packets, fuzzed captures, garbage fragments, a
// file cut mid-record, a capture snapped short): every file is read to its end, every record is
// counted once, and malformed frames are counted under the reason the decoder gives.

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "capture_run.h"
#include "iface/packet_engine.h"
#include "pcap_facts.h"

namespace flowlens {
namespace {

using testing::CaptureFacts;

std::string pcapPath(const std::string& name) { return testing::pcapDir() + "/" + name; }

std::string reasonsText(const std::array<uint64_t, size_t(decode::Reason::kCount)>& r) {
  std::string out;
  for (size_t i = 0; i < r.size(); ++i) {
    if (r[i] != 0)
      out += std::string(decode::reasonName(decode::Reason(i))) + "=" + std::to_string(r[i]) + " ";
  }
  return out;
}

// Reads `path` with one and two threads and checks the counters against the capture's facts.
void expectCountedOnce(const std::string& path, const std::string& what, uint64_t records) {
  const CaptureFacts facts = testing::captureFacts(path);
  ASSERT_TRUE(facts.opened) << what;
  EXPECT_EQ(facts.records, records) << what << ": libpcap reads a different number of records";
  for (int threads : {1, 2}) {
    auto e = testing::runCapture(path, threads);
    ASSERT_NE(e, nullptr) << what;
    EXPECT_TRUE(e->finished()) << what;
    const EngineTotals t = e->totals();
    const std::string w = what + " (" + std::to_string(threads) + " thread(s))";
    EXPECT_EQ(t.packets, records) << w;
    EXPECT_EQ(t.bytes, facts.bytes) << w;
    EXPECT_EQ(t.ip_packets, facts.ip_packets) << w;
    EXPECT_EQ(t.non_ip_packets, facts.non_ip) << w;
    EXPECT_EQ(t.malformed, facts.malformed) << w;
    EXPECT_EQ(t.malformed_by_reason, facts.reasons)
        << w << ": engine " << reasonsText(t.malformed_by_reason) << "; decoder "
        << reasonsText(facts.reasons);
    uint64_t by_reason = 0;
    for (uint64_t n : t.malformed_by_reason) by_reason += n;
    EXPECT_EQ(by_reason, t.malformed) << w;
    EXPECT_EQ(t.malformed_by_reason[size_t(decode::Reason::kOk)], 0u) << w;
    uint64_t in_flows = 0;
    for (const flow::Flow& f : e->flows()) in_flows += f.packets();
    EXPECT_EQ(in_flows, t.ip_packets) << w;
  }
}

TEST(PacketEngineMalformedTest, MalformedCapturesAreReadToTheEnd) {
  // (file, malformed frames expected in it)
  const std::vector<std::pair<std::string, bool>> files = {
      {"badpackets.pcap", true},
      {"fuzz-2006-06-26-2594.pcap", true},
      {"ip_fragmented_garbage.pcap", true},
      {"dhcp-fuzz.pcapng", false},
      {"malformed_dns.pcap", false},
      {"fuzz-2021-10-13.pcap", false},
  };
  for (const auto& [name, malformed] : files) {
    const uint64_t records = testing::manifestPackets(testing::pcapDir(), name);
    expectCountedOnce(pcapPath(name), name, records);
    const CaptureFacts facts = testing::captureFacts(pcapPath(name));
    if (malformed) {
      EXPECT_GT(facts.malformed, 0u) << name;
    }
    std::cout << name << ": " << facts.records << " records, " << facts.malformed
              << " malformed: " << reasonsText(facts.reasons) << "\n";
  }
}

// The reasons each malformed capture is known for (the engine counts what the decoder says:
// checked above).
TEST(PacketEngineMalformedTest, MalformedCapturesHaveTheirReasons) {
  using decode::Reason;
  const std::vector<std::pair<std::string, std::vector<Reason>>> expected = {
      {"badpackets.pcap", {Reason::kBadIpv4Length}},  // datagrams longer than their frames
      {"fuzz-2006-06-26-2594.pcap",
       {Reason::kBadIpv4Header, Reason::kBadIpv4Length, Reason::kTruncatedTcp}},
      {"ip_fragmented_garbage.pcap", {Reason::kTruncatedTcp}},
  };
  for (const auto& [name, reasons] : expected) {
    const CaptureFacts facts = testing::captureFacts(pcapPath(name));
    for (Reason r : reasons) {
      EXPECT_GT(facts.reasons[size_t(r)], 0u)
          << name << ": no '" << decode::reasonName(r) << "' in " << reasonsText(facts.reasons);
    }
  }
}

// Byte offsets where each record of a classic pcap file starts (after the 24-byte header).
std::vector<size_t> recordOffsets(const std::string& bytes) {
  std::vector<size_t> out;
  for (size_t off = 24; off + 16 <= bytes.size();) {
    uint32_t caplen;
    std::memcpy(&caplen, bytes.data() + off + 8, 4);  // little-endian files only (asserted)
    if (off + 16 + caplen > bytes.size()) break;
    out.push_back(off);
    off += 16 + caplen;
  }
  return out;
}

TEST(PacketEngineMalformedTest, FileCutMidRecordIsReadToTheCut) {
  const std::string name = "smtp.pcap";
  std::ifstream in(pcapPath(name), std::ios::binary);
  const std::string full((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_EQ(uint8_t(full[0]), 0xd4);  // little-endian microsecond pcap
  const std::vector<size_t> offsets = recordOffsets(full);
  ASSERT_EQ(offsets.size(), testing::manifestPackets(testing::pcapDir(), name));
  const size_t keep = offsets.size() / 2;
  const size_t start = offsets[keep];  // record `keep` (0-based) is cut
  for (size_t cut : {start + 7, start + 16, start + 16 + 20}) {
    testing::TempFile file("cut-" + std::to_string(cut) + ".pcap");
    {
      std::ofstream out(file.path(), std::ios::binary);
      out.write(full.data(), std::streamsize(cut));
    }
    expectCountedOnce(file.path(), name + " cut at byte " + std::to_string(cut), keep);
  }
  // Cut inside the file header: not a capture at all, an error when the engine is created.
  testing::TempFile header("cut-header.pcap");
  {
    std::ofstream out(header.path(), std::ios::binary);
    out.write(full.data(), 10);
  }
  EngineConfig c;
  c.source.name = header.path();
  c.source.file = true;
  EXPECT_FALSE(PacketEngine::create(c, {}).ok());
}

// The same capture snapped at 96 bytes (as tcpdump -s 96 would keep it): flows keep their keys,
// packet and byte counts (bytes are on-the-wire lengths), and nothing becomes malformed.
TEST(PacketEngineMalformedTest, SnappedCaptureKeepsFlows) {
  for (const std::string name : {"webex.pcap", "dns_fragmented.pcap", "6in4tunnel.pcap"}) {
    int link = 0;
    std::vector<testing::Record> records = testing::readRecords(pcapPath(name), &link);
    ASSERT_FALSE(records.empty()) << name;
    size_t snapped = 0;
    for (testing::Record& r : records) {
      if (r.frame.size() > 96) {
        r.frame.resize(96);
        ++snapped;
      }
    }
    ASSERT_GT(snapped, 0u) << name;
    testing::TempFile file("snapped-" + name);
    ASSERT_TRUE(testing::writePcap(file.path(), link, records));
    auto whole = testing::runCapture(pcapPath(name));
    auto cut = testing::runCapture(file.path());
    ASSERT_NE(whole, nullptr);
    ASSERT_NE(cut, nullptr);
    const EngineTotals tw = whole->totals(), tc = cut->totals();
    EXPECT_EQ(tc.packets, tw.packets) << name;
    EXPECT_EQ(tc.bytes, tw.bytes) << name;
    EXPECT_EQ(tc.malformed, tw.malformed) << name << ": " << reasonsText(tc.malformed_by_reason);
    std::map<std::string, std::pair<uint64_t, uint64_t>> a, b;
    for (const flow::Flow& f : whole->flows()) {
      a[std::string(reinterpret_cast<const char*>(&f.key), sizeof(f.key))] = {f.packets(),
                                                                              f.bytes()};
    }
    for (const flow::Flow& f : cut->flows()) {
      b[std::string(reinterpret_cast<const char*>(&f.key), sizeof(f.key))] = {f.packets(),
                                                                              f.bytes()};
    }
    EXPECT_EQ(a, b) << name;
  }
}

}  // namespace
}  // namespace flowlens
