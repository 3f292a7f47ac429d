#include "util/text.h"

#include <gtest/gtest.h>

#include <string>

namespace flowlens::util {
namespace {

TEST(TextTest, Md5OfKnownInputs) {
  EXPECT_EQ(md5Hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(md5Hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(md5Hex(std::string("a\0b", 3)), md5Hex(std::string("a\0b", 3)));
  EXPECT_NE(md5Hex(std::string("a\0b", 3)), md5Hex("a"));
}

TEST(TextTest, Md5Rfc1321Vectors) {
  EXPECT_EQ(md5Hex("a"), "0cc175b9c0f1b6a831c399e269772661");
  EXPECT_EQ(md5Hex("message digest"), "f96b697d7cb7938d525a2f31aaf161d0");
  EXPECT_EQ(md5Hex("abcdefghijklmnopqrstuvwxyz"), "c3fcd3d76192e4007dfb496cca67e13b");
  EXPECT_EQ(md5Hex("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"),
            "d174ab98d277d9f5a5611c2c9f419d9f");
  EXPECT_EQ(md5Hex("1234567890123456789012345678901234567890123456789012345678901234567890"
                   "1234567890"),
            "57edf4a22be3c955ac49da2e2107b67a");
  EXPECT_EQ(md5Hex("The quick brown fox jumps over the lazy dog"),
            "9e107d9d372bb6826bd81d3542a419d6");
}

TEST(TextTest, Md5OfBinaryDataIncludesNulBytes) {
  // The embedded NUL must be hashed, not end the input.
  EXPECT_EQ(md5Hex(std::string("a\0b", 3)), "70350f6027bce3713f6b76473084309b");
  EXPECT_EQ(md5Hex(std::string(1, '\0')), "93b885adfe0da089cdf634904fd59f71");
}

TEST(TextTest, MacToEui64) {
  EXPECT_EQ(macToEui64("00:11:22:33:44:55"), "00:11:22:FF:FE:33:44:55");
  EXPECT_EQ(macToEui64("aa:bb:cc:dd:ee:ff"), "AA:BB:CC:FF:FE:DD:EE:FF");
  EXPECT_EQ(macToEui64("aa-bb-cc-dd-ee-ff"), "AA:BB:CC:FF:FE:DD:EE:FF");
  EXPECT_EQ(macToEui64("Aa:bB:cC:Dd:eE:Ff"), "AA:BB:CC:FF:FE:DD:EE:FF");
}

TEST(TextTest, MacToEui64RejectsInvalidInput) {
  for (const char* bad :
       {"", "aa:bb:cc:dd:ee", "aa:bb:cc:dd:ee:ff:00", "aa:bb:cc:dd:ee:fg", "aa.bb.cc.dd.ee.ff",
        "aabb:cc:dd:ee:ff:", "aa:bb:cc:dd:ee:f", "aa:bb:cc:dd:ee:ff ", " a:bb:cc:dd:ee:ff",
        "aabbccddeeff", "+a:bb:cc:dd:ee:ff"}) {
    EXPECT_FALSE(macToEui64(bad).has_value()) << "'" << bad << "'";
  }
}

TEST(TextTest, Eui64ToMac) {
  EXPECT_EQ(eui64ToMac("00:11:22:FF:FE:33:44:55"), "00:11:22:33:44:55");
  EXPECT_EQ(eui64ToMac("aa:bb:cc:ff:fe:dd:ee:ff"), "AA:BB:CC:DD:EE:FF");
  EXPECT_EQ(eui64ToMac("aa-bb-cc-ff-fe-dd-ee-ff"), "AA:BB:CC:DD:EE:FF");
  // Round trip.
  const auto eui = macToEui64("de:ad:be:ef:00:01");
  ASSERT_TRUE(eui.has_value());
  EXPECT_EQ(eui64ToMac(*eui), "DE:AD:BE:EF:00:01");
}

TEST(TextTest, Eui64ToMacRejectsInvalidInput) {
  // Bytes 4-5 must be FF:FE.
  EXPECT_FALSE(eui64ToMac("00:11:22:33:44:55:66:77").has_value());
  EXPECT_FALSE(eui64ToMac("00:11:22:FE:FF:33:44:55").has_value());
  EXPECT_FALSE(eui64ToMac("00:11:22:FF:FE:33:44").has_value());
  EXPECT_FALSE(eui64ToMac("00:11:22:33:44:55").has_value());
  EXPECT_FALSE(eui64ToMac("00:11:22:FF:FE:33:44:5Z").has_value());
  EXPECT_FALSE(eui64ToMac("").has_value());
}

TEST(TextTest, TlsVersionNames) {
  EXPECT_EQ(tlsVersionName(0x0300), "SSLv3");
  EXPECT_EQ(tlsVersionName(0x0301), "TLSv1");
  EXPECT_EQ(tlsVersionName(0x0302), "TLSv1.1");
  EXPECT_EQ(tlsVersionName(0x0303), "TLSv1.2");
  EXPECT_EQ(tlsVersionName(0x0304), "TLSv1.3");
  EXPECT_EQ(tlsVersionName(0xFB1A), "TLSv1.3 (Fizz)");
  EXPECT_EQ(tlsVersionName(0xFEFF), "DTLSv1.0");
  EXPECT_EQ(tlsVersionName(0xFEFD), "DTLSv1.2");
  EXPECT_EQ(tlsVersionName(0xFEFC), "DTLSv1.3");
}

TEST(TextTest, TlsGreaseValues) {
  for (uint32_t hi = 0x0; hi <= 0xF; ++hi) {
    const uint32_t v = ((hi << 4 | 0xA) << 8) | (hi << 4 | 0xA);
    EXPECT_EQ(tlsVersionName(v), "GREASE") << std::hex << v;
  }
  // Not GREASE: the two bytes differ, or the low nibbles are not A.
  EXPECT_EQ(tlsVersionName(0x0A1A), "TLS (0A1A)");
  EXPECT_EQ(tlsVersionName(0x0B0B), "TLS (0B0B)");
}

TEST(TextTest, TlsUnknownVersion) {
  EXPECT_EQ(tlsVersionName(0x1234), "TLS (1234)");
  EXPECT_EQ(tlsVersionName(0), "TLS (0000)");
  EXPECT_EQ(tlsVersionName(0x0305), "TLS (0305)");
  EXPECT_EQ(tlsVersionName(0xabcd), "TLS (ABCD)");
}

TEST(TextTest, ServiceNames) {
  EXPECT_EQ(serviceName(80, "tcp"), "http");
  EXPECT_EQ(serviceName(443, "tcp"), "https");
  EXPECT_EQ(serviceName(22, "tcp"), "ssh");
  EXPECT_EQ(serviceName(53, "udp"), "domain");
  EXPECT_EQ(serviceName(80, ""), "http");  // tcp by default
}

TEST(TextTest, UnknownServiceIsThePortNumber) {
  EXPECT_EQ(serviceName(1, "nosuchproto"), "1");
  EXPECT_EQ(serviceName(65000, "tcp"), "65000");
  EXPECT_EQ(serviceName(-1, "tcp"), "-1");
  EXPECT_EQ(serviceName(70000, "tcp"), "70000");
}

TEST(TextTest, PurifyParamNeutralisesMarkup) {
  EXPECT_EQ(purifyParam("<script>alert('x')</script>"), "_script_alert(_x_)_/script_");
  EXPECT_EQ(purifyParam("a\"b'c&d;e<f>g"), "a_b_c_d_e_f_g");
  EXPECT_EQ(purifyParam("x`y\\z\n\t{}|$"), "x_y_z______");
  EXPECT_EQ(purifyParam(std::string("a\0b", 3)), "a_b");
}

TEST(TextTest, PurifyParamKeepsHarmlessText) {
  EXPECT_EQ(purifyParam("eth0"), "eth0");
  EXPECT_EQ(purifyParam("192.168.1.1@2"), "192.168.1.1@2");
  EXPECT_EQ(purifyParam("fe80::1/64"), "fe80::1/64");
  EXPECT_EQ(purifyParam("a b-c_d,e+f=g"), "a b-c_d,e+f=g");
  EXPECT_EQ(purifyParam(""), "");
}

TEST(TextTest, PurifyParamKeepsUtf8) {
  EXPECT_EQ(purifyParam("caf\xC3\xA9"), "caf\xC3\xA9");
  EXPECT_EQ(purifyParam("\xE6\x97\xA5\xE6\x9C\xAC<"), "\xE6\x97\xA5\xE6\x9C\xAC_");
  EXPECT_EQ(purifyParam("\xF0\x9F\x98\x80"), "\xF0\x9F\x98\x80");
}

TEST(TextTest, HtmlEscape) {
  EXPECT_EQ(htmlEscape("<a href=\"x\">Tom & Jerry's</a>"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;");
  EXPECT_EQ(htmlEscape("plain"), "plain");
  EXPECT_EQ(htmlEscape("&amp;"), "&amp;amp;");
  EXPECT_EQ(htmlEscape(""), "");
}

TEST(TextTest, ValidUtf8) {
  EXPECT_TRUE(isValidUtf8(""));
  EXPECT_TRUE(isValidUtf8("ascii only"));
  EXPECT_TRUE(isValidUtf8(std::string("nul\0inside", 10)));
  EXPECT_TRUE(isValidUtf8("\xC2\xA9"));                    // U+00A9, smallest 2-byte
  EXPECT_TRUE(isValidUtf8("\xE0\xA0\x80"));                // U+0800, smallest 3-byte
  EXPECT_TRUE(isValidUtf8("\xED\x9F\xBF"));                // U+D7FF, just below surrogates
  EXPECT_TRUE(isValidUtf8("\xEE\x80\x80"));                // U+E000, just above surrogates
  EXPECT_TRUE(isValidUtf8("\xEF\xBF\xBF"));                // U+FFFF
  EXPECT_TRUE(isValidUtf8("\xF0\x9F\x98\x80"));            // U+1F600, 4-byte
  EXPECT_TRUE(isValidUtf8("\xF4\x8F\xBF\xBF"));            // U+10FFFF, the largest
  EXPECT_TRUE(isValidUtf8("a\xC3\xA9z\xF0\x90\x80\x80"));  // mixed, ending in a 4-byte char
}

TEST(TextTest, InvalidUtf8) {
  EXPECT_FALSE(isValidUtf8("\xC0\xAF"));              // overlong '/'
  EXPECT_FALSE(isValidUtf8("\xC1\xBF"));              // overlong
  EXPECT_FALSE(isValidUtf8("\xE0\x80\xAF"));          // overlong 3-byte '/'
  EXPECT_FALSE(isValidUtf8("\xF0\x80\x80\xAF"));      // overlong 4-byte '/'
  EXPECT_FALSE(isValidUtf8("\xED\xA0\x80"));          // U+D800, a surrogate
  EXPECT_FALSE(isValidUtf8("\xED\xBF\xBF"));          // U+DFFF
  EXPECT_FALSE(isValidUtf8("\xF4\x90\x80\x80"));      // U+110000, past the end
  EXPECT_FALSE(isValidUtf8("\xF8\x88\x80\x80\x80"));  // 5-byte form
  EXPECT_FALSE(isValidUtf8("\xFF"));
  EXPECT_FALSE(isValidUtf8("\x80"));  // lone continuation byte
  EXPECT_FALSE(
      isValidUtf8("a\xBF"
                  "b"));
  EXPECT_FALSE(isValidUtf8("\xC3"));          // truncated 2-byte
  EXPECT_FALSE(isValidUtf8("\xE2\x82"));      // truncated 3-byte
  EXPECT_FALSE(isValidUtf8("\xF0\x9F\x98"));  // truncated 4-byte
  EXPECT_FALSE(isValidUtf8("\xC3(x"));        // bad continuation
  EXPECT_FALSE(isValidUtf8("\xE2\x28\xA1"));
}

}  // namespace
}  // namespace flowlens::util
