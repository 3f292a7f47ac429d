// auth/users: UserService over TestEnv's embedded store (ntopng.user.<name>.<field> keys):
// names, roles, passwords, the admin's first password, API tokens, TOTP and the failed-login
// blacklist.

#include "auth/users.h"

#include <gtest/gtest.h>

#include <cctype>
#include <ctime>
#include <initializer_list>
#include <string>

#include "auth/totp.h"
#include "test_env.h"

namespace flowlens::auth {
namespace {

using flowlens::testing::TestEnv;

TEST(UserNameTest, ValidNames) {
  EXPECT_TRUE(validUserName("admin"));
  EXPECT_TRUE(validUserName("a"));
  EXPECT_TRUE(validUserName("Jane_Doe-2@corp"));
  EXPECT_TRUE(validUserName(std::string(64, 'x')));
}

TEST(UserNameTest, RefusesNamesThatCouldBreakKeysOrSessions) {
  for (const std::string& bad : std::initializer_list<std::string>{
           "a|b", "a.b", "a*", "a?", "a[b]", "a b", " ", "", "a:b", "a/b", "a\\b", "caf\xc3\xa9",
           std::string("a\0b", 3), "a\nb", std::string(65, 'x'), "\xff"}) {
    EXPECT_FALSE(validUserName(bad)) << "'" << bad << "'";
  }
}

TEST(UserNameTest, NormaliseRole) {
  EXPECT_EQ(normaliseRole("administrator"), "administrator");
  EXPECT_EQ(normaliseRole("unprivileged"), "unprivileged");
  EXPECT_EQ(normaliseRole("captivePortal"), "captive_portal");
  EXPECT_EQ(normaliseRole("captive_portal"), "captive_portal");
  EXPECT_EQ(normaliseRole("admin"), std::nullopt);
  EXPECT_EQ(normaliseRole("Administrator"), std::nullopt);
  EXPECT_EQ(normaliseRole(""), std::nullopt);
}

class UserServiceTest : public ::testing::Test {
 protected:
  UserService& users() { return env_.users(); }
  store::KvStore& kv() { return env_.cache().store(); }
  std::optional<std::string> raw(const std::string& key) {
    auto v = kv().get(key);
    EXPECT_TRUE(v.ok()) << v.error();
    return v ? *v : std::nullopt;
  }
  User make(const std::string& name, const std::string& group = kUnprivileged) {
    User u;
    u.name = name;
    u.group = group;
    return u;
  }
  std::optional<User> get(const std::string& name) {
    auto u = users().get(name);
    EXPECT_TRUE(u.ok()) << u.error();
    return u ? *u : std::nullopt;
  }
  bool authenticates(const std::string& name, const std::string& password) {
    auto u = users().authenticate(name, password);
    EXPECT_TRUE(u.ok()) << u.error();
    return u && u->has_value() && (*u)->name == name;
  }

  TestEnv env_;
};

TEST_F(UserServiceTest, TestEnvStartsWithAdminAdmin) {
  auto admin = get("admin");
  ASSERT_TRUE(admin);
  EXPECT_TRUE(admin->isAdministrator());
  EXPECT_EQ(admin->full_name, "Administrator");
  EXPECT_TRUE(authenticates("admin", "admin"));
}

TEST_F(UserServiceTest, AddGetListRemove) {
  User u = make("bob");
  u.full_name = "Bob B";
  u.allowed_nets = "10.0.0.0/8,192.168.1.0/24";
  u.allowed_ifname = "eth0";
  u.host_pool_id = "3";
  u.allowed_host_pools = "1,2";
  u.language = "it";
  u.allow_pcap = true;
  u.allow_alerts = true;
  ASSERT_TRUE(users().add(u, "bobpw").ok());

  auto got = get("bob");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->name, "bob");
  EXPECT_EQ(got->full_name, "Bob B");
  EXPECT_EQ(got->group, kUnprivileged);
  EXPECT_EQ(got->allowed_nets, "10.0.0.0/8,192.168.1.0/24");
  EXPECT_EQ(got->allowed_ifname, "eth0");
  EXPECT_EQ(got->host_pool_id, "3");
  EXPECT_EQ(got->allowed_host_pools, "1,2");
  EXPECT_EQ(got->language, "it");
  EXPECT_TRUE(got->allow_pcap);
  EXPECT_FALSE(got->allow_historical_flows);
  EXPECT_TRUE(got->allow_alerts);
  EXPECT_FALSE(got->totp_enabled);
  EXPECT_EQ(raw("ntopng.user.bob.group"), "unprivileged");
  EXPECT_EQ(raw("ntopng.user.bob.full_name"), "Bob B");

