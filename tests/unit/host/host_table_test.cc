// HostTable's per-host and per-MAC resets (interface.resetHostStats, deleteHostData,
// resetMacStats).

#include "host/host_table.h"

#include <gtest/gtest.h>

namespace flowlens::host {
namespace {

util::IpAddress ip(const char* text) { return *util::parseIp(text); }

Host& withTraffic(HostTable& t, const char* address, uint16_t vlan) {
  const uint32_t k = t.acquire(ip(address), vlan, 1'000'000, [](Host&) {});
  Host& h = *t.at(k);
  h.traffic.add(true, 3, 300);
  h.traffic.add(false, 2, 200);
  h.l4[kL4Tcp].add(true, 3, 300);
  h.app(7).traffic.add(true, 3, 300);
  h.flows_as_client = 4;
  h.active_flows_as_client = 1;
  h.addContact(true, 9);
  h.name = "www.example.org";
  h.name_from = Host::NameFrom::kHttp;
  return h;
}

TEST(HostTableReset, ZeroesOneHostsCountersAndKeepsItsIdentity) {
  HostTable t(16);
  withTraffic(t, "10.0.0.1", 0);
  const Host& other = withTraffic(t, "10.0.0.2", 0);
  ASSERT_TRUE(t.resetHost(ip("10.0.0.1"), 0, false));
  const Host* h = t.find(ip("10.0.0.1"), 0);
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(h->traffic.bytes(), 0u);
  EXPECT_EQ(h->traffic.packets(), 0u);
  EXPECT_EQ(h->l4[kL4Tcp].bytes(), 0u);
  EXPECT_TRUE(h->apps.empty());
  EXPECT_EQ(h->flows_as_client, 0u);
  EXPECT_TRUE(h->contacts_as_client.empty());
  EXPECT_EQ(h->active_flows_as_client, 1u) << "its flows are still active";
  EXPECT_EQ(h->name, "www.example.org") << "kept without forget";
  EXPECT_EQ(other.traffic.bytes(), 500u) << "other hosts untouched";
  EXPECT_EQ(t.size(), 2u);
}

TEST(HostTableReset, ForgetDropsTheLearnedName) {
  HostTable t(16);
  withTraffic(t, "2001:db8::1", 5);
  ASSERT_TRUE(t.resetHost(ip("2001:db8::1"), 5, true));
  const Host* h = t.find(ip("2001:db8::1"), 5);
  ASSERT_NE(h, nullptr);
  EXPECT_TRUE(h->name.empty());
  EXPECT_EQ(h->name_from, Host::NameFrom::kNone);
}

TEST(HostTableReset, UnknownHostOrVlanIsNotFound) {
  HostTable t(16);
  withTraffic(t, "10.0.0.1", 0);
  EXPECT_FALSE(t.resetHost(ip("10.0.0.9"), 0, false));
  EXPECT_FALSE(t.resetHost(ip("10.0.0.1"), 7, false)) << "another VLAN is another host";
  EXPECT_EQ(t.find(ip("10.0.0.1"), 0)->traffic.bytes(), 500u);
}

TEST(HostTableReset, MacTrafficIsZeroed) {
  HostTable t(16);
  const std::array<uint8_t, 6> a{2, 0, 0, 0, 0, 1}, b{2, 0, 0, 0, 0, 2};
  t.mac(a, 1).traffic.add(true, 1, 60);
  t.mac(b, 1).traffic.add(true, 1, 60);
  EXPECT_TRUE(t.resetMac(a));
  EXPECT_EQ(t.findMac(a)->traffic.bytes(), 0u);
  EXPECT_EQ(t.findMac(b)->traffic.bytes(), 60u);
  EXPECT_FALSE(t.resetMac({2, 0, 0, 0, 0, 3}));
}

// A device type stays with its address: set before the MAC is seen, and across a purge.
TEST(HostTableMacDeviceType, KeptForTheAddressAcrossPurges) {
  HostTable t(16);
  const std::array<uint8_t, 6> a{2, 0, 0, 0, 0, 1}, later{2, 0, 0, 0, 0, 2};
  t.mac(a, 1);
  EXPECT_TRUE(t.setMacDeviceType(a, 8, false));
  EXPECT_EQ(t.findMac(a)->device_type, 8);
  EXPECT_FALSE(t.setMacDeviceType(a, 3, false)) << "typed already, no overwrite";
  EXPECT_EQ(t.findMac(a)->device_type, 8);
  EXPECT_TRUE(t.setMacDeviceType(later, 5, true)) << "not seen yet: remembered";
  EXPECT_EQ(t.findMac(later), nullptr);
  EXPECT_EQ(t.mac(later, 2).device_type, 5) << "seen: typed";
  EXPECT_EQ(t.purgeIdleMacs(10), 2u);
  EXPECT_EQ(t.mac(a, 20).device_type, 8) << "back after a purge: still typed";
  EXPECT_FALSE(t.setMacDeviceType(a, 3, false)) << "remembered, no overwrite";
  EXPECT_TRUE(t.setMacDeviceType(a, 3, true));
  EXPECT_EQ(t.findMac(a)->device_type, 3);
}

}  // namespace
}  // namespace flowlens::host
