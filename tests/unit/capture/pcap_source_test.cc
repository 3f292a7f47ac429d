// PcapSource's own reader of classic pcap files: a packet it hands out stays valid until its
// second buffer turn after the packet was read (what lets the packet engine read ahead), across
// records of every size, one larger than a whole buffer included.

#include "capture/pcap_source.h"

#include <gtest/gtest.h>

#include <cstring>
#include <deque>
#include <vector>

#include "pcap_facts.h"

namespace flowlens::capture {
namespace {

// Record i: `size` bytes, its index in the first four, then (i & 0xff) repeated.
std::vector<uint8_t> recordBytes(uint32_t i, size_t size) {
  std::vector<uint8_t> b(size, uint8_t(i));
  std::memcpy(b.data(), &i, 4);
  return b;
}

bool intact(const uint8_t* data, uint32_t len, uint32_t i) {
  const std::vector<uint8_t> want = recordBytes(i, len);
  return std::memcmp(data, want.data(), len) == 0;
}

TEST(PcapSourceTest, ClassicPacketsStayValidUntilTheirSecondBufferTurn) {
  std::vector<testing::Record> records;
  for (uint32_t i = 0; i < 4000; ++i) {
    const size_t size = i == 1500 ? (300u << 10) : 60 + (i * 7919) % 1441;  // one > a buffer
    records.push_back({1'000'000 + i, recordBytes(i, size)});
  }
  testing::TempFile file("read-ahead.pcap");
  ASSERT_TRUE(testing::writePcap(file.path(), 1, records));

  auto source = PcapSource::open({.name = file.path(), .file = true});
  ASSERT_TRUE(source) << source.error();
  ASSERT_TRUE(source->keepsPackets());
  struct Held {
    const uint8_t* data;
    uint32_t len, index;
    uint64_t generation;
  };
  std::deque<Held> held;  // every packet still promised valid
  CapturedPacket c;
  uint32_t n = 0, damaged = 0;
  while (source->next(&c) == PcapSource::Next::kPacket) {
    ASSERT_LT(n, records.size());
    ASSERT_EQ(c.cap_len, records[n].frame.size()) << "record " << n;
    held.push_back({c.data, c.cap_len, n, source->generation()});
    while (held.front().generation + 1 < source->generation()) held.pop_front();
    for (const Held& h : held) damaged += intact(h.data, h.len, h.index) ? 0 : 1;
    ++n;
  }
  EXPECT_EQ(n, records.size());
  EXPECT_EQ(damaged, 0u) << "packets overwritten before their second buffer turn";
  EXPECT_GT(source->generation(), 8u) << "the file should take several buffer turns";
  EXPECT_TRUE(source->lastError().empty()) << source->lastError();
}

TEST(PcapSourceTest, LibpcapSourcesKeepNothing) {
  std::vector<testing::Record> records;
  for (uint32_t i = 0; i < 10; ++i) records.push_back({1'000'000 + i, recordBytes(i, 100)});
  testing::TempFile file("through-libpcap.pcap");
  ASSERT_TRUE(testing::writePcap(file.path(), 1, records));
  auto source = PcapSource::open({.name = file.path(), .file = true, .bpf_filter = "len >= 0"});
  ASSERT_TRUE(source) << source.error();
  EXPECT_FALSE(source->keepsPackets());
  CapturedPacket c;
  uint32_t n = 0;
  while (source->next(&c) == PcapSource::Next::kPacket) {
    EXPECT_TRUE(intact(c.data, c.cap_len, n)) << "record " << n;
    ++n;
  }
  EXPECT_EQ(n, records.size());
  EXPECT_EQ(source->generation(), 0u);
}

}  // namespace
}  // namespace flowlens::capture