  ASSERT_TRUE(users().add(make("alice", kAdministrator), "alicepw").ok());
  auto list = users().list();
  ASSERT_TRUE(list.ok()) << list.error();
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].name, "admin");  // sorted by name
  EXPECT_EQ((*list)[1].name, "alice");
  EXPECT_EQ((*list)[2].name, "bob");
  EXPECT_TRUE((*list)[1].isAdministrator());

  ASSERT_TRUE(users().remove("bob").ok());
  EXPECT_FALSE(get("bob"));
  EXPECT_FALSE(authenticates("bob", "bobpw"));
  auto left = kv().keys("ntopng.user.bob.*");
  ASSERT_TRUE(left.ok());
  EXPECT_TRUE(left->empty()) << "every field of a removed user goes";
  list = users().list();
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 2u);
  EXPECT_FALSE(users().remove("bob").ok()) << "removing an unknown user fails";
  EXPECT_TRUE(get("alice")) << "removing bob leaves alice";
}

TEST_F(UserServiceTest, LanguageDefaultsToEnglish) {
  User u = make("carol");
  u.language = "";
  ASSERT_TRUE(users().add(u, "pw").ok());
  EXPECT_EQ(get("carol")->language, "en");
}

TEST_F(UserServiceTest, GetOfUnknownOrInvalidNameIsEmpty) {
  EXPECT_FALSE(get("nobody"));
  auto bad = users().get("a.b");
  ASSERT_TRUE(bad.ok());
  EXPECT_FALSE(bad->has_value());
}

TEST_F(UserServiceTest, DuplicateAddFails) {
  ASSERT_TRUE(users().add(make("bob"), "first").ok());
  Status again = users().add(make("bob", kAdministrator), "second");
  EXPECT_FALSE(again.ok());
  EXPECT_TRUE(authenticates("bob", "first")) << "the first user's password stays";
  EXPECT_FALSE(authenticates("bob", "second"));
  EXPECT_EQ(get("bob")->group, kUnprivileged);
  EXPECT_FALSE(users().add(make("admin"), "x").ok());
}

TEST_F(UserServiceTest, AddRefusesBadInput) {
  EXPECT_FALSE(users().add(make("a.b"), "pw").ok());
  EXPECT_FALSE(users().add(make("a|b"), "pw").ok());
  EXPECT_FALSE(users().add(make(""), "pw").ok());
  EXPECT_FALSE(users().add(make("nologin"), "pw").ok()) << "reserved";
  EXPECT_FALSE(users().add(make("bob"), "").ok()) << "empty password";
  EXPECT_FALSE(users().add(make("bob", "root"), "pw").ok()) << "unknown role";
  EXPECT_FALSE(get("bob"));
  auto keys = kv().keys("ntopng.user.bob.*");
  ASSERT_TRUE(keys.ok());
  EXPECT_TRUE(keys->empty()) << "a refused user leaves no keys";
}

