// Spec sections 5 (Redis / Cache), 6 (Preferences) and 32 (In-Memory Lua Cache) through Lua:
// the scripts in tests/lua/store/ run in a real LuaState of a TestEnv, once with the embedded
// store and once with a redis-server this process starts. A script fails by raising an error.
// The script learns the backend it should see from _GET.backend.

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "core/build_info.h"
#include "store/cache_service.h"
#include "store_test_util.h"
#include "test_env.h"

namespace flowlens::store {
namespace {

using flowlens::testing::runLua;
using flowlens::testing::TestEnv;

using testutil::Backend;

class LuaStoreConformance : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    Options options;
    if (GetParam() == Backend::kRedis) {
      auto& server = testutil::sharedRedis();
      ASSERT_TRUE(server.ok()) << server.error();
      options.redis = server.endpoint();
    }
    env_ = std::make_unique<TestEnv>(options);
    ASSERT_TRUE(env_->cache().store().flushAll().ok());
    state_ = env_->newState();
  }
  std::string backendName() const { return testutil::backendName(GetParam()); }

  // Runs tests/lua/store/<name> as an administrator, with tests/lua/store and tests/lua
  // (testing.lua) on package.path; returns the run's Status, and what it printed in *out.
  Status runScript(const std::string& name, std::string* out = nullptr) {
    const std::string dir = std::string(build::kSourceDir) + "/tests/lua";
    lua_State* L = state_->raw();
    // The engine restores package.path after a run, not before: set here, it holds for it.
    lua_getglobal(L, "package");
    lua_getfield(L, -1, "path");
    const std::string path = dir + "/store/?.lua;" + dir + "/?.lua;" + lua_tostring(L, -1);
    lua_pop(L, 1);
    lua_pushstring(L, path.c_str());
    lua_setfield(L, -2, "path");
    lua_pop(L, 1);
    lua::Request request;
    request.get = {{"backend", backendName()}};
    lua::Response response;
    lua::ScriptContext ctx;
    ctx.services = &env_->services();
    ctx.request = &request;
    ctx.response = &response;
    ctx.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    Status st = state_->runFile(dir + "/store/" + name, ctx);
    if (out) *out = response.body;
    return st;
  }
  // Runs `code` as a user of `group`.
  Status runAs(const std::string& group, const std::string& code) {
    lua::Request request;
    request.user = group == "administrator" ? "admin" : "guest";
    request.group = group;
    lua::ScriptContext ctx;
    ctx.services = &env_->services();
    ctx.request = &request;
    return state_->runString(code, "test", ctx);
  }

  std::unique_ptr<TestEnv> env_;
  std::unique_ptr<lua::LuaState> state_;
};

TEST_P(LuaStoreConformance, CacheFunctions) {
  std::string out;
  Status st = runScript("cache_conformance.lua", &out);
  EXPECT_TRUE(st.ok()) << st.error();
  EXPECT_NE(out.find("cache_conformance: ok"), std::string::npos) << out;
}

TEST_P(LuaStoreConformance, PreferenceFunctions) {
  std::string out;
  Status st = runScript("prefs_conformance.lua", &out);
  EXPECT_TRUE(st.ok()) << st.error();
  EXPECT_NE(out.find("prefs_conformance: ok"), std::string::npos) << out;
}

TEST_P(LuaStoreConformance, LuaCacheFunctions) {
  std::string out;
  Status st = runScript("lua_cache_conformance.lua", &out);
  EXPECT_TRUE(st.ok()) << st.error();
  EXPECT_NE(out.find("lua_cache_conformance: ok"), std::string::npos) << out;
}

TEST_P(LuaStoreConformance, FlushCacheNeedsAnAdministrator) {
  ASSERT_TRUE(env_->cache().store().set("keep", "me", 0).ok());
  Status st = runAs("unprivileged", R"(
    local r = ntop.flushCache()
    assert(r == false, "flushCache as unprivileged returned " .. tostring(r))
    assert(ntop.getCache("keep") == "me", "the store was flushed anyway"))");
  EXPECT_TRUE(st.ok()) << st.error();
  EXPECT_EQ(KV_OK(env_->cache().store().get("keep")), "me");
  st = runAs("administrator", R"(
    local r = ntop.flushCache()
    assert(r == true, "flushCache as administrator returned " .. tostring(r))
    assert(ntop.getCache("keep") == nil))");
  EXPECT_TRUE(st.ok()) << st.error();
  EXPECT_FALSE(KV_OK(env_->cache().store().exists("keep")));
}

// A failed operation returns nil (false for the boolean functions), raises nothing, and logs
// one line naming the function, the error, and the calling script's position.
TEST_P(LuaStoreConformance, WrongTypesReturnNilAndLog) {
  ::testing::internal::CaptureStderr();
  Status st = runLua(*state_, R"(
    ntop.setHashCache("h", "f", "v")
    assert(ntop.getCache("h") == nil)
    assert(ntop.setnxCache("h", "x") == false)
    assert(select("#", ntop.lpushCache("h", "x")) == 0)
    assert(ntop.getHashCache("h", "f") == "v"))");
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_TRUE(st.ok()) << st.error();
  EXPECT_NE(log.find("test:3: ntop.getCache: WRONGTYPE"), std::string::npos) << log;
  EXPECT_NE(log.find("test:5: ntop.lpushCache: WRONGTYPE"), std::string::npos) << log;
}

TEST_P(LuaStoreConformance, StatusAndCountersMatchTheServices) {
  ASSERT_TRUE(runLua(*state_, R"(
    ntop.setCache("a", "1")
    ntop.getCache("a")
    ntop.getCache("a"))")
                  .ok());
  uint64_t gets = 0, sets = 0;
  for (const auto& [name, n] : env_->cache().counters()) {
    if (name == "num_get") gets = n;
    if (name == "num_set") sets = n;
  }
  EXPECT_EQ(gets, 2u);
  EXPECT_EQ(sets, 1u);
  lua::Response r;
  ASSERT_TRUE(runLua(*state_, R"(
    local s = ntop.getCacheStatus()
    print(s.backend, " ", tostring(s.connected), " ", s.dbsize, " ", ntop.getCacheStats().num_get))",
                     &r)
                  .ok());
  EXPECT_EQ(r.body, backendName() + " true 1 2");
}

// One cache for the process: a value set in one state is read in another, as a copy.
TEST_P(LuaStoreConformance, TheLuaCacheIsSharedByEveryState) {
  auto other = env_->newState();
  ASSERT_TRUE(runLua(*state_, R"(ntop.setLuaCache("shared", {n = 1, list = {"a"}}))").ok());
  Status st = runLua(*other, R"(
    local v = ntop.getLuaCache("shared")
    assert(type(v) == "table" and v.n == 1 and v.list[1] == "a")
    v.n = 2
    assert(ntop.getLuaCache("shared").n == 1))");
  EXPECT_TRUE(st.ok()) << st.error();
  auto v = env_->services().lua_cache->get("shared");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->kind, Value::Kind::kTable);
}

INSTANTIATE_TEST_SUITE_P(Backends, LuaStoreConformance,
                         ::testing::Values(Backend::kEmbedded, Backend::kRedis),
                         [](const ::testing::TestParamInfo<Backend>& i) {
                           return i.param == Backend::kEmbedded ? "Embedded" : "Redis";
                         });

}  // namespace
}  // namespace flowlens::store
