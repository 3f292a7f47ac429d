// DpiEngine on hand-built packets: detection, give-up, and the pool of nDPI flow states
// (huge blocks, reused once detection of a flow ends).

#include "dpi/dpi_engine.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "decode/decoder.h"
#include "dpi/custom_categories.h"
#include "flow/flow_key.h"
#include "frame_builder.h"
#include "util/huge_block.h"

namespace flowlens::dpi {
namespace {

using namespace decode::testing;  // NOLINT: the frame builder

constexpr uint16_t kNdpiDns = 5;  // NDPI_PROTOCOL_DNS

// A DNS query for `name`'s A record, or with `answer` the response that gives it that address.
Bytes dns(const std::string& name, const char* answer = nullptr) {
  Bytes b;
  for (int v : {0x1234, answer ? 0x8180 : 0x0100, 1, answer ? 1 : 0, 0, 0}) put16(b, uint16_t(v));
  size_t start = 0;
  while (start <= name.size()) {
    const size_t dot = std::min(name.find('.', start), name.size());
    put8(b, uint8_t(dot - start));
    for (size_t i = start; i < dot; ++i) put8(b, uint8_t(name[i]));
    start = dot + 1;
  }
  put8(b, 0);
  put16(b, 1);  // A
  put16(b, 1);  // IN
  if (answer != nullptr) {
    for (int v : {0xc00c, 1, 1, 0, 300, 4}) put16(b, uint16_t(v));  // name, A, IN, TTL, length
    for (uint8_t x : v4(answer)) put8(b, x);
  }
  return b;
}

// One frame's decoded packet and the flow it starts (the frame outlives the packet's use).
struct OnePacketFlow {
  Bytes frame;
  decode::DecodedPacket packet;
  flow::Flow flow;

  explicit OnePacketFlow(Bytes f) : frame(std::move(f)) {
    EXPECT_TRUE(decode::decodeFrame(1, frame.data(), uint32_t(frame.size()),
                                    uint32_t(frame.size()), 1'000'000, packet));
    bool src_is_lo;
    flow.key = flow::makeKey(packet, &src_is_lo);
    flow.lo_is_client = src_is_lo;
    flow.c2s.packets = 1;
  }
};

// A UDP datagram between high ports that nDPI cannot name from its first packet.
Bytes unknownUdp(int i) {
  const std::string src = "10.1." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1);
  return ethernet(0x0800, ipv4(src.c_str(), "10.2.0.1", 17,
                               udp(uint16_t(20000 + i % 1000), 33333, Bytes(40, 0x5a))));
}

class DpiEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto e = DpiEngine::create(DpiConfig{});
    ASSERT_TRUE(e) << e.error();
    engine = std::move(*e);
  }
  std::unique_ptr<DpiEngine> engine;
};

// The query names DNS; nDPI waits for the answer, which ends detection and frees the state.
TEST_F(DpiEngineTest, DnsIsDetectedAndItsStateReleasedAtTheAnswer) {
  OnePacketFlow flow(ethernet(0x0800, ipv4("10.0.0.1", "10.0.0.53", 17,
                                           udp(40000, 53, dns("www.example.com")))));
  engine->process(flow.flow, flow.packet);
  EXPECT_TRUE(flow.flow.app_proto == kNdpiDns || flow.flow.master_proto == kNdpiDns);
  EXPECT_EQ(engine->flowsInDetection(), 1u);
  OnePacketFlow answer(ethernet(0x0800, ipv4("10.0.0.53", "10.0.0.1", 17,
                                             udp(53, 40000, dns("www.example.com", "192.0.2.7")))));
  flow.flow.s2c.packets = 1;
  engine->process(flow.flow, answer.packet);
  EXPECT_TRUE(flow.flow.dpi_done);
  EXPECT_EQ(flow.flow.dpi_state, nullptr);
  EXPECT_EQ(engine->flowsInDetection(), 0u);
  ASSERT_NE(flow.flow.text, nullptr);
  EXPECT_EQ(flow.flow.text->server_name, "www.example.com");
  ASSERT_TRUE(flow.flow.text->dns_answer.has_value());
  EXPECT_EQ(flow.flow.text->dns_answer->toString(), "192.0.2.7");
}

