// auth/sessions: sessions.<id> = "user|group|csrf|localuser" in the store, strict parsing of
// ids and values, the group read from the user's record, and the TTL.

#include "auth/sessions.h"

#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <initializer_list>
#include <string>
#include <thread>

#include "test_env.h"

namespace flowlens::auth {
namespace {

using flowlens::testing::TestEnv;
using std::chrono::seconds;

class SessionServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    User bob;
    bob.name = "bob";
    ASSERT_TRUE(env_.users().add(bob, "pw").ok());
  }
  SessionService& sessions() { return env_.sessions(); }
  store::KvStore& kv() { return env_.cache().store(); }
  std::optional<Session> lookup(std::string_view id) {
    auto s = sessions().lookup(id);
    EXPECT_TRUE(s.ok()) << s.error();
    return s ? *s : std::nullopt;
  }
  // A well-formed id and csrf that no session uses.
  static std::string id() { return std::string(64, 'a'); }
  static std::string csrf() { return std::string(32, 'b'); }
  void put(const std::string& value) { ASSERT_TRUE(kv().set("sessions." + id(), value, 60).ok()); }

  TestEnv env_;
};

TEST_F(SessionServiceTest, CreateLookupDestroy) {
  auto s = sessions().create("bob");
  ASSERT_TRUE(s.ok()) << s.error();
  EXPECT_EQ(s->id.size(), 64u);
  EXPECT_EQ(s->id.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(s->csrf.size(), 32u);
  EXPECT_EQ(s->csrf.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(s->user, "bob");
  EXPECT_EQ(s->group, kUnprivileged);
  EXPECT_TRUE(s->localuser);

  auto stored = kv().get("sessions." + s->id);
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ(**stored, "bob|unprivileged|" + s->csrf + "|1");

  auto found = lookup(s->id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, s->id);
  EXPECT_EQ(found->user, "bob");
  EXPECT_EQ(found->group, kUnprivileged);
  EXPECT_EQ(found->csrf, s->csrf);
  EXPECT_TRUE(found->localuser);

  ASSERT_TRUE(sessions().destroy(s->id).ok());
  EXPECT_FALSE(lookup(s->id));
  EXPECT_FALSE(kv().get("sessions." + s->id).value().has_value());
  EXPECT_TRUE(sessions().destroy(s->id).ok()) << "destroying twice is harmless";
  EXPECT_TRUE(sessions().destroy("not-an-id").ok());
}

TEST_F(SessionServiceTest, EachSessionIsNew) {
  auto a = sessions().create("bob");
  auto b = sessions().create("bob");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->id, b->id);
  EXPECT_NE(a->csrf, b->csrf);
  ASSERT_TRUE(sessions().destroy(a->id).ok());
  EXPECT_FALSE(lookup(a->id));
  EXPECT_TRUE(lookup(b->id)) << "destroying one session leaves the others";
}

TEST_F(SessionServiceTest, CreateRefusesUnknownUsersAndBadDurations) {
  EXPECT_FALSE(sessions().create("ghost").ok());
  EXPECT_FALSE(sessions().create("a|b").ok());
  EXPECT_FALSE(sessions().create("").ok());
  EXPECT_FALSE(sessions().create("bob", seconds(0)).ok());
  EXPECT_FALSE(sessions().create("bob", seconds(-5)).ok());
  auto keys = kv().keys("sessions.*");
  ASSERT_TRUE(keys.ok());
  EXPECT_TRUE(keys->empty());
}

TEST_F(SessionServiceTest, AdministratorSession) {
  auto s = sessions().create("admin");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->group, kAdministrator);
  EXPECT_EQ(lookup(s->id)->group, kAdministrator);
}

TEST_F(SessionServiceTest, LookupRefusesMalformedIds) {
  auto s = sessions().create("bob");
  ASSERT_TRUE(s.ok());
  std::string upper = s->id;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const std::string& bad : std::initializer_list<std::string>{
           "", s->id.substr(0, 63), s->id + "0", s->id.substr(0, 63) + "g", upper,
           s->id.substr(0, 32), "*", "../" + s->id.substr(3), s->id.substr(0, 63) + "*",
           s->id.substr(0, 62) + "\r\n"}) {
    if (bad == s->id) continue;
    EXPECT_FALSE(lookup(bad)) << "'" << bad << "'";
  }
  EXPECT_TRUE(lookup(s->id));
}

TEST_F(SessionServiceTest, LookupRefusesAKeyWithNonHexIdEvenWhenStored) {
  const std::string id(64, 'Z');
  ASSERT_TRUE(kv().set("sessions." + id, "bob|unprivileged|" + csrf() + "|1", 60).ok());
  EXPECT_FALSE(lookup(id));
}

