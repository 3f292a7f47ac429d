#include "host/local_networks.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace flowlens {
namespace {

util::IpAddress ip(const std::string& text) {
  auto r = util::parseIp(text);
  EXPECT_TRUE(r.ok()) << text;
  return r.ok() ? *r : util::IpAddress{};
}

util::IpPrefix prefix(const std::string& text) {
  auto r = util::parsePrefix(text);
  EXPECT_TRUE(r.ok()) << text;
  return r.ok() ? *r : util::IpPrefix{};
}

LocalNetworks make(const std::vector<std::string>& cidrs,
                   const std::vector<std::string>& aliases = {}) {
  std::vector<util::IpPrefix> prefixes;
  for (const auto& c : cidrs) prefixes.push_back(prefix(c));
  return LocalNetworks(prefixes, aliases);
}

TEST(LocalNetworksTest, EmptyHasNoLocalAddress) {
  LocalNetworks n;
  EXPECT_EQ(n.size(), 0u);
  EXPECT_FALSE(n.isLocal(ip("192.168.1.1")));
  EXPECT_FALSE(n.isLocal(ip("::1")));
  EXPECT_EQ(n.networkIdOf(ip("10.0.0.1")), -1);
  EXPECT_FALSE(n.byId(0).has_value());
  EXPECT_EQ(n.idByName("10.0.0.0/8"), -1);
  EXPECT_TRUE(n.all().empty());
}

TEST(LocalNetworksTest, IdsNamesAndAliasesInOrder) {
  LocalNetworks n = make({"192.168.1.7/24", "10.0.0.0/8", "2001:DB8::/32"}, {"office", ""});
  ASSERT_EQ(n.size(), 3u);
  const auto all = n.all();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].id, 0);
  EXPECT_EQ(all[0].name, "192.168.1.0/24");  // canonical: masked
  EXPECT_EQ(all[0].alias, "office");
  EXPECT_EQ(all[1].id, 1);
  EXPECT_EQ(all[1].name, "10.0.0.0/8");
  EXPECT_EQ(all[1].alias, "");
  EXPECT_EQ(all[2].name, "2001:db8::/32");
  EXPECT_EQ(all[2].alias, "");  // fewer aliases than networks: none
  ASSERT_TRUE(n.byId(2).has_value());
  EXPECT_EQ(n.byId(2)->prefix.toString(), "2001:db8::/32");
  EXPECT_FALSE(n.byId(3).has_value());
  EXPECT_FALSE(n.byId(-1).has_value());
}

TEST(LocalNetworksTest, MembershipIpv4AndIpv6) {
  LocalNetworks n = make({"192.168.1.0/24", "2001:db8::/32", "fe80::/10"});
  EXPECT_TRUE(n.isLocal(ip("192.168.1.0")));
  EXPECT_TRUE(n.isLocal(ip("192.168.1.255")));
  EXPECT_FALSE(n.isLocal(ip("192.168.2.1")));
  EXPECT_FALSE(n.isLocal(ip("192.168.0.255")));
  EXPECT_EQ(n.networkIdOf(ip("2001:db8:ffff::1")), 1);
  EXPECT_FALSE(n.isLocal(ip("2001:db9::1")));
  EXPECT_EQ(n.networkIdOf(ip("febf::1")), 2);
  EXPECT_FALSE(n.isLocal(ip("fec0::1")));
  // Families never mix: ::ffff:192.168.1.1 is an IPv6 address, 0.0.0.0 is not ::.
  EXPECT_FALSE(n.isLocal(ip("::ffff:192.168.1.1")));
  LocalNetworks all4 = make({"0.0.0.0/0"});
  EXPECT_TRUE(all4.isLocal(ip("8.8.8.8")));
  EXPECT_FALSE(all4.isLocal(ip("::")));
  LocalNetworks all6 = make({"::/0"});
  EXPECT_TRUE(all6.isLocal(ip("2a00::1")));
  EXPECT_FALSE(all6.isLocal(ip("0.0.0.0")));
}