TEST_F(UserServiceTest, RolesNormalise) {
  ASSERT_TRUE(users().add(make("cp", "captivePortal"), "pw").ok());
  EXPECT_EQ(get("cp")->group, kCaptivePortal);
  EXPECT_EQ(raw("ntopng.user.cp.group"), "captive_portal");
  ASSERT_TRUE(users().setRole("cp", "administrator").ok());
  EXPECT_TRUE(get("cp")->isAdministrator());
  ASSERT_TRUE(users().setRole("cp", "captivePortal").ok());
  EXPECT_EQ(get("cp")->group, kCaptivePortal);
  EXPECT_FALSE(users().setRole("cp", "superuser").ok());
  EXPECT_EQ(get("cp")->group, kCaptivePortal);
  EXPECT_FALSE(users().setRole("ghost", "administrator").ok());
}

TEST_F(UserServiceTest, InvalidAllowedNetsRefused) {
  for (const char* nets :
       {"10.0.0.0/33", "not-a-net", "10.0.0.0/8,bogus", "300.1.1.1", "fe80::/129"}) {
    User u = make("bob");
    u.allowed_nets = nets;
    EXPECT_FALSE(users().add(u, "pw").ok()) << nets;
    EXPECT_FALSE(get("bob")) << nets;
  }
  User ok = make("bob");
  ok.allowed_nets = "10.0.0.0/8,fe80::/10,192.168.1.1";
  ASSERT_TRUE(users().add(ok, "pw").ok());
  EXPECT_FALSE(users().setField("bob", "allowed_nets", "10.0.0.0/8,nonsense").ok());
  EXPECT_EQ(get("bob")->allowed_nets, "10.0.0.0/8,fe80::/10,192.168.1.1");
  EXPECT_TRUE(users().setField("bob", "allowed_nets", "172.16.0.0/12").ok());
  EXPECT_EQ(get("bob")->allowed_nets, "172.16.0.0/12");
  EXPECT_TRUE(users().setField("bob", "allowed_nets", "").ok()) << "empty: everything";
  EXPECT_EQ(get("bob")->allowed_nets, "");
}

TEST_F(UserServiceTest, SetFieldAndFlag) {
  ASSERT_TRUE(users().add(make("bob"), "pw").ok());
  EXPECT_TRUE(users().setField("bob", "full_name", "Robert").ok());
  EXPECT_TRUE(users().setField("bob", "language", "de").ok());
  EXPECT_TRUE(users().setField("bob", "allowed_ifname", "eth1").ok());
  EXPECT_TRUE(users().setField("bob", "host_pool_id", "7").ok());
  EXPECT_TRUE(users().setField("bob", "allowed_host_pools", "4,5").ok());
  EXPECT_TRUE(users().setFlag("bob", "allow_pcap", true).ok());
  EXPECT_TRUE(users().setFlag("bob", "allow_historical_flows", true).ok());
  EXPECT_TRUE(users().setFlag("bob", "allow_alerts", true).ok());
  auto u = get("bob");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->full_name, "Robert");
  EXPECT_EQ(u->language, "de");
  EXPECT_EQ(u->allowed_ifname, "eth1");
  EXPECT_EQ(u->host_pool_id, "7");
  EXPECT_EQ(u->allowed_host_pools, "4,5");
  EXPECT_TRUE(u->allow_pcap && u->allow_historical_flows && u->allow_alerts);
  EXPECT_TRUE(users().setFlag("bob", "allow_pcap", false).ok());
  EXPECT_FALSE(get("bob")->allow_pcap);
  // Only the listed fields: never the password, group or TOTP state.
  EXPECT_FALSE(users().setField("bob", "password", "x").ok());
  EXPECT_FALSE(users().setField("bob", "group", "administrator").ok());
  EXPECT_FALSE(users().setField("bob", "totp_secret", "GEZDGNBV").ok());
  EXPECT_FALSE(users().setFlag("bob", "totp_enabled", true).ok());
  EXPECT_EQ(get("bob")->group, kUnprivileged);
  EXPECT_TRUE(authenticates("bob", "pw"));
  EXPECT_FALSE(users().setField("ghost", "full_name", "x").ok());
  EXPECT_FALSE(users().setFlag("ghost", "allow_pcap", true).ok());
}

