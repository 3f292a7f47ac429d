#include "http/url.h"

#include <gtest/gtest.h>

#include <string>

namespace flowlens::http {
namespace {

using lua::Params;

std::string decodeOk(std::string_view s, bool form) {
  auto r = percentDecode(s, form);
  EXPECT_TRUE(r.ok()) << "'" << s << "': " << (r.ok() ? "" : r.error());
  return r.ok() ? *r : "<error>";
}

Params paramsOk(std::string_view s) {
  auto r = parseUrlEncoded(s);
  EXPECT_TRUE(r.ok()) << "'" << s << "': " << (r.ok() ? "" : r.error());
  return r.ok() ? *r : Params{};
}

std::string pathOk(std::string_view s) {
  auto r = sanitizePath(s);
  EXPECT_TRUE(r.ok()) << "'" << s << "': " << (r.ok() ? "" : r.error());
  return r.ok() ? *r : "<error>";
}

TEST(UrlTest, PercentDecodeEscapes) {
  EXPECT_EQ(decodeOk("a%20b", false), "a b");
  EXPECT_EQ(decodeOk("%41%42%43", false), "ABC");
  EXPECT_EQ(decodeOk("%e2%82%ac", false), "\xE2\x82\xAC");
  EXPECT_EQ(decodeOk("%E2%82%AC", false), "\xE2\x82\xAC");
  EXPECT_EQ(decodeOk("%00", false), std::string(1, '\0'));
  EXPECT_EQ(decodeOk("plain", false), "plain");
  EXPECT_EQ(decodeOk("", false), "");
  EXPECT_EQ(decodeOk("%25zz", false), "%zz");  // decoded once, not twice
}

TEST(UrlTest, PercentDecodeRejectsMalformedEscapes) {
  for (const char* bad : {"%zz", "%4", "%", "abc%", "abc%4", "%g0", "%0g", "% 1", "a%%41"}) {
    EXPECT_FALSE(percentDecode(bad, false).ok()) << "'" << bad << "'";
    EXPECT_FALSE(percentDecode(bad, true).ok()) << "'" << bad << "' (form)";
  }
}

TEST(UrlTest, PlusIsSpaceOnlyInFormMode) {
  EXPECT_EQ(decodeOk("a+b", false), "a+b");
  EXPECT_EQ(decodeOk("a+b", true), "a b");
  EXPECT_EQ(decodeOk("%2B", true), "+");
  EXPECT_EQ(decodeOk("++", true), "  ");
}

TEST(UrlTest, ParseUrlEncodedKeepsOrder) {
  EXPECT_EQ(paramsOk("a=1&b=x%20y"), (Params{{"a", "1"}, {"b", "x y"}}));
  EXPECT_EQ(paramsOk("z=1&a=2&m=3"), (Params{{"z", "1"}, {"a", "2"}, {"m", "3"}}));
}

TEST(UrlTest, ParseUrlEncodedEmptyValuesAndRepeats) {
  EXPECT_EQ(paramsOk("a="), (Params{{"a", ""}}));
  EXPECT_EQ(paramsOk("a=&b"), (Params{{"a", ""}, {"b", ""}}));
  EXPECT_EQ(paramsOk("a=1&a=2"), (Params{{"a", "1"}, {"a", "2"}}));
  EXPECT_EQ(paramsOk("a=b=c"), (Params{{"a", "b=c"}}));
  EXPECT_EQ(paramsOk("q=1+2%2B3"), (Params{{"q", "1 2+3"}}));
  EXPECT_EQ(paramsOk("na%6De=v"), (Params{{"name", "v"}}));
}

TEST(UrlTest, ParseUrlEncodedSkipsEmptyPairs) {
  EXPECT_TRUE(paramsOk("").empty());
  EXPECT_TRUE(paramsOk("&").empty());
  EXPECT_TRUE(paramsOk("&&").empty());
  EXPECT_EQ(paramsOk("&&a=1&&b=2&"), (Params{{"a", "1"}, {"b", "2"}}));
}

TEST(UrlTest, ParseUrlEncodedErrors) {
  EXPECT_FALSE(parseUrlEncoded("a=%zz").ok());
  EXPECT_FALSE(parseUrlEncoded("%zz=1").ok());
  EXPECT_FALSE(parseUrlEncoded("a=1&b=%4").ok());
  EXPECT_FALSE(parseUrlEncoded("=1").ok());
  EXPECT_FALSE(parseUrlEncoded("a=1&=2").ok());
}

TEST(UrlTest, ParseUrlEncodedRequiresUtf8) {
  EXPECT_EQ(paramsOk("city=K%C3%B6ln"), (Params{{"city", "K\xC3\xB6ln"}}));
  for (const char* bad : {"a=%ff", "a=%c0%af", "a=%ed%a0%80", "a=%c3", "%ff=1"}) {
    auto r = parseUrlEncoded(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.error().find("UTF-8"), std::string::npos) << r.error();
  }
}

TEST(UrlTest, SanitizePathAcceptsNormalPaths) {
  EXPECT_EQ(pathOk("/"), "/");
  EXPECT_EQ(pathOk("/lua/index.lua"), "/lua/index.lua");
  EXPECT_EQ(pathOk("/lua/rest/v2/get/ntopng/interfaces.lua"),
            "/lua/rest/v2/get/ntopng/interfaces.lua");
  EXPECT_EQ(pathOk("/lua/x%2Ey.lua"), "/lua/x.y.lua");
  EXPECT_EQ(pathOk("/css/"), "/css/");  // trailing slash
  EXPECT_EQ(pathOk("/a%20b/c"), "/a b/c");
  EXPECT_EQ(pathOk("/caf%C3%A9"), "/caf\xC3\xA9");
  EXPECT_EQ(pathOk("/a+b"), "/a+b");  // '+' is literal in a path
  EXPECT_EQ(pathOk("/.well-known/x"), "/.well-known/x");
  EXPECT_EQ(pathOk("/a/...b"), "/a/...b");
  EXPECT_EQ(pathOk("/..a/b.."), "/..a/b..");
}

TEST(UrlTest, SanitizePathRefusesDotSegments) {
  for (const char* bad :
       {"/..", "/../etc/passwd", "/lua/../x", "/lua/..", "/.", "/./x", "/lua/./x", "/lua/.",
        "/lua/../", "/%2e%2e/etc/passwd", "/lua/%2E%2E/x", "/.%2e/x", "/%2e/x", "/lua/%2e"}) {
    EXPECT_FALSE(sanitizePath(bad).ok()) << "'" << bad << "'";
  }
}

TEST(UrlTest, SanitizePathRefusesEncodedSeparatorsAndNul) {
  for (const char* bad :
       {"/a%2fb", "/a%2Fb", "/..%2f..%2fetc", "/a%5cb", "/a%5Cb", "/a%00b", "/a.lua%00.txt"}) {
    EXPECT_FALSE(sanitizePath(bad).ok()) << "'" << bad << "'";
  }
}

TEST(UrlTest, SanitizePathRefusesEmptySegmentsAndBackslashes) {
  for (const char* bad : {"//", "//etc/passwd", "/a//b", "/a\\b", "/..\\x", "\\a"}) {
    EXPECT_FALSE(sanitizePath(bad).ok()) << "'" << bad << "'";
  }
}

TEST(UrlTest, SanitizePathRefusesControlCharacters) {
  for (const char* bad : {"/a%0ab", "/a%0db", "/a%09b", "/a%7f", "/a\tb", "/a\nb", "/a\x7f"}) {
    EXPECT_FALSE(sanitizePath(bad).ok()) << "'" << bad << "'";
  }
  EXPECT_FALSE(sanitizePath(std::string_view("/a\0b", 4)).ok());
}

TEST(UrlTest, SanitizePathRefusesBadUtf8AndEscapes) {
  for (const char* bad :
       {"/%c0%af", "/%C0%AE%C0%AE/x", "/%e0%80%af", "/%ff", "/%c3", "/a%zz", "/a%2", "/a%"}) {
    EXPECT_FALSE(sanitizePath(bad).ok()) << "'" << bad << "'";
  }
}

TEST(UrlTest, SanitizePathRequiresALeadingSlash) {
  EXPECT_FALSE(sanitizePath("").ok());
  EXPECT_FALSE(sanitizePath("lua/x.lua").ok());
  EXPECT_FALSE(sanitizePath("%2flua").ok());
  EXPECT_FALSE(sanitizePath("http://host/x").ok());
}

}  // namespace
}  // namespace flowlens::http
