// auth/authenticator: who a request is, in ntopng's order (disabled login, Basic, Token, session
// cookie), the refusal of ambiguous or malformed credentials, the blacklist, the Basic cache,
// and the login form with TOTP.

#include "auth/authenticator.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <ctime>
#include <initializer_list>
#include <string>
#include <vector>

#include "auth/totp.h"
#include "test_env.h"

namespace flowlens::auth {
namespace {

using flowlens::testing::TestEnv;

std::string base64(std::string_view in) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int s : {18, 12, 6, 0}) out += kAlphabet[(n >> s) & 63];
  }
  if (in.size() - i == 1) {
    const uint32_t n = uint8_t(in[i]) << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += "==";
  } else if (in.size() - i == 2) {
    const uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

std::string basic(std::string_view user, std::string_view password) {
  return "Basic " + base64(std::string(user) + ":" + std::string(password));
}

class AuthenticatorTest : public ::testing::Test {
 protected:
  AuthenticatorTest() : auth_(env_.options(), env_.users(), env_.sessions()) {}
  void SetUp() override {
    User bob;
    bob.name = "bob";
    ASSERT_TRUE(env_.users().add(bob, "bobpw").ok());
  }
  AuthDecision withAuthorization(std::vector<std::string> headers,
                                 std::string remote = "192.0.2.10") {
    AuthInput in;
    in.method = "GET";
    in.remote_addr = std::move(remote);
    in.authorization = std::move(headers);
    return auth_.authenticate(in);
  }
  AuthDecision withCookie(std::string cookie, std::string remote = "192.0.2.10") {
    AuthInput in;
    in.method = "GET";
    in.remote_addr = std::move(remote);
    in.cookie = std::move(cookie);
    return auth_.authenticate(in);
  }
  std::string failedLogins(const std::string& user) {
    auto v = env_.cache().store().get("ntopng.cache.failed_logins." + user);
    return v && *v ? **v : "";
  }

  TestEnv env_;
  Authenticator auth_;
};

TEST(Base64HelperTest, EncodesAsRfc4648) {
  EXPECT_EQ(base64(""), "");
  EXPECT_EQ(base64("f"), "Zg==");
  EXPECT_EQ(base64("fo"), "Zm8=");
  EXPECT_EQ(base64("foo"), "Zm9v");
  EXPECT_EQ(base64("admin:admin"), "YWRtaW46YWRtaW4=");
}

TEST_F(AuthenticatorTest, NoCredentialsIs401) {
  AuthDecision d = withAuthorization({});
  EXPECT_FALSE(d.identity);
  EXPECT_EQ(d.status, 401);
  d = withAuthorization({}, "127.0.0.1");
  EXPECT_FALSE(d.identity) << "login is on by default, for localhost too";
  EXPECT_EQ(d.status, 401);
}

TEST_F(AuthenticatorTest, DisabledLoginActsAsAdminForEveryone) {
  env_.options().disable_login = 1;
  for (const char* addr : {"192.0.2.10", "127.0.0.1", "::1", "2001:db8::1"}) {
    AuthDecision d = withAuthorization({}, addr);
    ASSERT_TRUE(d.identity) << addr;
    EXPECT_EQ(d.identity->user, "admin");
    EXPECT_EQ(d.identity->group, kAdministrator);
    EXPECT_EQ(d.identity->via, "disabled-login");
    EXPECT_FALSE(d.identity->needsCsrf());
  }
  EXPECT_TRUE(auth_.loginDisabledFor("192.0.2.10"));
}

TEST_F(AuthenticatorTest, DisabledLoginForLocalhostOnly) {
  env_.options().disable_login = 0;
  for (const char* addr : {"127.0.0.1", "::1", "127.1.2.3", "::ffff:127.0.0.1"}) {
    AuthDecision d = withAuthorization({}, addr);
    ASSERT_TRUE(d.identity) << addr;
    EXPECT_EQ(d.identity->user, "admin");
    EXPECT_EQ(d.identity->via, "disabled-login");
  }
  for (const char* addr :
       {"192.0.2.10", "10.0.0.1", "::2", "2001:db8::1", "::ffff:10.0.0.1", "128.0.0.1", ""}) {
    AuthDecision d = withAuthorization({}, addr);
    EXPECT_FALSE(d.identity) << addr;
    EXPECT_EQ(d.status, 401) << addr;
    EXPECT_FALSE(auth_.loginDisabledFor(addr)) << addr;
  }
  // A remote client still gets in with credentials.
  AuthDecision d = withAuthorization({basic("bob", "bobpw")}, "192.0.2.10");
  ASSERT_TRUE(d.identity);
  EXPECT_EQ(d.identity->user, "bob");
}

TEST_F(AuthenticatorTest, IsLoopback) {
  EXPECT_TRUE(Authenticator::isLoopback("127.0.0.1"));
  EXPECT_TRUE(Authenticator::isLoopback("::1"));
  EXPECT_FALSE(Authenticator::isLoopback("1.127.0.0"));
  EXPECT_FALSE(Authenticator::isLoopback("::"));
  EXPECT_FALSE(Authenticator::isLoopback("0.0.0.0"));
}

TEST_F(AuthenticatorTest, BasicRightPassword) {
  AuthDecision d = withAuthorization({basic("bob", "bobpw")});
  ASSERT_TRUE(d.identity) << d.message;
  EXPECT_EQ(d.identity->user, "bob");
  EXPECT_EQ(d.identity->group, kUnprivileged);
  EXPECT_EQ(d.identity->via, "basic");
  EXPECT_FALSE(d.identity->needsCsrf()) << "no CSRF token for Basic clients";
  d = withAuthorization({basic("admin", "admin")});
  ASSERT_TRUE(d.identity);
  EXPECT_EQ(d.identity->group, kAdministrator);
  // The scheme is case-insensitive.
  d = withAuthorization({"basic " + base64("bob:bobpw")});
  ASSERT_TRUE(d.identity);
  EXPECT_EQ(d.identity->user, "bob");
}

TEST_F(AuthenticatorTest, BasicPasswordMayHoldColons) {
  ASSERT_TRUE(env_.users().setPassword("bob", "a:b:c").ok());
  AuthDecision d = withAuthorization({basic("bob", "a:b:c")});
  ASSERT_TRUE(d.identity) << d.message;
  EXPECT_EQ(d.identity->user, "bob");
}

TEST_F(AuthenticatorTest, BasicWrongPasswordOrUnknownUser) {
  AuthDecision d = withAuthorization({basic("bob", "wrong")});
  EXPECT_FALSE(d.identity);
  EXPECT_EQ(d.status, 401);
  EXPECT_EQ(failedLogins("bob"), "1") << "the failure counts";
  d = withAuthorization({basic("bob", "")});
  EXPECT_FALSE(d.identity);
  EXPECT_EQ(d.status, 401);
  d = withAuthorization({basic("ghost", "bobpw")});
  EXPECT_FALSE(d.identity);
  EXPECT_EQ(d.status, 401);
  d = withAuthorization({basic("", "bobpw")});
  EXPECT_FALSE(d.identity);
  EXPECT_EQ(d.status, 401);
}

TEST_F(AuthenticatorTest, BasicMalformedIs400) {
  for (const std::string& h : std::initializer_list<std::string>{
           "Basic !!!!", "Basic Zm9", "Basic Ym9iYm9icHc=" /* "bobbobpw": no colon */,
           "Basic " + base64("bob"), "Basic a", "Basic " + std::string(9000, 'A')}) {
    AuthDecision d = withAuthorization({h});
    EXPECT_FALSE(d.identity) << h.substr(0, 40);
    EXPECT_EQ(d.status, 400) << h.substr(0, 40);
  }
  EXPECT_EQ(failedLogins("bob"), "") << "a malformed header is not a password guess";
}

TEST_F(AuthenticatorTest, UnsupportedSchemeIs400) {
  for (const char* h : {"Bearer", "Bearer ", "Basic", "Basic ", "Token", "Token ", "Digest x", "x"}) {
    AuthDecision d = withAuthorization({h});
    EXPECT_FALSE(d.identity) << h;
    EXPECT_EQ(d.status, 400) << h;
  }
}

TEST_F(AuthenticatorTest, TokenOkUnknownRevoked) {
  auto t1 = env_.users().createApiToken("bob");
  ASSERT_TRUE(t1.ok());
  AuthDecision d = withAuthorization({"Token " + *t1});
  ASSERT_TRUE(d.identity) << d.message;
  EXPECT_EQ(d.identity->user, "bob");
  EXPECT_EQ(d.identity->group, kUnprivileged);
  EXPECT_EQ(d.identity->via, "token");
  EXPECT_FALSE(d.identity->needsCsrf());

  d = withAuthorization({"Bearer " + *t1});  // the same token as a bearer's
  ASSERT_TRUE(d.identity) << d.message;
  EXPECT_EQ(d.identity->user, "bob");
  EXPECT_EQ(d.identity->via, "token");

  d = withAuthorization({"Token " + std::string(32, '0')});
  EXPECT_FALSE(d.identity);
  EXPECT_EQ(d.status, 401);
  d = withAuthorization({"Bearer " + std::string(32, '0')});
  EXPECT_FALSE(d.identity);
  EXPECT_EQ(d.status, 401);
  d = withAuthorization({"Token " + t1->substr(0, 31)});
  EXPECT_FALSE(d.identity);
  EXPECT_EQ(d.status, 401);

  auto t2 = env_.users().createApiToken("bob");
  ASSERT_TRUE(t2.ok());
  d = withAuthorization({"Token " + *t1});
  EXPECT_FALSE(d.identity) << "revoked";
  EXPECT_EQ(d.status, 401);
  d = withAuthorization({"Token " + *t2});
  ASSERT_TRUE(d.identity);

  // The token follows the user's role, and dies with the user.
  ASSERT_TRUE(env_.users().setRole("bob", kAdministrator).ok());
  d = withAuthorization({"Token " + *t2});
  ASSERT_TRUE(d.identity);
  EXPECT_EQ(d.identity->group, kAdministrator);
  ASSERT_TRUE(env_.users().remove("bob").ok());
  d = withAuthorization({"Token " + *t2});
  EXPECT_FALSE(d.identity);
  EXPECT_EQ(d.status, 401);
}

TEST_F(AuthenticatorTest, SeveralAuthorizationHeadersAre400) {
  auto t = env_.users().createApiToken("bob");
  ASSERT_TRUE(t.ok());
  AuthDecision d = withAuthorization({basic("bob", "bobpw"), "Token " + *t});
  EXPECT_FALSE(d.identity);
  EXPECT_EQ(d.status, 400);
  d = withAuthorization({basic("bob", "bobpw"), basic("bob", "bobpw")});
  EXPECT_FALSE(d.identity);
  EXPECT_EQ(d.status, 400);
  d = withAuthorization({basic("admin", "admin"), basic("bob", "wrong")});
  EXPECT_FALSE(d.identity);
  EXPECT_EQ(d.status, 400);
}

TEST_F(AuthenticatorTest, CookieSession) {
  EXPECT_EQ(auth_.cookieName(), "session_3000_0");
  auto s = env_.sessions().create("bob");
  ASSERT_TRUE(s.ok());
  AuthDecision d = withCookie("session_3000_0=" + s->id);
  ASSERT_TRUE(d.identity) << d.message;
  EXPECT_EQ(d.identity->user, "bob");
  EXPECT_EQ(d.identity->group, kUnprivileged);
  EXPECT_EQ(d.identity->via, "session");
  EXPECT_EQ(d.identity->session_id, s->id);
  EXPECT_EQ(d.identity->csrf, s->csrf);
  EXPECT_TRUE(d.identity->needsCsrf());
  // Among other cookies.
  d = withCookie("theme=dark; session_3000_0=" + s->id + "; lang=en");
  ASSERT_TRUE(d.identity);
  EXPECT_EQ(d.identity->user, "bob");
}

TEST_F(AuthenticatorTest, CookieSessionUnknownOrElsewhere) {
  auto s = env_.sessions().create("bob");
  ASSERT_TRUE(s.ok());
  AuthDecision d = withCookie("session_3000_0=" + std::string(64, 'f'));
  EXPECT_FALSE(d.identity);
  EXPECT_EQ(d.status, 401);
  d = withCookie("session_3000_0=garbage");
  EXPECT_FALSE(d.identity);
  EXPECT_EQ(d.status, 401);
  d = withCookie("session_3001_0=" + s->id);
  EXPECT_FALSE(d.identity) << "another instance's cookie";
  d = withCookie("xsession_3000_0=" + s->id);
  EXPECT_FALSE(d.identity) << "only the exact cookie name";
  d = withCookie("session_3000_0" + s->id);
  EXPECT_FALSE(d.identity);
  ASSERT_TRUE(env_.sessions().destroy(s->id).ok());
  d = withCookie("session_3000_0=" + s->id);
  EXPECT_FALSE(d.identity) << "logged out";
  EXPECT_EQ(d.status, 401);
}

TEST_F(AuthenticatorTest, AuthorizationHeaderComesBeforeTheCookie) {
  auto s = env_.sessions().create("admin");
  ASSERT_TRUE(s.ok());
  AuthInput in;
  in.remote_addr = "192.0.2.10";
  in.cookie = "session_3000_0=" + s->id;
  in.authorization = {basic("bob", "bobpw")};
  AuthDecision d = auth_.authenticate(in);
  ASSERT_TRUE(d.identity);
  EXPECT_EQ(d.identity->user, "bob");
  EXPECT_EQ(d.identity->via, "basic");
  in.authorization = {basic("bob", "wrong")};
  d = auth_.authenticate(in);
  EXPECT_FALSE(d.identity) << "a wrong password does not fall back to the session";
  EXPECT_EQ(d.status, 401);
}

TEST_F(AuthenticatorTest, CookieNameNamesBothPorts) {
  env_.options().http.port = 3000;
  env_.options().https.port = 3001;
  EXPECT_EQ(auth_.cookieName(), "session_3000_3001");
  env_.options().http.port = 0;
  env_.options().https.port = 443;
  EXPECT_EQ(auth_.cookieName(), "session_0_443");
}

TEST_F(AuthenticatorTest, FailedBasicAttemptsBlacklistTheUser) {
  for (int i = 0; i < kMaxFailedLogins; ++i) {
    EXPECT_EQ(withAuthorization({basic("bob", "guess" + std::to_string(i))}).status, 401);
  }
  EXPECT_TRUE(env_.users().isBlacklisted("bob"));
  AuthDecision d = withAuthorization({basic("bob", "bobpw")});
  EXPECT_FALSE(d.identity) << "blacklisted: even the right password fails";
  EXPECT_EQ(d.status, 401);
  // Other users are not affected.
  d = withAuthorization({basic("admin", "admin")});
  EXPECT_TRUE(d.identity);
  env_.users().clearFailedLogins("bob");
  d = withAuthorization({basic("bob", "bobpw")});
  EXPECT_TRUE(d.identity);
}

TEST_F(AuthenticatorTest, BlacklistAppliesToCachedCredentials) {
  ASSERT_TRUE(withAuthorization({basic("bob", "bobpw")}).identity);  // now cached
  for (int i = 0; i < kMaxFailedLogins; ++i) withAuthorization({basic("bob", "guess")});
  AuthDecision d = withAuthorization({basic("bob", "bobpw")});
  EXPECT_FALSE(d.identity) << "the Basic cache does not bypass the blacklist";
  EXPECT_EQ(d.status, 401);
}

TEST_F(AuthenticatorTest, RightPasswordClearsEarlierFailures) {
  for (int i = 0; i < kMaxFailedLogins - 1; ++i) withAuthorization({basic("bob", "guess")});
  EXPECT_EQ(failedLogins("bob"), std::to_string(kMaxFailedLogins - 1));
  ASSERT_TRUE(withAuthorization({basic("bob", "bobpw")}).identity);
  EXPECT_EQ(failedLogins("bob"), "");
  withAuthorization({basic("bob", "guess")});
  EXPECT_FALSE(env_.users().isBlacklisted("bob"));
}

TEST_F(AuthenticatorTest, BasicCacheFollowsRoleChangesAndDeletion) {
  ASSERT_TRUE(withAuthorization({basic("bob", "bobpw")}).identity);
  ASSERT_TRUE(env_.users().setRole("bob", kAdministrator).ok());
  AuthDecision d = withAuthorization({basic("bob", "bobpw")});
  ASSERT_TRUE(d.identity);
  EXPECT_EQ(d.identity->group, kAdministrator);
  ASSERT_TRUE(env_.users().remove("bob").ok());
  d = withAuthorization({basic("bob", "bobpw")});
  EXPECT_FALSE(d.identity) << "a deleted user's cached credentials no longer work";
  EXPECT_EQ(d.status, 401);
}

// A password change takes effect at once: the cache of verified Basic credentials must not
// keep the old password working for another minute.
TEST_F(AuthenticatorTest, BasicCacheForgetsAChangedPassword) {
  ASSERT_TRUE(withAuthorization({basic("bob", "bobpw")}).identity);  // now cached
  ASSERT_TRUE(env_.users().setPassword("bob", "newpw").ok());
  AuthDecision d = withAuthorization({basic("bob", "newpw")});
  EXPECT_TRUE(d.identity) << "the new password works";
  d = withAuthorization({basic("bob", "bobpw")});
  EXPECT_FALSE(d.identity) << "the old password still works after the change (Basic cache)";
  EXPECT_EQ(d.status, 401);
}

TEST_F(AuthenticatorTest, LoginWithoutTotp) {
  auto s = auth_.login("bob", "bobpw", "");
  ASSERT_TRUE(s.ok()) << s.error();
  EXPECT_EQ(s->user, "bob");
  EXPECT_EQ(s->id.size(), 64u);
  auto found = env_.sessions().lookup(s->id);
  ASSERT_TRUE(found.ok() && found->has_value()) << "the session is stored";

  auto wrong = auth_.login("bob", "nope", "");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error(), "wrong user name, password or code");
  EXPECT_EQ(failedLogins("bob"), "1");
  auto unknown = auth_.login("ghost", "x", "");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error(), "wrong user name, password or code") << "no user enumeration";
  auto invalid = auth_.login("a|b", "x", "");
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(invalid.error(), "wrong user name, password or code");
}