TEST_F(UserServiceTest, AuthenticateRightWrongUnknown) {
  ASSERT_TRUE(users().add(make("bob"), "bobpw").ok());
  auto ok = users().authenticate("bob", "bobpw");
  ASSERT_TRUE(ok.ok());
  ASSERT_TRUE(ok->has_value());
  EXPECT_EQ((*ok)->name, "bob");
  EXPECT_EQ((*ok)->group, kUnprivileged);
  EXPECT_FALSE(authenticates("bob", "wrong"));
  EXPECT_FALSE(authenticates("bob", ""));
  EXPECT_FALSE(authenticates("bob", "BOBPW"));
  EXPECT_FALSE(authenticates("ghost", "bobpw"));
  EXPECT_FALSE(authenticates("bob.x", "bobpw"));
}

TEST_F(UserServiceTest, SetPasswordReplacesTheOldOne) {
  ASSERT_TRUE(users().add(make("bob"), "old").ok());
  ASSERT_TRUE(users().setPassword("bob", "new").ok());
  EXPECT_FALSE(authenticates("bob", "old"));
  EXPECT_TRUE(authenticates("bob", "new"));
  EXPECT_FALSE(users().setPassword("bob", "").ok()) << "empty password";
  EXPECT_TRUE(authenticates("bob", "new"));
  EXPECT_FALSE(users().setPassword("ghost", "x").ok());
  EXPECT_FALSE(get("ghost")) << "setPassword does not create users";
}

TEST_F(UserServiceTest, PasswordNeverStoredInClear) {
  const std::string pw = "Very-Distinct-Passw0rd";
  ASSERT_TRUE(users().add(make("bob"), pw).ok());
  auto stored = raw("ntopng.user.bob.password");
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->rfind("$argon2id$", 0), 0u) << *stored;
  EXPECT_EQ(stored->find(pw), std::string::npos);
  auto keys = kv().keys("*");
  ASSERT_TRUE(keys.ok());
  for (const auto& k : *keys) {
    auto v = kv().get(k);
    if (v && *v) {
      EXPECT_EQ((*v)->find(pw), std::string::npos) << "in " << k;
    }
  }
  ASSERT_TRUE(users().setPassword("bob", pw + "2").ok());
  stored = raw("ntopng.user.bob.password");
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->rfind("$argon2id$", 0), 0u);
  EXPECT_EQ(stored->find(pw), std::string::npos);
}

TEST_F(UserServiceTest, AnMd5HashFromNtopngNeverAuthenticates) {
  ASSERT_TRUE(users().add(make("bob"), "pw").ok());
  ASSERT_TRUE(kv().set("ntopng.user.bob.password", "21232f297a57a5a743894a0e4a801fc3", 0).ok());
  EXPECT_FALSE(authenticates("bob", "admin"));
  EXPECT_FALSE(authenticates("bob", "21232f297a57a5a743894a0e4a801fc3"));
}

TEST_F(UserServiceTest, AdminMustChangePasswordUntilChanged) {
  EXPECT_TRUE(users().adminMustChangePassword());
  EXPECT_FALSE(raw("ntopng.prefs.admin_password_changed"));
  ASSERT_TRUE(users().setPassword("admin", "n3w").ok());
  EXPECT_FALSE(users().adminMustChangePassword());
  EXPECT_EQ(raw("ntopng.prefs.admin_password_changed"), "1");
  // Set back to "admin", it is a choice: the preference stays.
  ASSERT_TRUE(users().setPassword("admin", "admin").ok());
  EXPECT_FALSE(users().adminMustChangePassword());
}

TEST_F(UserServiceTest, AdminPasswordChangedPreferenceAlone) {
  ASSERT_TRUE(kv().set("ntopng.prefs.admin_password_changed", "1", 0).ok());
  EXPECT_FALSE(users().adminMustChangePassword());
  ASSERT_TRUE(kv().set("ntopng.prefs.admin_password_changed", "0", 0).ok());
  EXPECT_TRUE(users().adminMustChangePassword());
}