// States come from the engine's arena (huge blocks); released states are reused, so a second
// wave of as many flows in detection takes no new block.
TEST_F(DpiEngineTest, StatesAreCarvedFromBlocksAndReused) {
  constexpr int kFlows = 5000;  // more than one block's worth (2 MiB / ~700 bytes)
  for (int wave = 0; wave < 2; ++wave) {
    std::vector<OnePacketFlow> flows;
    flows.reserve(kFlows);
    for (int i = 0; i < kFlows; ++i) {
      flows.emplace_back(unknownUdp(i));
      engine->process(flows.back().flow, flows.back().packet);
    }
    size_t in_detection = 0;
    for (const auto& f : flows) in_detection += f.flow.dpi_state != nullptr;
    EXPECT_EQ(engine->flowsInDetection(), in_detection);
    EXPECT_GT(in_detection, size_t(kFlows) / 2) << "nDPI named most of these: not a pool test";
    const size_t per_block = util::kHugeBlockBytes / 768;  // at most ~768 bytes a state
    EXPECT_GE(engine->memory().blocks(), 2u);
    EXPECT_LE(engine->memory().blocks(), (kFlows + per_block - 1) / per_block);
    EXPECT_GE(engine->memory().bytesInUse(), in_detection * 688);  // nDPI's state: 688 bytes
    for (auto& f : flows) engine->giveUp(f.flow);
    EXPECT_EQ(engine->flowsInDetection(), 0u);
  }
}

// A reused state starts clean: flows that take the states of named DNS flows learn no name.
TEST_F(DpiEngineTest, ReusedStatesCarryNothingOver) {
  constexpr int kFlows = 200;
  std::vector<OnePacketFlow> named;
  named.reserve(kFlows);
  for (int i = 0; i < kFlows; ++i) {
    const std::string src = "10.3.0." + std::to_string(i + 1);
    named.emplace_back(ethernet(0x0800, ipv4(src.c_str(), "10.0.0.53", 17,
                                             udp(40000, 53, dns("dirty.example.net")))));
    engine->process(named.back().flow, named.back().packet);
  }
  for (auto& f : named) {
    engine->giveUp(f.flow);  // the states go back to the pool with the name written in them
    ASSERT_NE(f.flow.text, nullptr);
    EXPECT_EQ(f.flow.text->server_name, "dirty.example.net");
  }
  const size_t blocks = engine->memory().blocks();
  for (int i = 0; i < kFlows; ++i) {
    OnePacketFlow reuse(unknownUdp(i));
    engine->process(reuse.flow, reuse.packet);
    engine->giveUp(reuse.flow);
    EXPECT_TRUE(reuse.flow.text == nullptr || reuse.flow.text->server_name.empty())
        << "flow " << i << " inherited " << reuse.flow.text->server_name;
  }
  EXPECT_EQ(engine->memory().blocks(), blocks) << "the states were not reused";
}

// What nDPI allocates for a flow (here an HTTP User-Agent it copies) comes from the engine's
// FlowMemory and goes back to it when the flow's detection ends.
TEST_F(DpiEngineTest, NdpiFlowAllocationsUseTheEnginesMemory) {
  const auto request = [](const char* client) {
    const std::string http =
        "GET /index.html HTTP/1.1\r\nHost: www.example.com\r\n"
        "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0\r\n"
        "Accept: */*\r\n\r\n";
    return OnePacketFlow(ethernet(0x0800, ipv4(client, "10.0.0.80", 6,
                                               tcp(40000, 80, Bytes(http.begin(), http.end())))));
  };
  OnePacketFlow first = request("10.0.0.1");  // nDPI's caches made on first use stay after it
  engine->process(first.flow, first.packet);
  engine->giveUp(first.flow);
  const size_t base = engine->memory().bytesInUse();
  OnePacketFlow second = request("10.0.0.2");
  engine->process(second.flow, second.packet);
  ASSERT_NE(second.flow.dpi_state, nullptr) << "detection ended at the request: nothing to see";
  EXPECT_GT(engine->memory().bytesInUse(), base);
  engine->giveUp(second.flow);
  EXPECT_EQ(engine->memory().bytesInUse(), base);
  ASSERT_NE(second.flow.text, nullptr);
  EXPECT_NE(second.flow.text->user_agent.find("Firefox/115.0"), std::string::npos);
}