TEST_F(SessionServiceTest, LookupAcceptsAWellFormedStoredValue) {
  put("bob|unprivileged|" + csrf() + "|1");
  auto s = lookup(id());
  ASSERT_TRUE(s);
  EXPECT_EQ(s->user, "bob");
  EXPECT_EQ(s->csrf, csrf());
  EXPECT_TRUE(s->localuser);
  put("bob|unprivileged|" + csrf() + "|0");
  s = lookup(id());
  ASSERT_TRUE(s);
  EXPECT_FALSE(s->localuser);
}

TEST_F(SessionServiceTest, LookupRefusesValuesWithThreeOrFiveFields) {
  put("bob|unprivileged|" + csrf());
  EXPECT_FALSE(lookup(id())) << "three fields";
  put("bob|unprivileged|" + csrf() + "|1|extra");
  EXPECT_FALSE(lookup(id())) << "five fields";
  put("bob|administrator|" + csrf() + "|1|");
  EXPECT_FALSE(lookup(id())) << "a trailing '|'";
  put("bob");
  EXPECT_FALSE(lookup(id())) << "one field";
  put("");
  EXPECT_FALSE(lookup(id())) << "empty";
  put("|||");
  EXPECT_FALSE(lookup(id())) << "four empty fields";
}

TEST_F(SessionServiceTest, LookupRefusesABadCsrfField) {
  put("bob|unprivileged||1");
  EXPECT_FALSE(lookup(id()));
  put("bob|unprivileged|" + std::string(31, 'b') + "|1");
  EXPECT_FALSE(lookup(id()));
  put("bob|unprivileged|" + std::string(32, 'X') + "|1");
  EXPECT_FALSE(lookup(id()));
}

TEST_F(SessionServiceTest, LookupRefusesADeletedUser) {
  auto s = sessions().create("bob");
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(lookup(s->id));
  ASSERT_TRUE(env_.users().remove("bob").ok());
  EXPECT_FALSE(lookup(s->id));
  put("ghost|administrator|" + csrf() + "|1");
  EXPECT_FALSE(lookup(id())) << "a user that never existed";
}

TEST_F(SessionServiceTest, LookupRefusesAnInvalidUserName) {
  // Names a valid user only once cut at a character a name cannot hold.
  for (const std::string& user : std::initializer_list<std::string>{
           "bob.x", "bob*", "b ob", "", "bob\n", std::string("bob\0", 4)}) {
    put(user + "|administrator|" + csrf() + "|1");
    EXPECT_FALSE(lookup(id())) << "'" << user << "'";
  }
}

TEST_F(SessionServiceTest, GroupComesFromTheUserRecord) {
  auto s = sessions().create("bob");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(lookup(s->id)->group, kUnprivileged);
  ASSERT_TRUE(env_.users().setRole("bob", kAdministrator).ok());
  EXPECT_EQ(lookup(s->id)->group, kAdministrator) << "a promotion applies at once";
  ASSERT_TRUE(env_.users().setRole("bob", "captivePortal").ok());
  EXPECT_EQ(lookup(s->id)->group, kCaptivePortal) << "a demotion applies at once";
  // A forged group in the stored value is ignored.
  put("bob|administrator|" + csrf() + "|1");
  EXPECT_EQ(lookup(id())->group, kCaptivePortal);
}

TEST_F(SessionServiceTest, DurationFromTheService) {
  EXPECT_EQ(sessions().duration(), seconds(3600));
}

TEST_F(SessionServiceTest, ShortSessionExpires) {
  auto s = sessions().create("bob", seconds(1));
  ASSERT_TRUE(s.ok()) << s.error();
  auto stored = kv().get("sessions." + s->id);
  ASSERT_TRUE(stored.ok() && stored->has_value()) << "stored at once";
  std::this_thread::sleep_for(std::chrono::milliseconds(2200));
  EXPECT_FALSE(lookup(s->id)) << "a 1 s session is gone after 2.2 s";
  EXPECT_FALSE(kv().get("sessions." + s->id).value().has_value());
}

TEST_F(SessionServiceTest, LongSessionOutlivesAShortOne) {
  auto shorter = sessions().create("bob", seconds(1));
  auto longer = sessions().create("bob", seconds(30));
  ASSERT_TRUE(shorter.ok() && longer.ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(2200));
  EXPECT_FALSE(lookup(shorter->id));
  EXPECT_TRUE(lookup(longer->id));
}

// A session created with an explicit short duration (ntop.createUserSession(user, 1)) keeps
// it when used: using it must not stretch it to the service's default (an hour here).
TEST_F(SessionServiceTest, UsingAShortSessionDoesNotExtendItToTheDefaultDuration) {
  auto s = sessions().create("bob", seconds(1));
  ASSERT_TRUE(s.ok()) << s.error();
  ASSERT_TRUE(lookup(s->id)) << "usable at once";
  std::this_thread::sleep_for(std::chrono::milliseconds(2200));
  EXPECT_FALSE(lookup(s->id)) << "a 1 s session, used once, is still alive after 2.2 s";
}

}  // namespace
}  // namespace flowlens::auth