TEST_F(UserServiceTest, OtherUsersPasswordChangeDoesNotCount) {
  ASSERT_TRUE(users().add(make("bob", kAdministrator), "pw").ok());
  ASSERT_TRUE(users().setPassword("bob", "pw2").ok());
  EXPECT_TRUE(users().adminMustChangePassword());
}

TEST_F(UserServiceTest, EnsureAdminWithAPassword) {
  ASSERT_TRUE(users().ensureAdmin(std::string("Secr3t!")).ok());
  EXPECT_TRUE(authenticates("admin", "Secr3t!"));
  EXPECT_FALSE(authenticates("admin", "admin"));
  EXPECT_FALSE(users().adminMustChangePassword());
  EXPECT_TRUE(get("admin")->isAdministrator());
}

TEST_F(UserServiceTest, EnsureAdminWithoutPasswordKeepsAnExistingOne) {
  ASSERT_TRUE(users().setPassword("admin", "mine").ok());
  ASSERT_TRUE(users().ensureAdmin(std::nullopt).ok());
  EXPECT_TRUE(authenticates("admin", "mine"));
  EXPECT_FALSE(authenticates("admin", "admin"));
}

TEST_F(UserServiceTest, EnsureAdminRecreatesAdminWhenNoAdministratorIsLeft) {
  ASSERT_TRUE(users().remove("admin").ok());
  ASSERT_TRUE(users().ensureAdmin(std::nullopt).ok());
  EXPECT_TRUE(authenticates("admin", "admin"));
  EXPECT_TRUE(get("admin")->isAdministrator());
  EXPECT_TRUE(users().adminMustChangePassword());
}

TEST_F(UserServiceTest, TheLastAdministratorCannotBeDemoted) {
  Status st = users().setRole("admin", kUnprivileged);
  EXPECT_FALSE(st.ok());
  EXPECT_TRUE(get("admin")->isAdministrator());
  ASSERT_TRUE(users().add(make("root", kAdministrator), "pw").ok());
  EXPECT_TRUE(users().setRole("admin", kUnprivileged).ok()) << "another administrator remains";
}

// A demoted "admin" can still arise from outside flowlens (someone editing the store).
TEST_F(UserServiceTest, EnsureAdminWithPasswordPromotesADemotedAdmin) {
  ASSERT_TRUE(kv().set("ntopng.user.admin.group", kUnprivileged, 0).ok());
  ASSERT_TRUE(users().ensureAdmin(std::string("pw")).ok());
  EXPECT_TRUE(get("admin")->isAdministrator());
  EXPECT_TRUE(authenticates("admin", "pw"));
}

TEST_F(UserServiceTest, EnsureAdminLeavesAnotherAdministratorAlone) {
  ASSERT_TRUE(users().add(make("root", kAdministrator), "pw").ok());
  ASSERT_TRUE(users().remove("admin").ok());
  ASSERT_TRUE(users().ensureAdmin(std::nullopt).ok());
  EXPECT_FALSE(get("admin")) << "an administrator exists: admin is not recreated";
}

// The only administrator demoted behind flowlens's back: the next start (ensureAdmin without a
// password) must still give the installation an administrator rather than fail.
TEST_F(UserServiceTest, EnsureAdminWhenTheOnlyAdminWasDemoted) {
  ASSERT_TRUE(kv().set("ntopng.user.admin.group", kUnprivileged, 0).ok());
  Status st = users().ensureAdmin(std::nullopt);
  EXPECT_TRUE(st.ok()) << st.error();
  auto list = users().list();
  ASSERT_TRUE(list.ok());
  int admins = 0;
  for (const auto& u : *list) admins += u.isAdministrator();
  EXPECT_GE(admins, 1) << "no administrator after ensureAdmin";
}

TEST_F(UserServiceTest, ListSkipsKeysWithInvalidNames) {
  ASSERT_TRUE(kv().set("ntopng.user.bad.name.password", "$argon2id$x", 0).ok());
  ASSERT_TRUE(kv().set("ntopng.user.a|b.password", "$argon2id$x", 0).ok());
  auto list = users().list();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].name, "admin");
}

