// ntop.* section 9 bindings where a Lua test cannot reach: another user's request, and the
// service the daemon shares with the packet threads.

#include <gtest/gtest.h>

#include "test_env.h"

namespace flowlens::lua {
namespace {

class NetworkBindingTest : public ::testing::Test {
 protected:
  NetworkBindingTest() : env_(options()), state_(env_.newState()) {}

  static Options options() {
    Options o;
    o.local_networks = {*util::parsePrefix("192.168.1.0/24")};
    o.local_network_aliases = {"office"};
    return o;
  }

  // Runs `code` for `group` and returns what it printed.
  std::string run(const std::string& code, const std::string& group) {
    Request req;
    req.user = group == "administrator" ? "admin" : "guest";
    req.group = group;
    Response resp;
    ScriptContext ctx;
    ctx.services = &env_.services();
    ctx.request = &req;
    ctx.response = &resp;
    Status st = state_->runString(code, "test", ctx);
    EXPECT_TRUE(st.ok()) << st.error();
    return resp.body;
  }

  testing::TestEnv env_;
  std::unique_ptr<LuaState> state_;
};

TEST_F(NetworkBindingTest, ConfiguredNetworksComeFromOptions) {
  EXPECT_EQ(run("print(ntop.getNetworkNameById(0), ntop.getLocalNetworkAlias('192.168.1.0/24'))",
                "unprivileged"),
            "192.168.1.0/24office");
}

TEST_F(NetworkBindingTest, AddLocalNetworkIsForAdministrators) {
  LocalNetworks& nets = *env_.services().local_networks;
  EXPECT_EQ(run("print(select('#', ntop.addLocalNetwork('10.0.0.0/8')))", "unprivileged"), "0");
  EXPECT_EQ(nets.size(), 1u);
  EXPECT_FALSE(nets.isLocal(*util::parseIp("10.1.1.1")));

  EXPECT_EQ(run("ntop.addLocalNetwork('10.0.0.0/8') print(ntop.isLocalAddress('10.1.1.1'))",
                "administrator"),
            "true");
  // The daemon's service itself changed: packet threads classify new hosts with it.
  EXPECT_EQ(nets.size(), 2u);
  EXPECT_EQ(nets.networkIdOf(*util::parseIp("10.1.1.1")), 1);
}

TEST_F(NetworkBindingTest, EveryoneMayReadTheNetworks) {
  EXPECT_EQ(run("local n = ntop.getAddressNetwork('192.168.1.9')"
                "print(ntop.isLocalAddress('192.168.1.9'), n.network_id, n.network, n.alias)",
                "unprivileged"),
            "true0192.168.1.0/24office");
}

}  // namespace
}  // namespace flowlens::lua
