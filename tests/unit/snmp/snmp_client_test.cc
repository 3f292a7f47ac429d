// snmp::perform and AsyncEngine against a real snmpd (tests/support/snmp_agent).

#include "snmp/snmp_client.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "snmp_agent.h"

namespace flowlens::snmp {
namespace {

using testing::SnmpAgent;
constexpr const char* kSysDescr = "1.3.6.1.2.1.1.1.0";
constexpr const char* kSysUpTime = "1.3.6.1.2.1.1.3.0";
constexpr const char* kSysContact = "1.3.6.1.2.1.1.4.0";
constexpr const char* kSysName = "1.3.6.1.2.1.1.5.0";
constexpr const char* kSysLocation = "1.3.6.1.2.1.1.6.0";

class SnmpClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { agent_ = new SnmpAgent(); }
  static void TearDownTestSuite() {
    delete agent_;
    agent_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(agent_->ok()) << agent_->error(); }

  static Request v2c(Request::Op op, std::vector<std::string> oids,
                     const std::string& community = "public") {
    Request r;
    r.op = op;
    r.host = agent_->peer();
    r.credentials.community = community;
    r.oids = std::move(oids);
    r.timeout = std::chrono::milliseconds(3000);
    return r;
  }
  static std::map<std::string, std::string> asMap(const std::vector<Varbind>& v) {
    std::map<std::string, std::string> m;
    for (const auto& b : v) m[b.oid] = b.value;
    return m;
  }

  static inline SnmpAgent* agent_ = nullptr;
};

TEST_F(SnmpClientTest, GetRendersTypes) {
  auto r = perform(v2c(Request::Op::kGet, {kSysName, kSysContact, kSysUpTime, kSysDescr}));
  ASSERT_TRUE(r.ok()) << r.error();
  auto m = asMap(*r);
  EXPECT_EQ(m[kSysName], SnmpAgent::kSysName);       // OCTET STRING
  EXPECT_EQ(m[kSysContact], "noc@example.org");
  EXPECT_FALSE(m[kSysUpTime].empty());                // TimeTicks: hundredths, in decimal
  EXPECT_EQ(m[kSysUpTime].find_first_not_of("0123456789"), std::string::npos) << m[kSysUpTime];
  EXPECT_NE(m[kSysDescr].find("Linux"), std::string::npos) << m[kSysDescr];
  // sysObjectID is an OID, rendered dotted.
  r = perform(v2c(Request::Op::kGet, {"1.3.6.1.2.1.1.2.0"}));
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ((*r)[0].value.rfind("1.3.6.1.4.1.8072", 0), 0u) << (*r)[0].value;  // net-snmp's
}

TEST_F(SnmpClientTest, V1AndLeadingDot) {
  Request r = v2c(Request::Op::kGet, {std::string(".") + kSysName});
  r.credentials.version = Credentials::Version::kV1;
  auto a = perform(r);
  ASSERT_TRUE(a.ok()) << a.error();
  EXPECT_EQ(a->at(0).oid, kSysName);
  EXPECT_EQ(a->at(0).value, SnmpAgent::kSysName);
}

TEST_F(SnmpClientTest, MissingObjectsAreLeftOutOrAnError) {
  auto r = perform(v2c(Request::Op::kGet, {kSysName, "1.3.6.1.2.1.1.99.0"}));
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->size(), 1u);  // v2c: noSuchObject left out
  Request v1 = v2c(Request::Op::kGet, {"1.3.6.1.2.1.1.99.0"});
  v1.credentials.version = Credentials::Version::kV1;
  auto e = perform(v1);
  EXPECT_FALSE(e.ok());  // v1: noSuchName is the answer's error
  EXPECT_NE(e.error().find("noSuchName"), std::string::npos) << e.error();
}

TEST_F(SnmpClientTest, GetNextAndBulkWalkForward) {
  auto r = perform(v2c(Request::Op::kGetNext, {"1.3.6.1.2.1.1.5"}));
  ASSERT_TRUE(r.ok()) << r.error();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ(r->at(0).oid, kSysName);

  Request bulk = v2c(Request::Op::kGetBulk, {"1.3.6.1.2.1.1"});
  bulk.bulk_repetitions = 5;
  r = perform(bulk);
  ASSERT_TRUE(r.ok()) << r.error();
  ASSERT_EQ(r->size(), 5u);
  EXPECT_EQ(r->at(0).oid, kSysDescr);
  EXPECT_EQ(r->at(4).oid, kSysName);
}

TEST_F(SnmpClientTest, SetNeedsTheWriteCommunity) {
  Request set;
  set.op = Request::Op::kSet;
  set.host = agent_->peer();
  set.credentials.community = "private";
  set.values = {{kSysLocation, 's', "rack 42"}};
  auto r = perform(set);
  ASSERT_TRUE(r.ok()) << r.error();
  auto got = perform(v2c(Request::Op::kGet, {kSysLocation}));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->at(0).value, "rack 42");

  set.credentials.community = "public";
  set.values = {{kSysLocation, 's', "nope"}};
  EXPECT_FALSE(perform(set).ok());  // read-only community
  set.credentials.community = "private";
  set.values = {{kSysLocation, 'i', "not a number"}};
  EXPECT_FALSE(perform(set).ok());
  got = perform(v2c(Request::Op::kGet, {kSysLocation}));
  EXPECT_EQ(got->at(0).value, "rack 42");
}