TEST_F(UserServiceTest, ApiTokenCreateLookupAndRevoke) {
  ASSERT_TRUE(users().add(make("bob"), "pw").ok());
  auto none = users().apiToken("bob");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  auto t1 = users().createApiToken("bob");
  ASSERT_TRUE(t1.ok()) << t1.error();
  EXPECT_EQ(t1->size(), 32u);
  EXPECT_EQ(t1->find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(users().apiToken("bob").value(), *t1);
  EXPECT_EQ(raw("ntopng.user.bob.api_token"), *t1);
  EXPECT_EQ(kv().hget("ntopng.api_tokens", *t1).value(), "bob");
  EXPECT_EQ(users().userForToken(*t1).value(), "bob");

  auto t2 = users().createApiToken("bob");
  ASSERT_TRUE(t2.ok());
  EXPECT_NE(*t1, *t2);
  EXPECT_EQ(users().userForToken(*t2).value(), "bob");
  EXPECT_FALSE(users().userForToken(*t1).value().has_value()) << "the old token is revoked";
  EXPECT_FALSE(kv().hget("ntopng.api_tokens", *t1).value().has_value());

  // Removing the user revokes its token.
  ASSERT_TRUE(users().remove("bob").ok());
  EXPECT_FALSE(users().userForToken(*t2).value().has_value());
  EXPECT_FALSE(kv().hget("ntopng.api_tokens", *t2).value().has_value());
  EXPECT_FALSE(users().createApiToken("bob").ok()) << "no token for an unknown user";
}

TEST_F(UserServiceTest, UserForTokenRejectsWrongTokens) {
  ASSERT_TRUE(users().add(make("bob"), "pw").ok());
  auto t = users().createApiToken("bob");
  ASSERT_TRUE(t.ok());
  for (const std::string& bad :
       std::initializer_list<std::string>{std::string(), t->substr(0, 31), *t + "0", *t + *t,
                                          std::string(32, '0'), t->substr(0, 31) + "\n"}) {
    auto r = users().userForToken(bad);
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_FALSE(r->has_value()) << "'" << bad << "'";
  }
  std::string upper = *t;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper != *t) {
    EXPECT_FALSE(users().userForToken(upper).value().has_value());
  }
}

// A token left in ntopng.api_tokens that the user's record no longer names (e.g. a failed
// revocation) does not authenticate.
TEST_F(UserServiceTest, StaleTokenMappingDoesNotAuthenticate) {
  ASSERT_TRUE(users().add(make("bob"), "pw").ok());
  ASSERT_TRUE(users().createApiToken("bob").ok());
  const std::string stale(32, 'a');
  ASSERT_TRUE(kv().hset("ntopng.api_tokens", stale, "bob").ok());
  EXPECT_FALSE(users().userForToken(stale).value().has_value());
  ASSERT_TRUE(kv().hset("ntopng.api_tokens", stale, "admin").ok());
  EXPECT_FALSE(users().userForToken(stale).value().has_value()) << "admin has no token";
}

TEST_F(UserServiceTest, TotpSecretAndEnable) {
  ASSERT_TRUE(users().add(make("bob"), "pw").ok());
  EXPECT_FALSE(users().setTotpEnabled("bob", true).ok()) << "no secret yet";
  EXPECT_FALSE(get("bob")->totp_enabled);
  EXPECT_FALSE(users().totpSecret("bob").value().has_value());
  EXPECT_FALSE(users().setTotpSecret("bob", "not base32!").ok());
  EXPECT_FALSE(users().setTotpSecret("ghost", generateTotpSecret()).ok());

  const std::string secret = generateTotpSecret();
  ASSERT_TRUE(users().setTotpSecret("bob", secret).ok());
  EXPECT_EQ(users().totpSecret("bob").value(), secret);
  EXPECT_EQ(raw("ntopng.user.bob.totp_secret"), secret);
  EXPECT_FALSE(get("bob")->totp_enabled) << "a secret alone does not enable TOTP";
  ASSERT_TRUE(users().setTotpEnabled("bob", true).ok());
  EXPECT_TRUE(get("bob")->totp_enabled);
  ASSERT_TRUE(users().setTotpEnabled("bob", false).ok());
  EXPECT_FALSE(get("bob")->totp_enabled);
  EXPECT_FALSE(users().setTotpEnabled("ghost", false).ok());
}

