// HostPools over a real embedded store (ntopng's keys) and OwnedLock, the pools lock.

#include "host/host_pools.h"

#include <gtest/gtest.h>

#include <thread>

#include "../store/store_test_util.h"  // TempDir
#include "host/host.h"
#include "store/embedded_store.h"
#include "util/owned_lock.h"

namespace flowlens::host {
namespace {

util::IpAddress ip(const char* text) { return *util::parseIp(text); }

TEST(HostPoolsTest, MembersParse) {
  auto m = HostPools::parseMember("10.1.0.0/16@7");
  ASSERT_TRUE(m.ok()) << m.error();
  EXPECT_FALSE(m->is_mac);
  EXPECT_EQ(m->prefix.toString(), "10.1.0.0/16");
  EXPECT_EQ(m->vlan, 7);
  const auto host = HostPools::parseMember("10.1.2.3");
  ASSERT_TRUE(host.ok());
  EXPECT_EQ(host->prefix.bits, 32);
  const auto v6 = HostPools::parseMember("fd00::1/64@3");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->prefix.toString(), "fd00::/64");
  EXPECT_EQ(v6->vlan, 3);
  const auto mac = HostPools::parseMember("aa:bb:cc:dd:ee:ff");
  ASSERT_TRUE(mac.ok());
  EXPECT_TRUE(mac->is_mac);
  for (const char* bad : {"", "10.1.2.300", "10.0.0.0/33", "10.0.0.1/-0", "10.0.0.1/", "10.0.0.1@4096", "10.0.0.1@x",
                          "aa:bb:cc:dd:ee", "host.example"}) {
    EXPECT_FALSE(HostPools::parseMember(bad).ok()) << bad;
  }
}

class HostPoolsStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::EmbeddedStore::open({dir_.file("kv.sqlite")});
    ASSERT_TRUE(s.ok()) << s.error();
    kv_ = std::move(*s);
  }
  void member(const std::string& id, const std::string& m) {
    ASSERT_TRUE(kv_->sadd(HostPools::kPoolIdsKey, id).ok());
    ASSERT_TRUE(kv_->sadd(HostPools::kMembersPrefix + id, m).ok());
  }
  store::testutil::TempDir dir_;
  std::unique_ptr<store::EmbeddedStore> kv_;
  HostPools pools_;
};

TEST_F(HostPoolsStoreTest, LongestNetworkOnTheVlanAndMacFirst) {
  member("1", "10.0.0.0/8");
  member("2", "10.1.0.0/16");
  member("3", "10.1.0.0/16@5");
  member("4", "02:00:00:00:00:01");
  member("5", "2001:db8::/32");
  ASSERT_TRUE(pools_.reload(*kv_).ok());
  EXPECT_TRUE(pools_.anyMembers());
  const auto s = pools_.snapshot();
  EXPECT_EQ(s->poolOf(ip("10.9.9.9"), 0, nullptr), 1);
  EXPECT_EQ(s->poolOf(ip("10.1.2.3"), 0, nullptr), 2) << "the longer network";
  EXPECT_EQ(s->poolOf(ip("10.1.2.3"), 5, nullptr), 3) << "on VLAN 5";
  EXPECT_EQ(s->poolOf(ip("10.9.9.9"), 5, nullptr), 0) << "no network on VLAN 5 holds it";
  EXPECT_EQ(s->poolOf(ip("192.0.2.1"), 0, nullptr), 0);
  EXPECT_EQ(s->poolOf(ip("2001:db8::5"), 0, nullptr), 5);
  const std::array<uint8_t, 6> mac{2, 0, 0, 0, 0, 1}, other{2, 0, 0, 0, 0, 2};
  bool by_mac = false;
  EXPECT_EQ(s->poolOf(ip("10.1.2.3"), 0, &mac, &by_mac), 4);
  EXPECT_TRUE(by_mac);
  EXPECT_EQ(s->poolOf(ip("10.1.2.3"), 0, &other, &by_mac), 2);
  EXPECT_FALSE(by_mac);

  Host h;
  h.ip = ip("10.1.2.3");
  pools_.assign(h);
  EXPECT_EQ(h.pool_id, 2);
  h.has_mac = true;
  h.mac = mac;
  pools_.assign(h);
  EXPECT_EQ(h.pool_id, 4);
  EXPECT_TRUE(h.pool_by_mac);
}