// A flow that opens with a bare SYN (a port scan's, mostly) takes no nDPI state until its next
// packet: the SYN waits in the engine's arena, and nDPI gets it first when the flow goes on or
// when detection ends, which then guesses as it would have from the SYN.
TEST_F(DpiEngineTest, AnOpeningSynWaitsForTheFlowsNextPacket) {
  constexpr uint16_t kNdpiHttp = 7;  // NDPI_PROTOCOL_HTTP, nDPI's guess for TCP port 80
  constexpr int kScans = 3000;       // more SYNs than a block holds states
  const auto syn = [](int i) {
    const std::string src = "10.4." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1);
    return ethernet(0x0800, ipv4(src.c_str(), "10.9.0.1", 6, tcp(40000, 80, {})));
  };
  const size_t base = engine->memory().bytesInUse();
  std::vector<OnePacketFlow> flows;
  flows.reserve(kScans);
  for (int i = 0; i < kScans; ++i) {
    flows.emplace_back(syn(i));
    engine->process(flows.back().flow, flows.back().packet);
    ASSERT_TRUE(flows.back().flow.dpi_deferred);
  }
  EXPECT_EQ(engine->flowsInDetection(), size_t(kScans));
  EXPECT_GT(engine->memory().bytesInUse(), base + kScans * 40);
  EXPECT_LT(engine->memory().bytesInUse(), base + kScans * 160) << "SYNs took nDPI states";
  const size_t deferred = engine->memory().bytesInUse();

  // The first flow goes on: its SYN is inspected, then the SYN-ACK, in one state.
  OnePacketFlow syn_ack(ethernet(0x0800, ipv4("10.9.0.1", "10.4.0.1", 6,
                                              tcp(80, 40000, {}, {.seq = 5000, .ack = 1001,
                                                                   .flags = decode::kTcpSyn |
                                                                            decode::kTcpAck}))));
  flow::Flow& first = flows[0].flow;
  first.s2c.packets = 1;
  engine->process(first, syn_ack.packet);
  EXPECT_FALSE(first.dpi_deferred);
  EXPECT_NE(first.dpi_state, nullptr);
  EXPECT_EQ(first.dpi_packets, 2);
  EXPECT_GE(engine->memory().bytesInUse(), deferred + 688 - 160) << "no state for the flow";

  for (auto& f : flows) {
    engine->giveUp(f.flow);
    ASSERT_TRUE(f.flow.dpi_done);
    ASSERT_EQ(f.flow.dpi_state, nullptr);
    EXPECT_TRUE(f.flow.app_proto == kNdpiHttp || f.flow.master_proto == kNdpiHttp);
  }
  EXPECT_TRUE(flows[1].flow.dpi_guessed);
  EXPECT_EQ(engine->flowsInDetection(), 0u);
  EXPECT_LT(engine->memory().bytesInUse(), base + 4096) << "the SYNs' memory was not freed";
}

// nDPI names Targus GetData from a bare SYN to port 5201: the deferred SYN, replayed before the
// SYN-ACK, ends detection there, and the SYN-ACK is not inspected, as it would not have been.
TEST_F(DpiEngineTest, ASynThatEndsDetectionEndsItWhenReplayed) {
  constexpr uint16_t kNdpiTargus = 243;  // NDPI_PROTOCOL_TARGUS_GETDATA
  OnePacketFlow flow(ethernet(0x0800, ipv4("10.4.0.1", "10.9.0.1", 6, tcp(40000, 5201, {}))));
  engine->process(flow.flow, flow.packet);
  ASSERT_TRUE(flow.flow.dpi_deferred);
  OnePacketFlow syn_ack(ethernet(0x0800, ipv4("10.9.0.1", "10.4.0.1", 6,
                                              tcp(5201, 40000, {}, {.seq = 5000, .ack = 1001,
                                                                     .flags = decode::kTcpSyn |
                                                                              decode::kTcpAck}))));
  flow.flow.s2c.packets = 1;
  engine->process(flow.flow, syn_ack.packet);
  EXPECT_TRUE(flow.flow.dpi_done);
  EXPECT_FALSE(flow.flow.dpi_guessed);
  EXPECT_EQ(flow.flow.app_proto, kNdpiTargus);
  EXPECT_EQ(flow.flow.dpi_packets, 1) << "the SYN-ACK went to nDPI after detection had ended";
  EXPECT_EQ(engine->flowsInDetection(), 0u);
}

