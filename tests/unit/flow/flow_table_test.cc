// FlowTable: find/create/erase over many keys, probe runs of colliding hashes (the tests choose
// the hashes, so a tiny table makes every key collide), backward-shift deletion in the middle of
// runs and across the end of the slot array, the cap, eraseIf and serials.

#include "flow/flow_table.h"

#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <map>
#include <random>
#include <set>
#include <vector>

namespace flowlens::flow {
namespace {

// A distinct IPv4 TCP key per integer.
FlowKey keyOf(uint32_t i) {
  decode::DecodedPacket p;
  p.ip_version = 4;
  p.l4_proto = 6;
  p.src_ip = {10, uint8_t(i >> 16), uint8_t(i >> 8), uint8_t(i)};
  p.dst_ip = {192, 168, 0, 1};
  p.src_port = uint16_t(1024 + i % 50000);
  p.dst_port = 443;
  bool src_is_lo;
  return makeKey(p, &src_is_lo);
}

Flow* create(FlowTable& t, uint32_t i, uint64_t hash) {
  bool created = false;
  Flow* f = t.findOrCreate(keyOf(i), hash, &created);
  EXPECT_NE(f, nullptr) << i;
  EXPECT_TRUE(created) << i;
  return f;
}

TEST(FlowKeyTest, BothDirectionsMakeOneKey) {
  decode::DecodedPacket a;
  a.ip_version = 4;
  a.l4_proto = 17;
  a.vlan_id = 5;
  a.src_ip = {10, 0, 0, 9};
  a.dst_ip = {10, 0, 0, 1};
  a.src_port = 53;
  a.dst_port = 40000;
  decode::DecodedPacket b = a;
  std::swap(b.src_ip, b.dst_ip);
  std::swap(b.src_port, b.dst_port);
  bool a_lo, b_lo;
  const FlowKey ka = makeKey(a, &a_lo), kb = makeKey(b, &b_lo);
  EXPECT_EQ(ka, kb);
  EXPECT_EQ(hashKey(ka), hashKey(kb));
  EXPECT_NE(a_lo, b_lo);
  EXPECT_FALSE(a_lo);  // 10.0.0.9 > 10.0.0.1
  EXPECT_EQ(ka.lo.port, 40000);
  EXPECT_EQ(ka.vlan, 5);
  // Same addresses, ports decide; VLAN and protocol are part of the key.
  b = a;
  b.dst_ip = a.src_ip;
  bool lo;
  EXPECT_TRUE(makeKey(b, &lo).lo.port == 53 && lo);  // 53 < 40000: the sender is lo
  b = a;
  b.vlan_id = 6;
  EXPECT_FALSE(makeKey(b, &lo) == ka);
  b = a;
  b.l4_proto = 6;
  EXPECT_FALSE(makeKey(b, &lo) == ka);
}

// Addresses are ordered byte by byte, as memcmp orders them (keys stay as they were): pairs
// equal up to a byte of either word and random after it (so byte and word order both matter),
// pairs differing only in that byte, equal pairs and wholly random ones.
TEST(FlowKeyTest, AddressesAreOrderedAsMemcmpOrdersThem) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 20000; ++round) {
    std::array<uint8_t, 16> a, b;
    for (auto& x : a) x = uint8_t(rng());
    b = a;
    const int at = int(rng() % 17);  // 16: equal
    if (at < 16) {
      b[at] = uint8_t(b[at] ^ (rng() % 2 ? 0x80 : 1 + rng() % 255));
      if (round % 4 != 0) {
        for (int j = at + 1; j < 16; ++j) b[j] = uint8_t(rng());
      }
    }
    if (round % 10 == 0) {
      for (auto& x : b) x = uint8_t(rng());
    }
    const int want = std::memcmp(a.data(), b.data(), 16);
    const int got = compareAddresses(a, b);
    EXPECT_EQ(got < 0, want < 0) << "round " << round;
    EXPECT_EQ(got == 0, want == 0) << "round " << round;
  }
}

// The index starts small and doubles: keys whose hashes all collide in the small index (long
// probe runs that growing must spread out) stay findable and erasable across every doubling.
TEST(FlowTableTest, GrowingKeepsEveryKeyFindable) {
  constexpr uint32_t kN = 12000;  // three doublings past the first index
  FlowTable t(kN);
  std::vector<Flow*> flows;
  const auto hashOf = [](uint32_t i) { return (uint64_t(i) << 11) | (i % 7); };
  for (uint32_t i = 0; i < kN; ++i) {
    flows.push_back(create(t, i, hashOf(i)));
    if (i % 997 == 0) {  // check along the way, across the doublings
      for (uint32_t j = 0; j <= i; j += 7) ASSERT_EQ(t.find(keyOf(j), hashOf(j)), flows[j]) << j;
    }
  }
  for (uint32_t i = 0; i < kN; i += 2) t.erase(flows[i]);
  for (uint32_t i = 0; i < kN; ++i) {
    EXPECT_EQ(t.find(keyOf(i), hashOf(i)), i % 2 == 0 ? nullptr : flows[i]) << i;
  }
  EXPECT_EQ(t.size(), kN / 2);
}

