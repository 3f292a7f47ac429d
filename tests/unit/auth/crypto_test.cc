// auth/crypto: Argon2id password hashes, base64 (HTTP Basic), constant-time comparison and
// random hex tokens.

#include "auth/crypto.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace flowlens::auth {
namespace {

TEST(CryptoTest, HashIsArgon2idInPhcFormatAndVerifies) {
  auto hash = hashPassword("s3cr3t pass");
  ASSERT_TRUE(hash.ok()) << hash.error();
  EXPECT_EQ(hash->rfind("$argon2id$v=19$m=", 0), 0u) << *hash;
  EXPECT_EQ(hash->find("s3cr3t"), std::string::npos) << "the password is not in the hash";
  EXPECT_TRUE(verifyPassword("s3cr3t pass", *hash));
}

TEST(CryptoTest, WrongPasswordFails) {
  auto hash = hashPassword("right");
  ASSERT_TRUE(hash.ok()) << hash.error();
  EXPECT_FALSE(verifyPassword("wrong", *hash));
  EXPECT_FALSE(verifyPassword("", *hash));
  EXPECT_FALSE(verifyPassword("Right", *hash));
  EXPECT_FALSE(verifyPassword("right ", *hash));
}

TEST(CryptoTest, PasswordsWithNulAndNonAsciiBytes) {
  const std::string pw = std::string("a\0b", 3) + "\xc3\xa9";
  auto hash = hashPassword(pw);
  ASSERT_TRUE(hash.ok()) << hash.error();
  EXPECT_TRUE(verifyPassword(pw, *hash));
  EXPECT_FALSE(verifyPassword("a", *hash)) << "the password is not cut at its NUL";
}

TEST(CryptoTest, TwoHashesOfOnePasswordDiffer) {
  auto a = hashPassword("same");
  auto b = hashPassword("same");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b) << "each hash has its own random salt";
  EXPECT_TRUE(verifyPassword("same", *a));
  EXPECT_TRUE(verifyPassword("same", *b));
}

TEST(CryptoTest, NonArgon2HashesNeverVerify) {
  // ntopng's MD5 of "admin", as its redis holds it: never accepted.
  EXPECT_FALSE(verifyPassword("admin", "21232f297a57a5a743894a0e4a801fc3"));
  EXPECT_FALSE(
      verifyPassword("21232f297a57a5a743894a0e4a801fc3", "21232f297a57a5a743894a0e4a801fc3"));
  EXPECT_FALSE(verifyPassword("", ""));
  EXPECT_FALSE(verifyPassword("admin", "admin"));
  // Argon2i / Argon2d strings are refused too: only Argon2id is written.
  auto id = hashPassword("pw");
  ASSERT_TRUE(id.ok());
  std::string argon2i = *id;
  argon2i.replace(0, 10, "$argon2i$");
  EXPECT_FALSE(verifyPassword("pw", argon2i));
  // A truncated or corrupted hash fails without crashing.
  EXPECT_FALSE(verifyPassword("pw", id->substr(0, id->size() / 2)));
  EXPECT_FALSE(verifyPassword("pw", "$argon2id$"));
  std::string flipped = *id;
  flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(verifyPassword("pw", flipped));
}

TEST(CryptoTest, Base64DecodesWithAndWithoutPadding) {
  EXPECT_EQ(base64Decode("Zm9v"), "foo");
  EXPECT_EQ(base64Decode("Zm9vYg=="), "foob");
  EXPECT_EQ(base64Decode("Zm9vYmE="), "fooba");
  EXPECT_EQ(base64Decode("Zm9vYmFy"), "foobar");
  EXPECT_EQ(base64Decode("Zg=="), "f");
  EXPECT_EQ(base64Decode("Zm8="), "fo");
  EXPECT_EQ(base64Decode(""), "");
  EXPECT_EQ(base64Decode("YWRtaW46YWRtaW4="), "admin:admin");
  // Binary output, including NUL bytes.
  EXPECT_EQ(base64Decode("AAEC/w=="), std::string("\x00\x01\x02\xff", 4));
  EXPECT_EQ(base64Decode("+/+/"), std::string("\xfb\xff\xbf", 3));
}

TEST(CryptoTest, Base64RefusesMalformedInput) {
  EXPECT_EQ(base64Decode("Zm9"), std::nullopt) << "length not a multiple of 4";
  EXPECT_EQ(base64Decode("Zg="), std::nullopt);
  EXPECT_EQ(base64Decode("Z"), std::nullopt);
  EXPECT_EQ(base64Decode("Zm9!"), std::nullopt) << "not in the alphabet";
  EXPECT_EQ(base64Decode("Zm9v\x80\x80\x80\x80"), std::nullopt);
  EXPECT_EQ(base64Decode("Zm 9"), std::nullopt);
  EXPECT_EQ(base64Decode("Zm9vZm\n9"), std::nullopt);
  EXPECT_EQ(base64Decode(std::string(8196, 'A')), std::nullopt) << "over the size limit";
}

// '=' belongs only at the end, as one or two padding characters.
TEST(CryptoTest, Base64RefusesMisplacedPadding) {
  EXPECT_EQ(base64Decode("===="), std::nullopt);
  EXPECT_EQ(base64Decode("Z==="), std::nullopt);
  EXPECT_EQ(base64Decode("Zg=a"), std::nullopt);
  EXPECT_EQ(base64Decode("Zg==Zg=="), std::nullopt);
  EXPECT_EQ(base64Decode("Zm9v===="), std::nullopt);
  EXPECT_EQ(base64Decode("=Zm9"), std::nullopt);
}

TEST(CryptoTest, ConstantTimeEqual) {
  EXPECT_TRUE(constantTimeEqual("", ""));
  EXPECT_TRUE(constantTimeEqual("abc", "abc"));
  EXPECT_FALSE(constantTimeEqual("abc", "abd"));
  EXPECT_FALSE(constantTimeEqual("abc", "Abc"));
  EXPECT_FALSE(constantTimeEqual("abc", "abcd"));
  EXPECT_FALSE(constantTimeEqual("abcd", "abc"));
  EXPECT_FALSE(constantTimeEqual("", "a"));
  EXPECT_TRUE(constantTimeEqual(std::string("a\0b", 3), std::string("a\0b", 3)));
  EXPECT_FALSE(constantTimeEqual(std::string("a\0b", 3), std::string("a\0c", 3)));
}

TEST(CryptoTest, RandomHexLengthCharsetAndUniqueness) {
  EXPECT_EQ(randomHex(0), "");
  for (size_t bytes : {1u, 16u, 32u, 100u}) {
    const std::string h = randomHex(bytes);
    EXPECT_EQ(h.size(), 2 * bytes);
    EXPECT_EQ(h.find_first_not_of("0123456789abcdef"), std::string::npos) << h;
  }
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(randomHex(16));
  EXPECT_EQ(seen.size(), 1000u);
  // Every hex digit shows up over many bytes (not, say, only the low nibble's range).
  const std::string many = randomHex(4096);
  for (char c : std::string("0123456789abcdef")) {
    EXPECT_NE(many.find(c), std::string::npos) << c;
  }
}

}  // namespace
}  // namespace flowlens::auth
