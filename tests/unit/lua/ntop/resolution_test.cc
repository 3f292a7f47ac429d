// ntop.* section 10 against a real DNS server: a dnsmasq on loopback (--dns-servers), as the
// daemon would use one. The Lua test (tests/lua/enrich_test.lua) covers the rest of the section
// without DNS.

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "dns_server.h"
#include "test_env.h"

namespace flowlens::lua {
namespace {

class ResolutionBindingTest : public ::testing::Test {
 protected:
  static Options options(const std::string& servers, int dns_mode) {
    Options o;
    o.dns_servers = servers;
    o.dns_mode = dns_mode;
    return o;
  }

  // Runs `code` and returns what it printed.
  static std::string run(testing::TestEnv& env, LuaState& state, const std::string& code) {
    Response resp;
    Status st = testing::runLua(state, code, &resp);
    EXPECT_TRUE(st.ok()) << st.error();
    return resp.body;
  }

  testing::DnsServer dns_{{{"10.77.0.1", "alpha.flowlens.test"},
                           {"10.77.0.2", "beta.flowlens.test"},
                           {"fd00:77::5", "gamma.flowlens.test"}},
                          "flowlens.test"};
};

TEST_F(ResolutionBindingTest, ResolveNameThenGetResolvedName) {
  ASSERT_TRUE(dns_.ok()) << dns_.error();
  testing::TestEnv env(options(dns_.servers(), 0));
  auto state = env.newState();
  EXPECT_EQ(run(env, *state, "print(ntop.resolveName('10.77.0.1'), ntop.resolveName('10.77.0.9'))"),
            "nilnil");  // returns at once
  std::string name;
  for (int i = 0; i < 500 && name != "alpha.flowlens.test"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    name = run(env, *state, "print(ntop.getResolvedName('10.77.0.1'))");
  }
  EXPECT_EQ(name, "alpha.flowlens.test");
  EXPECT_EQ(run(env, *state, "print(getResolvedAddress({host = '10.77.0.1', vlan = 2}))"),
            "alpha.flowlens.test@2");
  // Stored under ntopng's key.
  for (int i = 0; i < 500; ++i) {
    if (run(env, *state, "print(ntop.getCache('ntopng.dns.cache.10.77.0.1'))") != "") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(run(env, *state, "print(ntop.getCache('ntopng.dns.cache.10.77.0.1'))"),
            "alpha.flowlens.test");
  // NXDOMAIN: no name, and the wrapper gives the address.
  for (int i = 0; i < 500 && env.enrichment().resolver().stats().not_found == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(env.enrichment().resolver().stats().not_found, 1u);
  EXPECT_EQ(run(env, *state, "print(ntop.getResolvedName('10.77.0.9'))"), "nil");
  EXPECT_EQ(run(env, *state, "print(resolveAddress('10.77.0.9'))"), "10.77.0.9");
}

TEST_F(ResolutionBindingTest, ResolveHostForwardLookups) {
  ASSERT_TRUE(dns_.ok()) << dns_.error();
  testing::TestEnv env(options(dns_.servers(), 0));
  auto state = env.newState();
  EXPECT_EQ(run(env, *state, "print(ntop.resolveHost('beta.flowlens.test'))"), "10.77.0.2");
  EXPECT_EQ(run(env, *state, "print(ntop.resolveHost('beta.flowlens.test', true))"), "10.77.0.2");
  // No family given, only IPv6 there: the IPv6 address. ntopng's ipv4 = true/false: that family.
  EXPECT_EQ(run(env, *state, "print(ntop.resolveHost('gamma.flowlens.test'))"), "fd00:77::5");
  EXPECT_EQ(run(env, *state, "print(ntop.resolveHost('gamma.flowlens.test', false))"),
            "fd00:77::5");
  EXPECT_EQ(run(env, *state, "print(ntop.resolveHost('gamma.flowlens.test', true))"), "nil");
  EXPECT_EQ(run(env, *state, "print(ntop.resolveHost('beta.flowlens.test', false))"), "nil");
  EXPECT_EQ(run(env, *state, "print(ntop.resolveHost('missing.flowlens.test'))"), "nil");
  EXPECT_EQ(run(env, *state, "print(pcall(ntop.resolveHost))"),
            "falsentop.resolveHost: argument #1 (hostname) expected string, got no value");
}

TEST_F(ResolutionBindingTest, DnsModeTwoNeverAsks) {
  ASSERT_TRUE(dns_.ok()) << dns_.error();
  testing::TestEnv env(options(dns_.servers(), 2));
  auto state = env.newState();
  run(env, *state, "ntop.resolveName('10.77.0.1')");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(run(env, *state, "print(ntop.getResolvedName('10.77.0.1'))"), "nil");
  EXPECT_EQ(env.enrichment().resolver().stats().queued, 0u);
  // Forward lookups are a script's explicit request: they still work.
  EXPECT_EQ(run(env, *state, "print(ntop.resolveHost('beta.flowlens.test'))"), "10.77.0.2");
}

TEST(ResolutionOptions, AnUnusableServerListStopsStartUp) {
  Options o;
  o.dns_servers = "no such server";
  Dirs dirs;
  auto e = enrich::Enrichment::create(o, dirs);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error().find("--dns-servers"), std::string::npos) << e.error();
}

}  // namespace
}  // namespace flowlens::lua