TEST(FlowTableTest, ManyKeys) {
  constexpr uint32_t kN = 20000;
  FlowTable t(kN);
  std::vector<Flow*> flows;
  for (uint32_t i = 0; i < kN; ++i) flows.push_back(create(t, i, hashKey(keyOf(i))));
  EXPECT_EQ(t.size(), kN);
  EXPECT_EQ(t.created(), kN);
  for (uint32_t i = 0; i < kN; ++i) {
    const FlowKey k = keyOf(i);
    ASSERT_EQ(t.find(k, hashKey(k)), flows[i]) << i;
    bool created = true;
    ASSERT_EQ(t.findOrCreate(k, hashKey(k), &created), flows[i]) << i;  // addresses are stable
    EXPECT_FALSE(created);
    EXPECT_EQ(flows[i]->key, k);
  }
  EXPECT_EQ(t.find(keyOf(kN), hashKey(keyOf(kN))), nullptr);
  // Erase every third, then check all of them.
  for (uint32_t i = 0; i < kN; i += 3) t.erase(flows[i]);
  EXPECT_EQ(t.size(), kN - (kN + 2) / 3);
  for (uint32_t i = 0; i < kN; ++i) {
    const FlowKey k = keyOf(i);
    EXPECT_EQ(t.find(k, hashKey(k)), i % 3 == 0 ? nullptr : flows[i]) << i;
  }
  // Erased keys come back as new flows.
  for (uint32_t i = 0; i < kN; i += 3) create(t, i, hashKey(keyOf(i)));
  EXPECT_EQ(t.size(), kN);
  EXPECT_EQ(t.created(), kN + (kN + 2) / 3);
  EXPECT_EQ(t.dropped(), 0u);
}

TEST(FlowTableTest, EqualHashesDifferentKeys) {
  FlowTable t(8);  // 16 slots
  std::vector<Flow*> flows;
  for (uint32_t i = 0; i < 8; ++i) flows.push_back(create(t, i, 0x5));
  for (uint32_t i = 0; i < 8; ++i) EXPECT_EQ(t.find(keyOf(i), 0x5), flows[i]) << i;
  // A key is found only with its own hash.
  EXPECT_EQ(t.find(keyOf(0), 0x15), nullptr);
  // Remove the middle of the run, then its head, then its tail.
  for (uint32_t gone : {3u, 0u, 7u}) {
    t.erase(flows[gone]);
    flows[gone] = nullptr;
    for (uint32_t i = 0; i < 8; ++i) EXPECT_EQ(t.find(keyOf(i), 0x5), flows[i]) << gone << "/" << i;
  }
}

TEST(FlowTableTest, DifferentHashesSameSlot) {
  FlowTable t(8);  // mask 15: these hashes all start probing at slot 14
  const uint64_t hashes[] = {0x0e, 0x1e, 0xfe, 0x12345678'0000000eull, 0xffffffff'ffffffeeull};
  std::vector<Flow*> flows;
  for (uint32_t i = 0; i < 5; ++i) flows.push_back(create(t, i, hashes[i]));
  // The run wraps: slots 14, 15, 0, 1, 2. Add keys whose home is inside the wrapped part.
  flows.push_back(create(t, 5, 0x00));
  flows.push_back(create(t, 6, 0x01));
  for (uint32_t i = 0; i < 7; ++i) {
    EXPECT_EQ(t.find(keyOf(i), i < 5 ? hashes[i] : i - 5), flows[i]) << i;
  }
  // Erasing the run's first members must shift the wrapped ones back without losing 5 and 6.
  t.erase(flows[0]);
  t.erase(flows[1]);
  for (uint32_t i = 2; i < 7; ++i) {
    EXPECT_EQ(t.find(keyOf(i), i < 5 ? hashes[i] : i - 5), flows[i]) << i;
  }
}

