// auth/totp: RFC 6238 codes (Appendix B, SHA1), validation within one step, the provisioning
// URI and generated secrets.

#include "auth/totp.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace flowlens::auth {
namespace {

// RFC 6238 Appendix B: the SHA1 seed "12345678901234567890" (ASCII), in base32.
constexpr const char* kRfcSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

std::string code(std::string_view secret, time_t now) {
  auto c = totpCode(secret, now);
  EXPECT_TRUE(c.ok()) << c.error();
  return c ? *c : std::string();
}

// The RFC lists 8-digit codes; a 6-digit code is their last six digits.
TEST(TotpTest, Rfc6238AppendixBSha1Vectors) {
  EXPECT_EQ(code(kRfcSecret, 59), "287082");                   // 94287082
  EXPECT_EQ(code(kRfcSecret, 1111111109), "081804");           // 07081804
  EXPECT_EQ(code(kRfcSecret, 1111111111), "050471");           // 14050471
  EXPECT_EQ(code(kRfcSecret, 1234567890), "005924");           // 89005924
  EXPECT_EQ(code(kRfcSecret, 2000000000), "279037");           // 69279037
  EXPECT_EQ(code(kRfcSecret, time_t{20000000000}), "353130");  // 65353130 (after 2038)
}

TEST(TotpTest, CodeIsTheSameWithinAStep) {
  // Step 37037036 covers 1111111080..1111111109.
  EXPECT_EQ(code(kRfcSecret, 1111111080), "081804");
  EXPECT_EQ(code(kRfcSecret, 1111111109), "081804");
  EXPECT_NE(code(kRfcSecret, 1111111110), "081804");
  EXPECT_EQ(code(kRfcSecret, 0), code(kRfcSecret, 29));
}

TEST(TotpTest, SecretIsCaseAndPaddingInsensitive) {
  EXPECT_EQ(code("gezdgnbvgy3tqojqgezdgnbvgy3tqojq", 59), "287082");
  EXPECT_EQ(code("GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ", 59), "287082");
}

TEST(TotpTest, InvalidSecretIsAnError) {
  EXPECT_FALSE(totpCode("not base32!", 59).ok());
  EXPECT_FALSE(totpCode("", 59).ok());
  EXPECT_FALSE(totpCode("11111111", 59).ok()) << "'1' is not in the base32 alphabet";
  EXPECT_FALSE(totpValidate("not base32!", "123456", 59).ok());
}

TEST(TotpTest, ValidateReturnsTheStepOfTheCode) {
  const time_t now = 1111111111;  // step 37037037
  auto r = totpValidate(kRfcSecret, "050471", now);
  ASSERT_TRUE(r.ok()) << r.error();
  ASSERT_TRUE(r->has_value());
  EXPECT_EQ(**r, static_cast<uint64_t>(now / 30));
}

TEST(TotpTest, ValidateAcceptsThePreviousAndNextStep) {
  const time_t now = 1111111111;
  auto prev = totpValidate(kRfcSecret, code(kRfcSecret, now - 30), now);
  ASSERT_TRUE(prev.ok() && prev->has_value());
  EXPECT_EQ(**prev, static_cast<uint64_t>(now / 30 - 1));
  auto next = totpValidate(kRfcSecret, code(kRfcSecret, now + 30), now);
  ASSERT_TRUE(next.ok() && next->has_value());
  EXPECT_EQ(**next, static_cast<uint64_t>(now / 30 + 1));
}

TEST(TotpTest, ValidateRefusesTwoStepsAway) {
  const time_t now = 1111111111;
  for (time_t other : {now - 60, now + 60, now - 3600, now + 3600}) {
    const std::string c = code(kRfcSecret, other);
    ASSERT_NE(c, code(kRfcSecret, now));  // the vectors are known not to collide
    auto r = totpValidate(kRfcSecret, c, now);
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_FALSE(r->has_value()) << "code of " << other << " accepted at " << now;
  }
}

TEST(TotpTest, ValidateRefusesWrongCodes) {
  const time_t now = 1111111111;
  auto wrong = totpValidate(kRfcSecret, "050472", now);
  ASSERT_TRUE(wrong.ok());
  EXPECT_FALSE(wrong->has_value());
  // Another secret's code.
  auto other = totpValidate("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "050471", now);
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other->has_value());
}

TEST(TotpTest, ValidateRefusesNonDigitsAndWrongLength) {
  const time_t now = 59;
  for (const char* bad : {"", "28708", "2870820", "94287082", "28708a", "28 082", " 87082",
                          "+87082", "-87082", "287O82", "２87082"}) {
    auto r = totpValidate(kRfcSecret, bad, now);
    ASSERT_TRUE(r.ok()) << bad << ": " << r.error();
    EXPECT_FALSE(r->has_value()) << "'" << bad << "' accepted";
  }
  auto good = totpValidate(kRfcSecret, "287082", now);
  ASSERT_TRUE(good.ok());
  EXPECT_TRUE(good->has_value());
  // A NUL inside the code does not cut it short.
  auto nul = totpValidate(kRfcSecret, std::string("287082", 6).substr(0, 5) + '\0', now);
  ASSERT_TRUE(nul.ok());
  EXPECT_FALSE(nul->has_value());
}

TEST(TotpTest, ProvisioningUriFormat) {
  EXPECT_EQ(totpProvisioningUri("flowlens", "admin", "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
            "otpauth://totp/flowlens:admin?secret=ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
            "&issuer=flowlens&algorithm=SHA1&digits=6&period=30");
  // Issuer and user are percent-encoded; the ':' between them stays.
  const std::string uri = totpProvisioningUri("My Site", "a@b", "GEZDGNBV");
  EXPECT_EQ(uri.rfind("otpauth://totp/My%20Site:a%40b?secret=GEZDGNBV&issuer=My%20Site", 0), 0u)
      << uri;
  EXPECT_EQ(totpProvisioningUri("x&y=z", "u", "S").find("&y="), std::string::npos);
}

TEST(TotpTest, GeneratedSecretsAre32Base32CharactersAndDiffer) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string s = generateTotpSecret();
    EXPECT_EQ(s.size(), 32u) << s;
    EXPECT_EQ(s.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), std::string::npos) << s;
    seen.insert(s);
  }
  EXPECT_EQ(seen.size(), 100u);
  // A generated secret works for codes and validation.
  const std::string s = generateTotpSecret();
  const std::string c = code(s, 1700000000);
  EXPECT_EQ(c.size(), 6u);
  auto r = totpValidate(s, c, 1700000000);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->has_value());
}

}  // namespace
}  // namespace flowlens::auth