TEST_F(SnmpClientTest, V3AuthPrivAndBadCredentials) {
  Request r = v2c(Request::Op::kGet, {kSysName});
  r.credentials = {};
  r.credentials.version = Credentials::Version::kV3;
  r.credentials.user = "authpriv";
  r.credentials.level = "authPriv";
  r.credentials.auth_protocol = "SHA";
  r.credentials.auth_passphrase = SnmpAgent::kAuthPass;
  r.credentials.priv_protocol = "AES";
  r.credentials.priv_passphrase = SnmpAgent::kPrivPass;
  auto a = perform(r);
  ASSERT_TRUE(a.ok()) << a.error();
  EXPECT_EQ(a->at(0).value, SnmpAgent::kSysName);

  Request md5 = r;
  md5.credentials.user = "md5des";
  md5.credentials.auth_protocol = "md5";
  md5.credentials.priv_protocol = "des";
  a = perform(md5);
  ASSERT_TRUE(a.ok()) << a.error();

  Request wrong = r;
  wrong.credentials.auth_passphrase = "wrong-passphrase";
  wrong.timeout = std::chrono::milliseconds(1500);
  EXPECT_FALSE(perform(wrong).ok()) << "net-snmp's cached keys of the right passphrase unused";
  EXPECT_TRUE(perform(r).ok()) << "and the right one works after a wrong one";
  Request unknown = r;
  unknown.credentials.auth_protocol = "CRC32";
  auto e = perform(unknown);
  EXPECT_FALSE(e.ok());
  EXPECT_NE(e.error().find("CRC32"), std::string::npos);
  Request short_pass = r;
  short_pass.credentials.priv_passphrase = "short";
  EXPECT_FALSE(perform(short_pass).ok());
}

TEST_F(SnmpClientTest, BadRequestsAndSilentAgents) {
  EXPECT_FALSE(perform(v2c(Request::Op::kGet, {"1.3.x.1"})).ok());
  EXPECT_FALSE(perform(v2c(Request::Op::kGet, {})).ok());
  EXPECT_FALSE(perform(v2c(Request::Op::kGet, {"1.3.6.1.2.1.1.5.99999999999"})).ok());
  Request wrong_community = v2c(Request::Op::kGet, {kSysName}, "guess");
  wrong_community.timeout = std::chrono::milliseconds(600);
  const auto t0 = std::chrono::steady_clock::now();
  auto r = perform(wrong_community);  // snmpd ignores unknown communities: a timeout
  EXPECT_FALSE(r.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(2500));
  EXPECT_NE(r.error().find("no answer"), std::string::npos) << r.error();
}

TEST_F(SnmpClientTest, ParseOid) {
  EXPECT_EQ(parseOid(".1.3.6"), (std::vector<uint64_t>{1, 3, 6}));
  EXPECT_FALSE(parseOid("1"));
  EXPECT_FALSE(parseOid("1..3"));
  EXPECT_FALSE(parseOid("1.3."));
  EXPECT_FALSE(parseOid("iso.3.6"));
  EXPECT_FALSE(parseOid("1.3.4294967296"));
  EXPECT_TRUE(parseOid("1.3.4294967295"));
}

TEST_F(SnmpClientTest, AsyncEngineAnswersEveryRequest) {
  AsyncEngine engine;
  std::set<std::string> tags;
  for (int i = 0; i < 8; ++i) {
    Request r = v2c(Request::Op::kGet, {kSysName});
    r.tag = "t" + std::to_string(i);
    tags.insert(r.tag);
    ASSERT_TRUE(engine.submit(r).ok());
  }
  Request silent = v2c(Request::Op::kGet, {kSysName}, "guess");
  silent.tag = "silent";
  silent.timeout = std::chrono::milliseconds(500);
  ASSERT_TRUE(engine.submit(silent).ok());
  std::set<std::string> got;
  bool silent_failed = false;
  while (auto a = engine.next(std::chrono::milliseconds(3000))) {
    if (a->tag == "silent") {
      silent_failed = !a->varbinds.ok();
      continue;
    }
    ASSERT_TRUE(a->varbinds.ok()) << a->varbinds.error();
    EXPECT_EQ(a->varbinds->at(0).value, SnmpAgent::kSysName);
    got.insert(a->tag);
  }
  EXPECT_EQ(got, tags);
  EXPECT_TRUE(silent_failed);
  EXPECT_EQ(engine.pending(), 0u);
  EXPECT_FALSE(engine.next(std::chrono::milliseconds(0)));
}

TEST_F(SnmpClientTest, AsyncEngineIsBounded) {
  AsyncEngine engine;
  for (size_t i = 0; i < AsyncEngine::kMaxInFlight; ++i) {
    ASSERT_TRUE(engine.submit(v2c(Request::Op::kGet, {kSysName})).ok());
  }
  EXPECT_FALSE(engine.submit(v2c(Request::Op::kGet, {kSysName})).ok());
}

}  // namespace
}  // namespace flowlens::snmp