// Random operations on a tiny table whose hashes crowd into a few homes near the end of the slot
// array (runs wrap), checked after every step against a map.
TEST(FlowTableTest, BackwardShiftKeepsEveryKeyFindable) {
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    std::mt19937_64 rng(seed);
    constexpr uint32_t kMax = 16;  // 32 slots
    FlowTable t(kMax);
    std::map<uint32_t, std::pair<uint64_t, Flow*>> live;  // key id -> (hash, flow)
    auto hashFor = [&](uint32_t) {
      const uint64_t homes[] = {29, 30, 31, 0, 1, 15};
      return (rng() << 8) | homes[rng() % 6];  // high bits differ, low 5 bits collide
    };
    uint32_t next_id = 0;
    for (int step = 0; step < 3000; ++step) {
      const bool grow = live.size() < kMax && (live.empty() || rng() % 3 != 0);
      if (grow) {
        const uint32_t id = next_id++;
        const uint64_t h = hashFor(id);
        live[id] = {h, create(t, id, h)};
      } else {
        auto it = live.begin();
        std::advance(it, long(rng() % live.size()));
        t.erase(it->second.second);
        const uint32_t id = it->first;
        const uint64_t h = it->second.first;
        live.erase(it);
        ASSERT_EQ(t.find(keyOf(id), h), nullptr) << "seed " << seed << " step " << step;
      }
      ASSERT_EQ(t.size(), live.size());
      for (const auto& [id, hf] : live) {
        ASSERT_EQ(t.find(keyOf(id), hf.first), hf.second)
            << "seed " << seed << " step " << step << " key " << id;
      }
    }
  }
}

TEST(FlowTableTest, CapRefusesAndCountsThenAllowsAfterErase) {
  FlowTable t(4);
  EXPECT_EQ(t.capacity(), 4u);
  std::vector<Flow*> flows;
  for (uint32_t i = 0; i < 4; ++i) flows.push_back(create(t, i, hashKey(keyOf(i))));
  bool created = true;
  EXPECT_EQ(t.findOrCreate(keyOf(4), hashKey(keyOf(4)), &created), nullptr);
  EXPECT_FALSE(created);
  EXPECT_EQ(t.findOrCreate(keyOf(5), hashKey(keyOf(5)), &created), nullptr);
  EXPECT_EQ(t.dropped(), 2u);
  EXPECT_EQ(t.size(), 4u);
  // Existing flows are still found while full, without counting a drop.
  EXPECT_EQ(t.findOrCreate(keyOf(2), hashKey(keyOf(2)), &created), flows[2]);
  EXPECT_FALSE(created);
  EXPECT_EQ(t.dropped(), 2u);
  EXPECT_EQ(t.find(keyOf(4), hashKey(keyOf(4))), nullptr);
  // Room again after an erase.
  t.erase(flows[1]);
  Flow* f = create(t, 4, hashKey(keyOf(4)));
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(t.size(), 4u);
  EXPECT_EQ(t.created(), 5u);
  EXPECT_EQ(t.dropped(), 2u);
  EXPECT_EQ(t.findOrCreate(keyOf(1), hashKey(keyOf(1)), &created), nullptr);
  EXPECT_EQ(t.dropped(), 3u);
}

TEST(FlowTableTest, ZeroCapacityMeansOne) {
  FlowTable t(0);
  EXPECT_EQ(t.capacity(), 1u);
  create(t, 0, 1);
  bool created;
  EXPECT_EQ(t.findOrCreate(keyOf(1), 1, &created), nullptr);
}

// Housekeeping walks the table in slices: every flow is visited once across the slices, the
// chosen ones are erased, and flows created between slices are visited by a later slice.
TEST(FlowTableTest, EraseIfInSlicesVisitsEachFlowOnce) {
  for (size_t slice : {1u, 7u, 64u, 1000u, 5000u}) {
    FlowTable t(2000);
    for (uint32_t i = 0; i < 1000; ++i) create(t, i, hashKey(keyOf(i)))->c2s.packets = i;
    std::multiset<uint64_t> visited;
    size_t pos = 0, slices = 0;
    uint32_t next_new = 1000;
    do {
      pos = t.eraseIfIn(pos, slice, [&](Flow& f) {
        visited.insert(f.c2s.packets);
        return f.c2s.packets % 3 == 0;
      });
      // A packet thread creates flows between two slices.
      if (++slices % 4 == 0 && next_new < 1100) {
        create(t, next_new, hashKey(keyOf(next_new)))->c2s.packets = next_new;
        ++next_new;
      }
    } while (pos < t.size());
    const std::string what = "slice " + std::to_string(slice);
    EXPECT_EQ(visited.size(), next_new) << what;
    EXPECT_EQ(std::set<uint64_t>(visited.begin(), visited.end()).size(), next_new) << what;
    for (uint32_t i = 0; i < next_new; ++i) {
      const FlowKey k = keyOf(i);
      EXPECT_EQ(t.find(k, hashKey(k)) == nullptr, i % 3 == 0) << what << " flow " << i;
    }
    if (slice < 1000) {
      EXPECT_GT(slices, 1u) << what;
    }
  }
}