TEST(LocalNetworksTest, HostPrefixesAndOddLengths) {
  LocalNetworks n =
      make({"10.0.0.7", "10.0.0.0/9", "2001:db8::1", "ffff:ffff:ffff:ffff:8000::/65"});
  EXPECT_EQ(n.networkIdOf(ip("10.0.0.7")), 0);
  EXPECT_EQ(n.networkIdOf(ip("10.0.0.6")), 1);
  EXPECT_EQ(n.networkIdOf(ip("10.127.255.255")), 1);
  EXPECT_EQ(n.networkIdOf(ip("10.128.0.0")), -1);
  EXPECT_EQ(n.networkIdOf(ip("2001:db8::1")), 2);
  EXPECT_EQ(n.networkIdOf(ip("2001:db8::2")), -1);
  EXPECT_EQ(n.networkIdOf(ip("ffff:ffff:ffff:ffff:ffff::1")), 3);
  EXPECT_EQ(n.networkIdOf(ip("ffff:ffff:ffff:ffff:7fff::1")), -1);
}

TEST(LocalNetworksTest, LongestPrefixWinsWhateverTheOrder) {
  LocalNetworks n = make({"10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24", "0.0.0.0/0"});
  EXPECT_EQ(n.networkIdOf(ip("10.1.2.3")), 2);
  EXPECT_EQ(n.networkIdOf(ip("10.1.3.3")), 1);
  EXPECT_EQ(n.networkIdOf(ip("10.2.3.4")), 0);
  EXPECT_EQ(n.networkIdOf(ip("11.0.0.1")), 3);
  LocalNetworks r = make({"10.1.2.0/24", "10.0.0.0/8", "10.1.0.0/16"});
  EXPECT_EQ(r.networkIdOf(ip("10.1.2.3")), 0);
  EXPECT_EQ(r.networkIdOf(ip("10.1.3.3")), 2);
  EXPECT_EQ(r.networkIdOf(ip("10.9.9.9")), 1);
  LocalNetworks v6 = make({"2001:db8::/32", "2001:db8:1::/48"});
  EXPECT_EQ(v6.networkIdOf(ip("2001:db8:1::5")), 1);
  EXPECT_EQ(v6.networkIdOf(ip("2001:db8:2::5")), 0);
}

TEST(LocalNetworksTest, PrefixLookupNeedsTheWholeNetworkInside) {
  LocalNetworks n = make({"10.0.0.0/8", "10.1.0.0/16"});
  EXPECT_EQ(n.networkIdOf(prefix("10.1.2.0/24")), 1);
  EXPECT_EQ(n.networkIdOf(prefix("10.1.0.0/16")), 1);
  EXPECT_EQ(n.networkIdOf(prefix("10.0.0.0/15")), 0);  // spans 10.0 and 10.1: only /8 holds it
  EXPECT_EQ(n.networkIdOf(prefix("10.0.0.0/8")), 0);
  EXPECT_EQ(n.networkIdOf(prefix("10.0.0.0/7")), -1);
  EXPECT_EQ(n.networkIdOf(prefix("11.0.0.0/24")), -1);
  EXPECT_EQ(n.networkIdOf(prefix("10.2.3.4/32")), 0);
}

TEST(LocalNetworksTest, DuplicatesKeepTheFirst) {
  LocalNetworks n = make({"10.0.0.0/8", "10.1.2.3/8", "192.168.0.0/16"}, {"a", "b", "c"});
  ASSERT_EQ(n.size(), 2u);
  EXPECT_EQ(n.byId(0)->alias, "a");
  EXPECT_EQ(n.byId(1)->name, "192.168.0.0/16");
  EXPECT_EQ(n.byId(1)->alias, "c");
}

TEST(LocalNetworksTest, IdByName) {
  LocalNetworks n = make({"192.168.1.0/24", "2001:db8::/32"});
  EXPECT_EQ(n.idByName("192.168.1.0/24"), 0);
  EXPECT_EQ(n.idByName("2001:db8::/32"), 1);
  // Compared canonically when the name parses.
  EXPECT_EQ(n.idByName("192.168.1.99/24"), 0);
  EXPECT_EQ(n.idByName("2001:DB8:0::/32"), 1);
  EXPECT_EQ(n.idByName(" 192.168.1.0/24 "), 0);
  EXPECT_EQ(n.idByName("192.168.1.0/25"), -1);
  EXPECT_EQ(n.idByName("192.168.1.0"), -1);  // a host, /32: not the /24
  EXPECT_EQ(n.idByName("office"), -1);
  EXPECT_EQ(n.idByName(""), -1);
}