// A member several pools list goes to the lowest pool id, whatever order the store keeps.
TEST_F(HostPoolsStoreTest, AMemberOfSeveralPoolsGoesToTheLowestId) {
  member("7", "10.0.0.0/8");
  member("3", "10.0.0.0/8");
  member("9", "10.0.0.0/8");
  member("8", "02:00:00:00:00:01");
  member("4", "02:00:00:00:00:01");
  ASSERT_TRUE(pools_.reload(*kv_).ok());
  const std::array<uint8_t, 6> mac{2, 0, 0, 0, 0, 1};
  EXPECT_EQ(pools_.snapshot()->poolOf(ip("10.1.1.1"), 0, nullptr), 3);
  EXPECT_EQ(pools_.snapshot()->poolOf(ip("10.1.1.1"), 0, &mac), 4);
  EXPECT_TRUE(pools_.anyMacMembers());
}

// Many members: each length is one hash lookup, and the longest still wins.
TEST_F(HostPoolsStoreTest, ThousandsOfMembers) {
  for (int i = 0; i < 4000; ++i) {
    member(std::to_string(1 + i % 50), "172.16." + std::to_string(i / 250) + "." +
                                           std::to_string(i % 250) + "/32");
  }
  member("60", "172.16.0.0/12");
  member("61", "172.16.0.0/16@9");
  ASSERT_TRUE(pools_.reload(*kv_).ok());
  const auto s = pools_.snapshot();
  EXPECT_EQ(s->poolOf(ip("172.16.3.7"), 0, nullptr), uint16_t(1 + (3 * 250 + 7) % 50));
  EXPECT_EQ(s->poolOf(ip("172.16.200.1"), 0, nullptr), 60);
  EXPECT_EQ(s->poolOf(ip("172.16.3.7"), 9, nullptr), 61);
  EXPECT_FALSE(pools_.anyMacMembers());
}

TEST_F(HostPoolsStoreTest, AMalformedMemberLeavesThePoolsAsTheyWere) {
  member("1", "10.0.0.0/8");
  ASSERT_TRUE(pools_.reload(*kv_).ok());
  member("2", "10.0.0.0/40");
  const auto st = pools_.reload(*kv_);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().find("10.0.0.0/40"), std::string::npos) << st.error();
  EXPECT_EQ(pools_.snapshot()->poolOf(ip("10.0.0.1"), 0, nullptr), 1) << "as they were";
  ASSERT_TRUE(kv_->sadd(HostPools::kPoolIdsKey, "pool-x").ok());
  EXPECT_FALSE(pools_.reload(*kv_).ok()) << "a pool id that is no number";
  EXPECT_EQ(pools_.snapshot()->poolOf(ip("10.0.0.1"), 0, nullptr), 1);
}

TEST_F(HostPoolsStoreTest, NoPoolsNoMembers) {
  ASSERT_TRUE(pools_.reload(*kv_).ok());
  EXPECT_FALSE(pools_.anyMembers());
  Host h;
  h.ip = ip("10.0.0.1");
  h.pool_id = 9;
  pools_.assign(h);
  EXPECT_EQ(h.pool_id, 0);
}

TEST(OwnedLockTest, OneOwnerWaitsTimeOutAndHoldsRelease) {
  util::OwnedLock lock;
  int a = 0, b = 0;
  EXPECT_FALSE(lock.lock(nullptr, std::chrono::milliseconds(0))) << "no owner";
  ASSERT_TRUE(lock.lock(&a, std::chrono::milliseconds(0)));
  EXPECT_TRUE(lock.lock(&a, std::chrono::milliseconds(0))) << "its owner again";
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(lock.lock(&b, std::chrono::milliseconds(50)));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(50));
  EXPECT_FALSE(lock.unlock(&b)) << "not its owner";
  EXPECT_TRUE(lock.heldBy(&a));
  std::chrono::steady_clock::duration waited{};
  std::thread waiter([&] {
    const auto start = std::chrono::steady_clock::now();
    EXPECT_TRUE(lock.lock(&b, std::chrono::seconds(30)));
    waited = std::chrono::steady_clock::now() - start;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_TRUE(lock.unlock(&a));
  waiter.join();
  EXPECT_LT(waited, std::chrono::seconds(10)) << "the unlock did not wake the waiter";
  EXPECT_TRUE(lock.heldBy(&b));
  { util::OwnedLock::Hold hold(&lock, &b); }  // b's run ends
  EXPECT_FALSE(lock.heldBy(&b));
  EXPECT_TRUE(lock.lock(&a, std::chrono::milliseconds(0)));
  { util::OwnedLock::Hold hold(&lock, &b); }  // a Hold for a non-owner releases nothing
  EXPECT_TRUE(lock.heldBy(&a));
}

}  // namespace
}  // namespace flowlens::host