TEST_F(UserServiceTest, CheckTotpRightCodeThenReplayThenWrong) {
  ASSERT_TRUE(users().add(make("bob"), "pw").ok());
  const std::string secret = generateTotpSecret();
  ASSERT_TRUE(users().setTotpSecret("bob", secret).ok());
  const time_t now = 1700000000;
  const std::string code = totpCode(secret, now).value();

  auto first = users().checkTotp("bob", code, now);
  ASSERT_TRUE(first.ok()) << first.error();
  EXPECT_TRUE(*first);
  EXPECT_EQ(raw("ntopng.user.bob.totp_last_step"), std::to_string(now / 30));
  EXPECT_FALSE(users().checkTotp("bob", code, now).value()) << "replay of the same code";
  EXPECT_FALSE(users().checkTotp("bob", code, now + 5).value()) << "replay within the step";
  // The previous step's code is older than the one used: refused too.
  EXPECT_FALSE(users().checkTotp("bob", totpCode(secret, now - 30).value(), now).value());
  // The next step's code is newer: accepted once.
  const std::string next = totpCode(secret, now + 30).value();
  EXPECT_TRUE(users().checkTotp("bob", next, now + 30).value());
  EXPECT_FALSE(users().checkTotp("bob", next, now + 30).value());
  // Wrong codes.
  const std::string later = totpCode(secret, now + 300).value();
  std::string wrong = later;
  wrong[5] = wrong[5] == '9' ? '0' : static_cast<char>(wrong[5] + 1);
  EXPECT_FALSE(users().checkTotp("bob", wrong, now + 300).value());
  EXPECT_FALSE(users().checkTotp("bob", "abcdef", now + 300).value());
  EXPECT_FALSE(users().checkTotp("bob", "", now + 300).value());
  EXPECT_TRUE(users().checkTotp("bob", later, now + 300).value()) << "wrong codes cost nothing";
}

TEST_F(UserServiceTest, CheckTotpWithoutSecretIsFalse) {
  ASSERT_TRUE(users().add(make("bob"), "pw").ok());
  auto r = users().checkTotp("bob", "123456", 1700000000);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(*r);
  EXPECT_FALSE(users().checkTotp("ghost", "123456", 1700000000).value());
}

TEST_F(UserServiceTest, NewTotpSecretResetsReplayState) {
  ASSERT_TRUE(users().add(make("bob"), "pw").ok());
  const time_t now = 1700000000;
  const std::string s1 = generateTotpSecret();
  ASSERT_TRUE(users().setTotpSecret("bob", s1).ok());
  ASSERT_TRUE(users().checkTotp("bob", totpCode(s1, now + 30).value(), now + 30).value());
  const std::string s2 = generateTotpSecret();
  ASSERT_TRUE(users().setTotpSecret("bob", s2).ok());
  EXPECT_FALSE(raw("ntopng.user.bob.totp_last_step"));
  EXPECT_TRUE(users().checkTotp("bob", totpCode(s2, now).value(), now).value());
  EXPECT_FALSE(users().checkTotp("bob", totpCode(s1, now + 60).value(), now + 60).value())
      << "the old secret's codes no longer work";
}