TEST(LocalNetworksTest, AddMakesAddressesLocal) {
  LocalNetworks n = make({"10.0.0.0/8"});
  EXPECT_FALSE(n.isLocal(ip("172.16.5.5")));
  auto id = n.add("172.16.0.0/12");
  ASSERT_TRUE(id.ok()) << id.error();
  EXPECT_EQ(*id, 1);
  EXPECT_TRUE(n.isLocal(ip("172.16.5.5")));
  EXPECT_EQ(n.networkIdOf(ip("172.31.255.255")), 1);
  EXPECT_EQ(n.byId(1)->name, "172.16.0.0/12");
  EXPECT_EQ(n.byId(1)->alias, "");

  auto lab = n.add(" 2001:db8::/48 = lab ");
  ASSERT_TRUE(lab.ok()) << lab.error();
  EXPECT_EQ(*lab, 2);
  EXPECT_EQ(n.byId(2)->alias, "lab");
  EXPECT_EQ(n.networkIdOf(ip("2001:db8::42")), 2);

  // A network already present keeps its id and its alias.
  auto again = n.add("10.1.2.3/8=other");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0);
  EXPECT_EQ(n.byId(0)->alias, "");
  EXPECT_EQ(n.size(), 3u);
}

TEST(LocalNetworksTest, AddRefusesBadInput) {
  LocalNetworks n;
  for (const char* bad : {"", "nope", "10.0.0.0/33", "::/129", "10.0.0/8", "=alias",
                          "10.0.0.0/8,10.1.0.0/16", "1.2.3.4/8/8"}) {
    EXPECT_FALSE(n.add(bad).ok()) << "'" << bad << "'";
  }
  EXPECT_EQ(n.size(), 0u);
}

TEST(LocalNetworksTest, AddListIsAllOrNothing) {
  LocalNetworks n;
  auto ids = n.addList("10.0.0.0/8=ten, ,192.168.0.0/16,10.0.0.0/8");
  ASSERT_TRUE(ids.ok()) << ids.error();
  EXPECT_EQ(*ids, (std::vector<int>{0, 1, 0}));
  EXPECT_EQ(n.byId(0)->alias, "ten");
  EXPECT_FALSE(n.addList("172.16.0.0/12,bogus").ok());
  EXPECT_EQ(n.size(), 2u);
  EXPECT_FALSE(n.isLocal(ip("172.16.0.1")));
  auto none = n.addList("");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST(LocalNetworksTest, AtMost255Networks) {
  LocalNetworks n;
  for (int i = 0; i < LocalNetworks::kMaxNetworks; ++i) {
    ASSERT_TRUE(n.add("10." + std::to_string(i) + ".0.0/16").ok()) << i;
  }
  EXPECT_EQ(n.size(), 255u);
  EXPECT_FALSE(n.add("172.16.0.0/12").ok());
  EXPECT_TRUE(n.add("10.7.0.0/16").ok());  // already present: fine
  EXPECT_EQ(n.networkIdOf(ip("10.254.1.1")), 254);

  std::vector<util::IpPrefix> many;
  for (int i = 0; i < 300; ++i) {
    many.push_back(
        prefix("10." + std::to_string(i % 256) + "." + std::to_string(i / 256) + ".0/24"));
  }
  LocalNetworks capped(many, {});
  EXPECT_EQ(capped.size(), 255u);
}

TEST(LocalNetworksTest, LookupsRaceWithAdds) {
  // Packet threads classify hosts while a script adds networks: every answer must be either
  // the old or the new one, never garbage, and an added network is seen once add() returned.
  LocalNetworks n = make({"10.0.0.0/8"});
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 4; ++r) {
    readers.emplace_back([&] {
      const util::IpAddress in = ip("10.1.2.3"), out = ip("172.20.0.1");
      while (!stop.load()) {
        if (n.networkIdOf(in) != 0) bad.fetch_add(1);
        const int id = n.networkIdOf(out);
        if (id != -1 && id != 102) bad.fetch_add(1);
      }
    });
  }
  for (int i = 0; i < 200; ++i) {
    EXPECT_TRUE(n.add("192.168." + std::to_string(i) + ".0/24").ok());  // no ASSERT: threads run
    if (i == 100) {  // 192.168.0..100.0/24 took ids 1..101
      auto id = n.add("172.16.0.0/12");
      EXPECT_EQ(id.ok() ? *id : -2, 102);
      EXPECT_EQ(n.networkIdOf(ip("172.20.0.1")), 102);
    }
  }
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(n.size(), 202u);
}