TEST(FlowTableTest, EraseIfVisitsEachFlowOnce) {
  FlowTable t(1000);
  for (uint32_t i = 0; i < 1000; ++i) create(t, i, hashKey(keyOf(i)))->c2s.packets = i;
  std::multiset<uint64_t> visited;
  const size_t erased = t.eraseIf([&](Flow& f) {
    visited.insert(f.c2s.packets);
    return f.c2s.packets % 2 == 0;
  });
  EXPECT_EQ(erased, 500u);
  EXPECT_EQ(visited.size(), 1000u);
  EXPECT_EQ(std::set<uint64_t>(visited.begin(), visited.end()).size(), 1000u);
  EXPECT_EQ(t.size(), 500u);
  for (uint32_t i = 0; i < 1000; ++i) {
    const FlowKey k = keyOf(i);
    Flow* f = t.find(k, hashKey(k));
    if (i % 2 == 0) {
      EXPECT_EQ(f, nullptr) << i;
    } else {
      ASSERT_NE(f, nullptr) << i;
      EXPECT_EQ(f->c2s.packets, i);
    }
  }
  size_t n = 0;
  t.forEach([&](const Flow&) { ++n; });
  EXPECT_EQ(n, 500u);
  EXPECT_EQ(t.eraseIf([](Flow&) { return true; }), 500u);
  EXPECT_EQ(t.size(), 0u);
  t.forEach([&](Flow&) { ADD_FAILURE() << "visited a flow of an empty table"; });
  EXPECT_EQ(t.eraseIf([](Flow&) { return false; }), 0u);
  create(t, 7, hashKey(keyOf(7)));  // usable again
  EXPECT_EQ(t.size(), 1u);
}

TEST(FlowTableTest, SerialsAreUniqueAndNewFlowsStartClean) {
  FlowTable t(16);
  std::set<uint32_t> serials;
  uint32_t last = 0;
  std::vector<Flow*> flows;
  for (uint32_t i = 0; i < 16; ++i) {
    Flow* f = create(t, i, hashKey(keyOf(i)));
    EXPECT_GT(f->serial, last);
    last = f->serial;
    serials.insert(f->serial);
    f->c2s.packets = 99;
    f->app_proto = 7;
    flows.push_back(f);
  }
  EXPECT_EQ(t.find(keyOf(3), hashKey(keyOf(3)))->serial, flows[3]->serial);
  // A key erased and seen again is a new flow: new serial, no counters carried over, even when
  // it reuses the pool entry.
  const uint32_t old_serial = flows[3]->serial;
  t.erase(flows[3]);
  Flow* again = create(t, 3, hashKey(keyOf(3)));
  EXPECT_GT(again->serial, last);
  EXPECT_NE(again->serial, old_serial);
  EXPECT_EQ(again->c2s.packets, 0u);
  EXPECT_EQ(again->app_proto, 0);
  EXPECT_EQ(again->key, keyOf(3));
  EXPECT_FALSE(serials.count(again->serial));
}

}  // namespace
}  // namespace flowlens::flow

namespace flowlens::flow {
namespace {

// A scan by pool slot in chunks, with flows erased between the chunks (as housekeeping does
// while a reader has let go of the lock): every flow that stays is seen exactly once. A scan
// by live-list position would miss the flows swapped into erased places behind it.
TEST(FlowTableTest, SlotScanSeesEveryStayingFlowOnceDespiteErasures) {
  FlowTable t(100000);
  std::vector<Flow*> flows;
  std::vector<uint32_t> serials;
  for (uint32_t i = 0; i < 1000; ++i) {
    flows.push_back(create(t, i, i * 2654435761u));
    serials.push_back(flows.back()->serial);
  }
  std::map<uint32_t, int> seen;  // serial -> times
  std::set<uint32_t> erased;     // indexes into flows
  size_t slot = 0;
  int round = 0;
  while (slot < t.slotEnd()) {
    slot = t.forEachSlotIn(slot, 64, [&](const Flow& f) { ++seen[f.serial]; });
    // Erase some flows behind and ahead of the scan: the newest ones get swapped into the gaps.
    for (uint32_t k = uint32_t(round * 37) % 1000; k < 1000; k += 97) {
      if (erased.insert(k).second) t.erase(flows[k]);
    }
    ++round;
  }
  for (uint32_t k = 0; k < 1000; ++k) {
    if (erased.count(k)) {
      EXPECT_LE(seen[serials[k]], 1) << k;
    } else {
      EXPECT_EQ(seen[serials[k]], 1) << "flow " << k << " staying";
    }
  }
  EXPECT_EQ(1000 - erased.size(), t.size());
  EXPECT_GT(erased.size(), 50u);
}

}  // namespace
}  // namespace flowlens::flow