TEST_F(AuthenticatorTest, LoginBlacklisted) {
  for (int i = 0; i < kMaxFailedLogins; ++i) EXPECT_FALSE(auth_.login("bob", "x", "").ok());
  auto s = auth_.login("bob", "bobpw", "");
  EXPECT_FALSE(s.ok()) << "blacklisted";
  auto keys = env_.cache().store().keys("sessions.*");
  ASSERT_TRUE(keys.ok());
  EXPECT_TRUE(keys->empty()) << "no session opened";
}

TEST_F(AuthenticatorTest, LoginWithTotpRequired) {
  const std::string secret = generateTotpSecret();
  ASSERT_TRUE(env_.users().setTotpSecret("bob", secret).ok());
  ASSERT_TRUE(env_.users().setTotpEnabled("bob", true).ok());

  auto no_code = auth_.login("bob", "bobpw", "");
  ASSERT_FALSE(no_code.ok()) << "the password alone is not enough";
  EXPECT_EQ(no_code.error(), "wrong user name, password or code");
  EXPECT_FALSE(auth_.login("bob", "bobpw", "123").ok());

  const std::string code = totpCode(secret, std::time(nullptr)).value();
  EXPECT_FALSE(auth_.login("bob", "wrong", code).ok()) << "the code alone is not enough";
  auto s = auth_.login("bob", "bobpw", code);
  ASSERT_TRUE(s.ok()) << s.error();
  EXPECT_EQ(s->user, "bob");
  EXPECT_EQ(failedLogins("bob"), "") << "a success clears the failures";

  auto replay = auth_.login("bob", "bobpw", code);
  EXPECT_FALSE(replay.ok()) << "a code works once";

  // Disabled again: the password alone works.
  ASSERT_TRUE(env_.users().setTotpEnabled("bob", false).ok());
  EXPECT_TRUE(auth_.login("bob", "bobpw", "").ok());
}

TEST_F(AuthenticatorTest, WrongTotpCodesCountTowardTheBlacklist) {
  const std::string secret = generateTotpSecret();
  ASSERT_TRUE(env_.users().setTotpSecret("bob", secret).ok());
  ASSERT_TRUE(env_.users().setTotpEnabled("bob", true).ok());
  for (int i = 0; i < kMaxFailedLogins; ++i) EXPECT_FALSE(auth_.login("bob", "bobpw", "").ok());
  EXPECT_TRUE(env_.users().isBlacklisted("bob"));
  const std::string code = totpCode(secret, std::time(nullptr)).value();
  EXPECT_FALSE(auth_.login("bob", "bobpw", code).ok());
}

}  // namespace
}  // namespace flowlens::auth
