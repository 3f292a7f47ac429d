// globMatch: Redis's KEYS/SCAN MATCH patterns, used by the embedded store. The first tests
// state the rules; the last one asks a real redis-server for the same patterns and texts.

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "store/kv_store.h"
#include "store/redis_store.h"
#include "store_test_util.h"

namespace flowlens::store {
namespace {

using namespace std::string_literals;  // NOLINT(build/namespaces)

TEST(GlobMatch, LiteralsMatchExactlyAndCaseSensitively) {
  EXPECT_TRUE(globMatch("abc", "abc"));
  EXPECT_FALSE(globMatch("abc", "abcd"));
  EXPECT_FALSE(globMatch("abc", "ab"));
  EXPECT_FALSE(globMatch("abc", "ABC"));
  EXPECT_TRUE(globMatch("", ""));
  EXPECT_FALSE(globMatch("", "a"));
  EXPECT_FALSE(globMatch("a", ""));
}

TEST(GlobMatch, StarMatchesAnySequenceIncludingNone) {
  EXPECT_TRUE(globMatch("*", ""));
  EXPECT_TRUE(globMatch("*", "anything at all"));
  EXPECT_TRUE(globMatch("ntopng.prefs.*", "ntopng.prefs."));
  EXPECT_TRUE(globMatch("ntopng.prefs.*", "ntopng.prefs.x.y"));
  EXPECT_FALSE(globMatch("ntopng.prefs.*", "ntopng.pref"));
  EXPECT_TRUE(globMatch("a*b*c", "aXXbYYc"));
  EXPECT_TRUE(globMatch("a*b*c", "abc"));
  EXPECT_FALSE(globMatch("a*b*c", "aXXbYY"));
  EXPECT_TRUE(globMatch("*a*b", "xxaxxaxb"));  // needs backtracking past the first 'a'
  EXPECT_TRUE(globMatch("**", "x"));
  EXPECT_TRUE(globMatch("a**", "a"));
  EXPECT_TRUE(globMatch("ntopng.user.*.password", "ntopng.user.admin.password"));
  EXPECT_FALSE(globMatch("ntopng.user.*.password", "ntopng.user.admin.passwords"));
}

TEST(GlobMatch, QuestionMarkMatchesExactlyOneByte) {
  EXPECT_TRUE(globMatch("?", "a"));
  EXPECT_FALSE(globMatch("?", ""));
  EXPECT_FALSE(globMatch("?", "ab"));
  EXPECT_TRUE(globMatch("a?c", "abc"));
  EXPECT_TRUE(globMatch("a?c", "a\0c"s));
  EXPECT_FALSE(globMatch("cl?", "clé"));  // é is two bytes in UTF-8
  EXPECT_TRUE(globMatch("cl??", "clé"));
  EXPECT_TRUE(globMatch("*?", "a"));
  EXPECT_FALSE(globMatch("*??", "a"));
}

TEST(GlobMatch, CharacterClassesAndRanges) {
  EXPECT_TRUE(globMatch("[abc]", "b"));
  EXPECT_FALSE(globMatch("[abc]", "d"));
  EXPECT_FALSE(globMatch("[abc]", ""));
  EXPECT_TRUE(globMatch("[a-c]", "a"));
  EXPECT_TRUE(globMatch("[a-c]", "c"));
  EXPECT_FALSE(globMatch("[a-c]", "d"));
  EXPECT_TRUE(globMatch("[c-a]", "b"));  // a reversed range is swapped
  EXPECT_TRUE(globMatch("[0-9a-f]x", "ex"));
  EXPECT_FALSE(globMatch("[0-9a-f]x", "gx"));
  EXPECT_TRUE(globMatch("user.[0-9]*", "user.10"));
  EXPECT_FALSE(globMatch("[]", "a"));  // an empty class matches nothing
}

TEST(GlobMatch, NegatedClasses) {
  EXPECT_FALSE(globMatch("[^a]", "a"));
  EXPECT_TRUE(globMatch("[^a]", "b"));
  EXPECT_FALSE(globMatch("[^a]", ""));
  EXPECT_TRUE(globMatch("[^a-c]", "d"));
  EXPECT_FALSE(globMatch("[^a-c]", "b"));
  EXPECT_TRUE(globMatch("[^]", "x"));   // the negation of nothing matches any one byte
  EXPECT_TRUE(globMatch("[!a]", "!"));  // '!' is no negation in Redis
  EXPECT_FALSE(globMatch("[!a]", "b"));
}

TEST(GlobMatch, BackslashEscapesSpecialCharacters) {
  EXPECT_TRUE(globMatch("a\\*b", "a*b"));
  EXPECT_FALSE(globMatch("a\\*b", "axb"));
  EXPECT_TRUE(globMatch("a\\?b", "a?b"));
  EXPECT_FALSE(globMatch("a\\?b", "axb"));
  EXPECT_TRUE(globMatch("\\[x\\]", "[x]"));
  EXPECT_TRUE(globMatch("a\\\\b", "a\\b"));
  EXPECT_TRUE(globMatch("\\a", "a"));  // an escaped ordinary character is itself
  EXPECT_TRUE(globMatch("[\\]]", "]"));
  EXPECT_TRUE(globMatch("[\\^]", "^"));
  EXPECT_FALSE(globMatch("[\\^]", "a"));
  EXPECT_TRUE(globMatch("a\\", "a\\"));  // a trailing backslash is literal
}

TEST(GlobMatch, UnterminatedClassTakesTheRestOfThePattern) {
  EXPECT_TRUE(globMatch("[abc", "a"));
  EXPECT_TRUE(globMatch("x[abc", "xc"));
  EXPECT_FALSE(globMatch("x[abc", "xd"));
  EXPECT_FALSE(globMatch("x[abc", "xab"));
}

TEST(GlobMatch, NulBytesAreOrdinary) {
  EXPECT_TRUE(globMatch("a\0*"s, "a\0bc"s));
  EXPECT_FALSE(globMatch("a\0*"s, "a"s));
  EXPECT_TRUE(globMatch("[\0]"s, "\0"s));
}

TEST(GlobMatch, LongInputsDoNotBlowUp) {
  const std::string text(5000, 'a');
  EXPECT_TRUE(globMatch("*a*a*a*a*a*a", text));
  EXPECT_FALSE(globMatch("*a*a*a*a*a*b", text));
}

// The same patterns and texts through a real Redis (SCAN MATCH uses Redis's stringmatchlen):
// the embedded store must list the same keys.
TEST(GlobMatchAgainstRedis, SameAnswersAsRedis) {
  auto& server = testutil::sharedRedis();
  ASSERT_TRUE(server.ok()) << server.error();
  RedisStore::Config config;
  config.endpoint = server.endpoint();
  RedisStore redis(config);
  ASSERT_TRUE(redis.flushAll().ok());
  const std::vector<std::string> texts = {
      "",    "a",    "b",   "c",      "d",       "x",   "-",     "]",    "[",    "^",
      "_",   "`",    "\\",  "*",      "?",       "!",   "ab",    "abc",  "a*b",  "a?b",
      "axb", "a\\b", "[x]", "user.1", "user.10", "clé", "a\0b"s, "\xff", "aXbYc"};
  const std::vector<std::string> patterns = {
      "*",      "?",       "??",     "a*",      "*b",      "a?b",         "a*b",         "[a-c]",
      "[c-a]",  "[^a]",    "[^a-c]", "[abc]",   "[]",      "[^]",         "[!a]",        "a\\*b",
      "a\\?b",  "\\[x\\]", "[[]x]",  "[\\]]",   "[\\^]",   "a\\\\b",      "\\a",         "a\\",
      "[abc",   "a[bc",    "[a-]",   "[-a]",    "[a-c-e]", "[]a]",        "user.[0-9]*", "cl??",
      "*a*b*c", "a*?",     "[\\-]",  "[a\\-c]", "\\",      "[\xf0-\xff]", "[\x01-\xfe]", "a\0?"s};
  for (const auto& t : texts) ASSERT_TRUE(redis.set(t, "v", 0).ok()) << testutil::quote(t);
  std::vector<std::string> differences;
  for (const auto& p : patterns) {
    auto got = redis.keys(p);
    ASSERT_TRUE(got.ok()) << got.error();
    const std::set<std::string> by_redis(got->begin(), got->end());
    for (const auto& t : texts) {
      const bool ours = globMatch(p, t);
      if (ours != (by_redis.count(t) > 0)) {
        differences.push_back("pattern " + testutil::quote(p) + " text " + testutil::quote(t) +
                              ": redis " + (ours ? "no" : "yes") + ", globMatch " +
                              (ours ? "yes" : "no"));
      }
    }
  }
  std::string all;
  for (const auto& d : differences) all += d + "\n";
  EXPECT_TRUE(differences.empty()) << all;
}

}  // namespace
}  // namespace flowlens::store
