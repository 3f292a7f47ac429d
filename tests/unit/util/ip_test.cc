#include "util/ip.h"

#include <gtest/gtest.h>

#include <string>

namespace flowlens::util {
namespace {

IpAddress ip(const std::string& text) {
  auto r = parseIp(text);
  EXPECT_TRUE(r.ok()) << text;
  return r.ok() ? *r : IpAddress{};
}

IpPrefix prefix(const std::string& text) {
  auto r = parsePrefix(text);
  EXPECT_TRUE(r.ok()) << text;
  return r.ok() ? *r : IpPrefix{};
}

TEST(IpTest, ParsesIpv4) {
  const IpAddress a = ip("192.168.1.20");
  EXPECT_FALSE(a.v6);
  EXPECT_EQ(a.bytes[0], 192);
  EXPECT_EQ(a.bytes[1], 168);
  EXPECT_EQ(a.bytes[2], 1);
  EXPECT_EQ(a.bytes[3], 20);
  for (int i = 4; i < 16; ++i) EXPECT_EQ(a.bytes[i], 0) << i;
  EXPECT_EQ(a.toString(), "192.168.1.20");
  EXPECT_EQ(ip("0.0.0.0").toString(), "0.0.0.0");
  EXPECT_EQ(ip("255.255.255.255").toString(), "255.255.255.255");
}

TEST(IpTest, ParsesIpv6AndCanonicalises) {
  const IpAddress a = ip("2001:DB8:0:0:0:0:0:1");
  EXPECT_TRUE(a.v6);
  EXPECT_EQ(a.bytes[0], 0x20);
  EXPECT_EQ(a.bytes[1], 0x01);
  EXPECT_EQ(a.bytes[15], 0x01);
  EXPECT_EQ(a.toString(), "2001:db8::1");
  EXPECT_EQ(ip("::1").toString(), "::1");
  EXPECT_EQ(ip("::").toString(), "::");
  EXPECT_EQ(ip("::ffff:10.0.0.1").toString(), "::ffff:10.0.0.1");
}

TEST(IpTest, EqualityDistinguishesFamilies) {
  EXPECT_EQ(ip("10.0.0.1"), ip("10.0.0.1"));
  EXPECT_FALSE(ip("10.0.0.1") == ip("10.0.0.2"));
  // Same leading bytes, different family.
  EXPECT_FALSE(ip("0.0.0.0") == ip("::"));
}

TEST(IpTest, RejectsBadAddresses) {
  for (const char* bad :
       {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.4 ", " 1.2.3.4", "a.b.c.d", "1::2::3",
        "2001:db8::g", "12345::", "localhost", "10.0.0.1/8", "[::1]"}) {
    EXPECT_FALSE(parseIp(bad).ok()) << "'" << bad << "'";
  }
  // Longer than any textual address: refused before touching a fixed buffer.
  EXPECT_FALSE(parseIp(std::string(200, '1')).ok());
}

TEST(IpTest, RejectsEmbeddedNul) {
  // Strings from Lua may hold NUL bytes; the text after one must not be silently dropped.
  EXPECT_FALSE(parseIp(std::string_view("1.2.3.4\0junk", 12)).ok());
  EXPECT_FALSE(parsePrefix(std::string_view("10.0.0.0\0/8", 11)).ok());
}

TEST(IpTest, PrefixMasksTheNetwork) {
  const IpPrefix p = prefix("10.1.2.3/8");
  EXPECT_EQ(p.bits, 8);
  EXPECT_EQ(p.network.toString(), "10.0.0.0");
  EXPECT_EQ(p.toString(), "10.0.0.0/8");
  EXPECT_EQ(prefix("192.168.1.130/25").toString(), "192.168.1.128/25");
  EXPECT_EQ(prefix("192.168.1.130/0").toString(), "0.0.0.0/0");
  EXPECT_EQ(prefix("172.31.255.255/12").toString(), "172.16.0.0/12");
  EXPECT_EQ(prefix("2001:db8:abcd:1234::1/48").toString(), "2001:db8:abcd::/48");
  EXPECT_EQ(prefix("fe80::1234/10").toString(), "fe80::/10");
  EXPECT_EQ(prefix("ff02::1/7").toString(), "fe00::/7");
}

TEST(IpTest, BareAddressIsAHostPrefix) {
  const IpPrefix v4 = prefix("10.0.0.7");
  EXPECT_EQ(v4.bits, 32);
  EXPECT_EQ(v4.toString(), "10.0.0.7/32");
  const IpPrefix v6 = prefix("2001:db8::7");
  EXPECT_EQ(v6.bits, 128);
  EXPECT_EQ(v6.toString(), "2001:db8::7/128");
}

TEST(IpTest, RejectsBadPrefixes) {
  for (const char* bad : {"10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/", "10.0.0.0/8x", "10.0.0.0/ 8",
                          "::/129", "10.0.0/8", "/8", "nope/8", "10.0.0.0/8/8"}) {
    EXPECT_FALSE(parsePrefix(bad).ok()) << "'" << bad << "'";
  }
  EXPECT_TRUE(parsePrefix("::/128").ok());
  EXPECT_TRUE(parsePrefix("10.0.0.0/32").ok());
}

TEST(IpTest, ContainsIpv4) {
  const IpPrefix p = prefix("192.168.1.0/24");
  EXPECT_TRUE(p.contains(ip("192.168.1.0")));
  EXPECT_TRUE(p.contains(ip("192.168.1.255")));
  EXPECT_FALSE(p.contains(ip("192.168.2.1")));
  EXPECT_FALSE(p.contains(ip("192.168.0.255")));
  const IpPrefix odd = prefix("10.0.0.0/9");
  EXPECT_TRUE(odd.contains(ip("10.127.255.255")));
  EXPECT_FALSE(odd.contains(ip("10.128.0.0")));
  const IpPrefix host = prefix("10.0.0.7/32");
  EXPECT_TRUE(host.contains(ip("10.0.0.7")));
  EXPECT_FALSE(host.contains(ip("10.0.0.6")));
  const IpPrefix all = prefix("0.0.0.0/0");
  EXPECT_TRUE(all.contains(ip("8.8.8.8")));
  EXPECT_FALSE(all.contains(ip("::1")));  // a v4 prefix never holds a v6 address
}

TEST(IpTest, ContainsIpv6) {
  const IpPrefix p = prefix("2001:db8::/32");
  EXPECT_TRUE(p.contains(ip("2001:db8:ffff::1")));
  EXPECT_FALSE(p.contains(ip("2001:db9::1")));
  const IpPrefix odd = prefix("fe80::/10");
  EXPECT_TRUE(odd.contains(ip("febf::1")));
  EXPECT_FALSE(odd.contains(ip("fec0::1")));
  const IpPrefix all = prefix("::/0");
  EXPECT_TRUE(all.contains(ip("2a00::1")));
  EXPECT_FALSE(all.contains(ip("0.0.0.0")));
}

TEST(IpTest, MaskAddress) {
  EXPECT_EQ(maskAddress(ip("255.255.255.255"), 20).toString(), "255.255.240.0");
  EXPECT_EQ(maskAddress(ip("255.255.255.255"), 1).toString(), "128.0.0.0");
  EXPECT_EQ(maskAddress(ip("10.20.30.40"), 0).toString(), "0.0.0.0");
  EXPECT_EQ(maskAddress(ip("10.20.30.40"), 32).toString(), "10.20.30.40");
  // Clamped to the family's width.
  EXPECT_EQ(maskAddress(ip("10.20.30.40"), 99).toString(), "10.20.30.40");
  EXPECT_EQ(maskAddress(ip("10.20.30.40"), -5).toString(), "0.0.0.0");
  EXPECT_EQ(maskAddress(ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), 65).toString(),
            "ffff:ffff:ffff:ffff:8000::");
  EXPECT_EQ(maskAddress(ip("2001:db8::1"), 200).toString(), "2001:db8::1");
  EXPECT_TRUE(maskAddress(ip("2001:db8::1"), 16).v6);
}

}  // namespace
}  // namespace flowlens::util