// Custom protocols (-p) can name a bare SYN by port or address: with them loaded no SYN waits.
TEST(DpiEngineCustomTest, WithCustomProtocolsASynIsInspectedAtOnce) {
  const std::string path = ::testing::TempDir() + "/flowlens_syn_protos.txt";
  {
    std::ofstream out(path);
    out << "tcp:8443@AltTls\n";
  }
  auto e = DpiEngine::create(DpiConfig{path, nullptr});
  ASSERT_TRUE(e) << e.error();
  DpiEngine& engine = **e;
  OnePacketFlow flow(ethernet(0x0800, ipv4("10.4.0.1", "10.9.0.1", 6, tcp(40000, 8443, {}))));
  engine.process(flow.flow, flow.packet);
  EXPECT_FALSE(flow.flow.dpi_deferred);
  EXPECT_TRUE(flow.flow.dpi_done) << "nDPI names the custom protocol from the SYN";
  EXPECT_GE(flow.flow.app_proto, 256) << "not the custom protocol";
  std::remove(path.c_str());
}

// Custom categories apply when a flow's detection ends; the engine keeps a snapshot of them and
// takes the published set again after each change (a reload, a protocol's category).
TEST(DpiEngineCustomTest, CustomCategoriesApplyAndFollowEachChange) {
  CustomCategories cats;
  auto e = DpiEngine::create(DpiConfig{"", &cats});
  ASSERT_TRUE(e) << e.error();
  DpiEngine& engine = **e;
  int next = 0;
  const auto categoryOf = [&](const std::string& name) {  // a DNS query and its answer
    const std::string client = "10.0.0." + std::to_string(++next);
    OnePacketFlow query(ethernet(0x0800, ipv4(client.c_str(), "10.0.0.53", 17,
                                              udp(40000, 53, dns(name)))));
    engine.process(query.flow, query.packet);
    OnePacketFlow answer(ethernet(0x0800, ipv4("10.0.0.53", client.c_str(), 17,
                                               udp(53, 40000, dns(name, "192.0.2.7")))));
    query.flow.s2c.packets = 1;
    engine.process(query.flow, answer.packet);
    EXPECT_TRUE(query.flow.dpi_done) << name;
    return query.flow.category;
  };
  const uint16_t plain = categoryOf("www.example.com");
  constexpr uint16_t kMalware = 100, kStreaming = 17, kGame = 8;
  ASSERT_NE(plain, kMalware);
  ASSERT_NE(plain, kStreaming);
  ASSERT_NE(plain, kGame);
  cats.setProtocolCategory(kNdpiDns, kGame);  // a set with only a protocol's category
  EXPECT_EQ(categoryOf("www.example.net"), kGame);
  cats.setProtocolCategory(kNdpiDns, plain);
  EXPECT_EQ(categoryOf("www.example.net"), plain);
  cats.beginReload();
  ASSERT_TRUE(cats.addHost(kMalware, "example.com").ok());
  EXPECT_EQ(categoryOf("www.example.com"), plain) << "applied before the reload was finalised";
  cats.finalizeReload();
  EXPECT_EQ(categoryOf("www.example.com"), kMalware);
  EXPECT_EQ(categoryOf("www.example.org"), plain);
  cats.setProtocolCategory(kNdpiDns, kStreaming);
  EXPECT_EQ(categoryOf("www.example.org"), kStreaming);
  EXPECT_EQ(categoryOf("www.example.com"), kMalware) << "the host's category comes first";
}

}  // namespace
}  // namespace flowlens::dpi