TEST(NetworkPolicyTest, AcceptsDisjointAndNestedSmaller) {
  EXPECT_TRUE(checkNetworkPolicy({"192.168.1.0/24,10.0.0.0/8", "172.16.0.0/12", ""}).ok());
  EXPECT_TRUE(checkNetworkPolicy({" 192.168.1.0/24 , ,2001:db8::/32"}).ok());
  EXPECT_TRUE(checkNetworkPolicy({}).ok());
  // A strictly smaller network inside an earlier one is allowed (ntopng's rule).
  EXPECT_TRUE(checkNetworkPolicy({"10.0.0.0/8", "10.1.0.0/16"}).ok());
  // Only entries that fall inside earlier ones are checked: a larger one after is accepted.
  EXPECT_TRUE(checkNetworkPolicy({"10.1.0.0/16", "10.0.0.0/8"}).ok());
}

TEST(NetworkPolicyTest, RefusesOverlapsAndGarbage) {
  Status st = checkNetworkPolicy({"10.0.0.0/8", "10.0.0.5"});
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error(), "Overlapping address error 10.0.0.5");
  st = checkNetworkPolicy({"10.0.0.0/16,10.0.0.0/16"});
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error(), "Overlapping address error 10.0.0.0/16");
  st = checkNetworkPolicy({"10.1.0.0/16", "", "10.1.2.3/8"});  // wider than what holds it
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error(), "Overlapping address error 10.1.2.3/8");
  st = checkNetworkPolicy({"2001:db8::/32", "2001:db8::1"});
  EXPECT_EQ(st.error(), "Overlapping address error 2001:db8::1");
  st = checkNetworkPolicy({"192.168.1.0/24,nope"});
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error(), "Invalid network nope");
  EXPECT_EQ(checkNetworkPolicy({"10.0.0.0/33"}).error(), "Invalid network 10.0.0.0/33");
}

TEST(InterfaceAddressesTest, CachesForTheTtl) {
  int reads = 0;
  std::vector<util::IpAddress> list = {ip("192.0.2.1")};
  // A TTL no scheduling stall between the first reads reaches, even under sanitizers.
  InterfaceAddresses a(std::chrono::milliseconds(1000),
                       [&]() -> Result<std::vector<util::IpAddress>> {
                         ++reads;
                         return list;
                       });
  EXPECT_TRUE(a.contains(ip("192.0.2.1")));
  EXPECT_FALSE(a.contains(ip("192.0.2.2")));
  EXPECT_EQ(reads, 1);
  list = {ip("192.0.2.2")};
  EXPECT_TRUE(a.contains(ip("192.0.2.1")));  // still the cached list
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_TRUE(a.contains(ip("192.0.2.2")));
  EXPECT_FALSE(a.contains(ip("192.0.2.1")));
  EXPECT_EQ(reads, 2);
}

TEST(InterfaceAddressesTest, UnreadableListAnswersFalse) {
  InterfaceAddresses a(std::chrono::milliseconds(0),
                       []() -> Result<std::vector<util::IpAddress>> { return Error{"boom"}; });
  EXPECT_FALSE(a.contains(ip("127.0.0.1")));
}

TEST(InterfaceAddressesTest, SystemAddressesAreThisMachines) {
  auto list = InterfaceAddresses::systemAddresses();
  ASSERT_TRUE(list.ok()) << list.error();
  InterfaceAddresses a;
  for (const auto& addr : *list) EXPECT_TRUE(a.contains(addr)) << addr.toString();
  EXPECT_FALSE(a.contains(ip("192.0.2.255")));  // TEST-NET-1: nobody's
}

}  // namespace
}  // namespace flowlens