TEST_F(UserServiceTest, BlacklistAfterFiveFailedLogins) {
  ASSERT_TRUE(users().add(make("bob"), "pw").ok());
  EXPECT_FALSE(users().isBlacklisted("bob"));
  for (int i = 1; i < kMaxFailedLogins; ++i) {
    users().recordFailedLogin("bob");
    EXPECT_FALSE(users().isBlacklisted("bob")) << "after " << i << " failures";
  }
  EXPECT_EQ(raw("ntopng.cache.failed_logins.bob"), std::to_string(kMaxFailedLogins - 1));
  users().recordFailedLogin("bob");
  EXPECT_TRUE(users().isBlacklisted("bob"));
  EXPECT_EQ(raw("ntopng.cache.failed_logins.bob"), "5");
  users().recordFailedLogin("bob");
  EXPECT_TRUE(users().isBlacklisted("bob"));
  EXPECT_FALSE(users().isBlacklisted("admin")) << "per user";
  users().clearFailedLogins("bob");
  EXPECT_FALSE(users().isBlacklisted("bob"));
  EXPECT_FALSE(raw("ntopng.cache.failed_logins.bob"));
}

TEST_F(UserServiceTest, BlacklistCountsUnknownNamesButNotInvalidOnes) {
  for (int i = 0; i < kMaxFailedLogins; ++i) users().recordFailedLogin("ghost");
  EXPECT_TRUE(users().isBlacklisted("ghost")) << "guessing at names is throttled too";
  for (int i = 0; i < kMaxFailedLogins; ++i) users().recordFailedLogin("a.b");
  EXPECT_FALSE(raw("ntopng.cache.failed_logins.a.b")) << "no key from an invalid name";
}

TEST_F(UserServiceTest, BlacklistReadsTheStoredCounter) {
  ASSERT_TRUE(kv().set("ntopng.cache.failed_logins.bob", "5", 300).ok());
  EXPECT_TRUE(users().isBlacklisted("bob"));
  ASSERT_TRUE(kv().set("ntopng.cache.failed_logins.bob", "4", 300).ok());
  EXPECT_FALSE(users().isBlacklisted("bob"));
  ASSERT_TRUE(kv().set("ntopng.cache.failed_logins.bob", "garbage", 300).ok());
  EXPECT_FALSE(users().isBlacklisted("bob"));
}

TEST(UserAccessTest, MayAccess) {
  User u;
  auto ip = [](const char* s) { return util::parseIp(s).value(); };
  EXPECT_TRUE(u.mayAccess(ip("8.8.8.8"))) << "no restriction";
  EXPECT_TRUE(u.mayAccess(ip("2001:db8::1")));
  u.allowed_nets = "10.0.0.0/8, 192.168.1.0/24 ,fe80::/10";
  EXPECT_EQ(u.allowedNetworks().size(), 3u);
  EXPECT_TRUE(u.mayAccess(ip("10.1.2.3")));
  EXPECT_TRUE(u.mayAccess(ip("192.168.1.200")));
  EXPECT_FALSE(u.mayAccess(ip("192.168.2.1")));
  EXPECT_FALSE(u.mayAccess(ip("11.0.0.1")));
  EXPECT_TRUE(u.mayAccess(ip("fe80::1")));
  EXPECT_FALSE(u.mayAccess(ip("2001:db8::1")));
  u.allowed_nets = "192.168.1.7";
  EXPECT_TRUE(u.mayAccess(ip("192.168.1.7")));
  EXPECT_FALSE(u.mayAccess(ip("192.168.1.8")));
}

TEST(UserAccessTest, MayAccessInterface) {
  User u;
  EXPECT_TRUE(u.mayAccessInterface("eth0"));
  EXPECT_TRUE(u.mayAccessInterface("lo"));
  u.allowed_ifname = "eth0";
  EXPECT_TRUE(u.mayAccessInterface("eth0"));
  EXPECT_FALSE(u.mayAccessInterface("lo"));
  EXPECT_FALSE(u.mayAccessInterface("eth01"));
  EXPECT_FALSE(u.mayAccessInterface(""));
}

TEST(UserAccessTest, IsAdministrator) {
  User u;
  EXPECT_FALSE(u.isAdministrator());
  u.group = kCaptivePortal;
  EXPECT_FALSE(u.isAdministrator());
  u.group = kAdministrator;
  EXPECT_TRUE(u.isAdministrator());
}

}  // namespace
}  // namespace flowlens::auth
