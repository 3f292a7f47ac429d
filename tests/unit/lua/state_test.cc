#include "lua/state.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "test_env.h"

namespace flowlens::lua {
namespace {

using flowlens::testing::runLua;
using flowlens::testing::TestEnv;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// Runs `code` with a response and returns what it printed ("<error: ...>" on failure).
std::string printed(LuaState& state, const std::string& code) {
  Response r;
  Status st = runLua(state, code, &r);
  return st.ok() ? r.body : "<error: " + st.error() + ">";
}

// Runs `code` with a deadline `limit` from now.
Status runWithDeadline(LuaState& state, const std::string& code, milliseconds limit) {
  ScriptContext ctx;
  ctx.services = &state.services();
  ctx.deadline = Clock::now() + limit;
  return state.runString(code, "test", ctx);
}

class LuaStateTest : public ::testing::Test {
 protected:
  TestEnv env_;
  std::unique_ptr<LuaState> state_ = env_.newState();
};

TEST_F(LuaStateTest, GlobalsDoNotLeakBetweenRuns) {
  ASSERT_TRUE(runLua(*state_, "leaked = 42; assert(leaked == 42)").ok());
  EXPECT_EQ(printed(*state_, "print(tostring(leaked))"), "nil");
  ASSERT_TRUE(runLua(*state_, "function leakedFn() end").ok());
  EXPECT_EQ(printed(*state_, "print(type(leakedFn))"), "nil");
}

// A run that ends holding the pools lock (ntop.poolsLock), by returning or by failing, lets
// go of it: another state's run takes it at once.
TEST_F(LuaStateTest, ThePoolsLockGoesWithTheRun) {
  auto other = env_.newState();
  EXPECT_EQ(printed(*state_, "print(tostring(ntop.poolsLock(1)))"), "true");
  EXPECT_EQ(printed(*other, "print(tostring(ntop.poolsLock(0)))"), "true")
      << "still held after the run that took it";
  EXPECT_NE(printed(*state_, "ntop.poolsLock(0); error('boom')").find("boom"), std::string::npos);
  EXPECT_EQ(printed(*other, "print(tostring(ntop.poolsLock(0)), tostring(ntop.poolsUnlock()))"),
            "truetrue") << "still held after the run that took it failed";
  EXPECT_EQ(printed(*state_, "print(tostring(ntop.poolsUnlock()))"), "false") << "not held";
}

TEST_F(LuaStateTest, UnderscoreGStaysInTheRun) {
  EXPECT_EQ(printed(*state_, "_G.x = 1; print(x, ' ', _G.x, ' ', rawget(_G, 'x'))"), "1 1 1");
  EXPECT_EQ(printed(*state_, "print(tostring(x), tostring(_G.x))"), "nilnil");
}

TEST_F(LuaStateTest, StandardLibrariesAndBindingsAreReachable) {
  EXPECT_EQ(printed(*state_, "print(type(string.format), type(ntop), type(ntop.md5))"),
            "functiontablefunction");
  EXPECT_EQ(printed(*state_, "print(math.max(1, 7, 3))"), "7");
}

TEST_F(LuaStateTest, ModulesStayLoadedAcrossRuns) {
  const std::string dkjson = printed(*state_, "print(tostring(require('dkjson')))");
  ASSERT_EQ(dkjson.rfind("table: ", 0), 0u) << dkjson;
  EXPECT_EQ(printed(*state_, "print(tostring(require('dkjson')))"), dkjson);
  const std::string rest = printed(*state_, "print(tostring(require('rest_utils')))");
  ASSERT_EQ(rest.rfind("table: ", 0), 0u) << rest;
  EXPECT_EQ(printed(*state_, "print(tostring(require('rest_utils')))"), rest);
  // lua_utils defines globals: the same functions in every run.
  const std::string fn = printed(*state_, "require 'lua_utils'; print(tostring(isEmptyString))");
  ASSERT_EQ(fn.rfind("function: ", 0), 0u) << fn;
  EXPECT_EQ(printed(*state_, "require 'lua_utils'; print(tostring(isEmptyString))"), fn);
  EXPECT_EQ(printed(*state_, "print(tostring(package.loaded.lua_utils ~= nil))"), "true");
}

TEST_F(LuaStateTest, PackagePathIsRestoredAfterTheRun) {
  const std::string before = printed(*state_, "print(package.path)");
  ASSERT_NE(before.find("/lua/modules/?.lua"), std::string::npos) << before;
  EXPECT_EQ(printed(*state_,
                    "package.path = package.path .. ';/tmp/flowlens-extra/?.lua'\n"
                    "package.cpath = '/tmp/evil/?.so'\n"
                    "print(tostring(package.path:find('flowlens-extra', 1, true) ~= nil))"),
            "true");
  EXPECT_EQ(printed(*state_, "print(package.path)"), before);
  EXPECT_EQ(printed(*state_, "print(tostring(package.cpath:find('/tmp/evil', 1, true)))"), "nil");
}

TEST_F(LuaStateTest, RequestGlobalsOutsideHttp) {
  EXPECT_EQ(printed(*state_,
                    "print(type(_GET), type(_POST), type(_SESSION), tostring(next(_GET)),"
                    "      tostring(next(_POST)))"),
            "tabletabletablenilnil");
  EXPECT_EQ(printed(*state_, "print(_SESSION.user, ' ', _SESSION.group, ' ', _SESSION.localuser)"),
            "admin administrator true");
}

TEST_F(LuaStateTest, RequestGlobalsFromTheRequest) {
  Request req;
  req.get = {{"ifid", "0"}, {"q", "a b"}};
  req.post = {{"csrf", "tok"}};
  req.user = "guest";
  req.group = "unprivileged";
  req.localuser = false;
  Response resp;
  ScriptContext ctx;
  ctx.services = &env_.services();
  ctx.request = &req;
  ctx.response = &resp;
  Status st = state_->runString(
      "print(_GET.ifid, '|', _GET.q, '|', _POST.csrf, '|', _SESSION.user, '|', _SESSION.group,"
      "      '|', _SESSION.localuser)",
      "test", ctx);
  ASSERT_TRUE(st.ok()) << st.error();
  EXPECT_EQ(resp.body, "0|a b|tok|guest|unprivileged|false");
  // Not left in the real globals once the run is over.
  lua_getglobal(state_->raw(), "_GET");
  EXPECT_TRUE(lua_isnil(state_->raw(), -1));
  lua_pop(state_->raw(), 1);
  EXPECT_EQ(printed(*state_, "print(tostring(_GET.ifid), _SESSION.user)"), "niladmin");
}

TEST_F(LuaStateTest, ParameterNamesWithNulAreNotTruncated) {
  // "ifid%00x=9" must not overwrite _GET.ifid: a filter in front may have checked "ifid" only.
  Request req;
  req.get = {{"ifid", "0"}, {std::string("ifid\0x", 6), "9"}};
  Response resp;
  ScriptContext ctx;
  ctx.services = &env_.services();
  ctx.request = &req;
  ctx.response = &resp;
  ASSERT_TRUE(state_->runString("print(_GET.ifid)", "test", ctx).ok());
  EXPECT_EQ(resp.body, "0");
}

TEST_F(LuaStateTest, RuntimeErrorNamesChunkAndLine) {
  Status st = runLua(*state_, "local a = 1\nlocal b = 2\nerror('boom')\n");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().find("test:3: boom"), std::string::npos) << st.error();
  Status nil_index = runLua(*state_, "local t\nreturn t.x\n");
  ASSERT_FALSE(nil_index.ok());
  EXPECT_NE(nil_index.error().find("test:2:"), std::string::npos) << nil_index.error();
  EXPECT_FALSE(state_->poisoned());  // an ordinary error does not poison the state
  EXPECT_EQ(printed(*state_, "print('still fine')"), "still fine");
}

TEST_F(LuaStateTest, SyntaxErrorNamesChunkAndLine) {
  Status st = runLua(*state_, "local ok = 1\nlocal = = 2\n");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().find("test:2:"), std::string::npos) << st.error();
  EXPECT_FALSE(state_->poisoned());
}

TEST_F(LuaStateTest, NonStringErrorObject) {
  Status st = runLua(*state_, "error({code = 1})");
  ASSERT_FALSE(st.ok());
  EXPECT_FALSE(st.error().empty());
}

TEST_F(LuaStateTest, EndlessLoopStoppedByDeadline) {
  const auto start = Clock::now();
  Status st = runWithDeadline(*state_, "while true do end", milliseconds(100));
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(10));
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().find("time limit"), std::string::npos) << st.error();
  EXPECT_TRUE(state_->poisoned());
}

TEST_F(LuaStateTest, PcallCannotSwallowTheDeadline) {
  Status st = runWithDeadline(*state_, "while true do pcall(function() while true do end end) end",
                              milliseconds(100));
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().find("time limit"), std::string::npos) << st.error();
  EXPECT_TRUE(state_->poisoned());
}

TEST_F(LuaStateTest, DeadlineInsideACallbackFromC) {
  // A comparator called by table.sort cannot yield; the run must end all the same.
  Status st = runWithDeadline(
      *state_, "table.sort({3, 1, 2}, function(a, b) while true do end end)", milliseconds(100));
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().find("time limit"), std::string::npos) << st.error();
  EXPECT_TRUE(state_->poisoned());
}

TEST_F(LuaStateTest, DeadlineInsideACoroutine) {
  Status st = runWithDeadline(*state_,
                              "local co = coroutine.wrap(function() while true do end end)\n"
                              "while true do co() end",
                              milliseconds(100));
  ASSERT_FALSE(st.ok());
  EXPECT_TRUE(state_->poisoned());
}

TEST(LuaStateDeathTest, PcallInsideACallbackFromCCannotSwallowTheDeadline) {
  // Where yielding is impossible the hook raises an error; a pcall there must not be able to
  // catch it for ever. Run in a child with an alarm so a hang fails instead of blocking.
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        alarm(5);
        bool stopped = false;
        {
          TestEnv env;
          auto state = env.newState();
          Status st =
              runWithDeadline(*state,
                              "table.sort({3, 1, 2}, function(a, b)\n"
                              "  while true do pcall(function() while true do end end) end\n"
                              "end)",
                              milliseconds(100));
          stopped = !st.ok() && state->poisoned();
        }  // TestEnv removes its directory before the child exits
        std::exit(stopped ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST_F(LuaStateTest, TopLevelYieldDoesNotEndTheRun) {
  EXPECT_EQ(printed(*state_, "coroutine.yield(); print('after')"), "after");
}

TEST_F(LuaStateTest, StateWorksAfterANormalErrorAndCountsRuns) {
  const uint64_t before = state_->runs();
  EXPECT_FALSE(runLua(*state_, "error('x')").ok());
  EXPECT_TRUE(runLua(*state_, "local y = 1").ok());
  EXPECT_EQ(state_->runs(), before + 2);
}

TEST(LuaStateMemoryTest, MemoryBombIsStoppedAndPoisons) {
  Options options;
  options.lua_memory_mb = 16;
  TestEnv env(options);
  auto state = env.newState();
  Status st = runLua(*state,
                     "local t = {}\n"
                     "for i = 1, 1e9 do t[i] = string.rep('x', 4096) .. i end\n");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().find("memory"), std::string::npos) << st.error();
  EXPECT_TRUE(state->poisoned());
  EXPECT_LE(state->memoryUsed(), size_t{16} << 20);
}

TEST(LuaStateMemoryDeathTest, SmallAllocationsUpToTheLimit) {
  // Many small tables fill memory to within a few bytes of the cap: reporting the error must
  // not itself need memory the state no longer has (or the whole process aborts). Run in a
  // child so that an abort fails this test only.
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        alarm(30);
        bool reported = false;
        {
          Options options;
          options.lua_memory_mb = 16;
          TestEnv env(options);
          auto state = env.newState();
          Status st = runLua(*state, "local t = {}\nwhile true do t[#t + 1] = {} end\n");
          reported =
              !st.ok() && st.error().find("memory") != std::string::npos && state->poisoned();
        }
        std::exit(reported ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST(LuaStateMemoryDeathTest, ErrorRaisedWithMemoryNearlyFull) {
  // The script catches its own memory error, keeps the memory, then fails: building the
  // error report must not abort the process either.
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        alarm(30);
        bool failed = false;
        {
          Options options;
          options.lua_memory_mb = 16;
          TestEnv env(options);
          auto state = env.newState();
          Status st = runLua(*state,
                             "local t = {}\n"
                             "pcall(function() while true do t[#t + 1] = {} end end)\n"
                             "error('after ' .. #t)\n");
          failed = !st.ok();
        }
        std::exit(failed ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

class LuaStateFileTest : public LuaStateTest {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/flowlens-script-XXXXXX";
    const int fd = mkstemp(tmpl);
    ASSERT_GE(fd, 0);
    close(fd);
    path_ = tmpl;
  }
  void TearDown() override { std::remove(path_.c_str()); }
  void write(const std::string& code) { std::ofstream(path_, std::ios::trunc) << code; }
  std::string runFile() {
    Response r;
    ScriptContext ctx;
    ctx.services = &env_.services();
    ctx.response = &r;
    Status st = state_->runFile(path_, ctx);
    return st.ok() ? r.body : "<error: " + st.error() + ">";
  }

  std::string path_;
};

TEST_F(LuaStateFileTest, RunFileRecompilesWhenTheFileChanges) {
  write("print('one')");
  EXPECT_EQ(runFile(), "one");
  write("print('second')");  // different size, even if the mtime did not move
  EXPECT_EQ(runFile(), "second");
  write("print('third!')");
  EXPECT_EQ(runFile(), "third!");
}

TEST_F(LuaStateFileTest, RunFileRecompilesWhenOnlyTheMtimeChanges) {
  write("print('aaa')");
  EXPECT_EQ(runFile(), "aaa");
  write("print('bbb')");  // same size
  struct timespec times[2] = {{0, UTIME_OMIT}, {2000000000, 0}};
  ASSERT_EQ(utimensat(AT_FDCWD, path_.c_str(), times, 0), 0);
  EXPECT_EQ(runFile(), "bbb");
}

TEST_F(LuaStateFileTest, UnchangedFileIsCompiledOnce) {
  write("print(tostring(debug.getinfo(1, 'f').func))");
  const std::string first = runFile();
  ASSERT_EQ(first.rfind("function: ", 0), 0u) << first;
  EXPECT_EQ(runFile(), first);
  write("print(tostring(debug.getinfo(1, 'f').func), '')");
  EXPECT_NE(runFile(), first);
}

TEST_F(LuaStateFileTest, RunFileErrors) {
  write("local x = 1\nerror('file boom')\n");
  const std::string out = runFile();
  EXPECT_NE(out.find(":2: file boom"), std::string::npos) << out;
  write("this is not lua");
  EXPECT_EQ(runFile().rfind("<error: ", 0), 0u);
  ScriptContext ctx;
  ctx.services = &env_.services();
  Status missing = state_->runFile("/nonexistent/script.lua", ctx);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().find("/nonexistent/script.lua"), std::string::npos);
}

TEST_F(LuaStateTest, PrintAppendsArgumentsWithoutSeparators) {
  EXPECT_EQ(printed(*state_, "print('a', 1, nil, true, false, 2.5)"), "a1niltruefalse2.5");
  EXPECT_EQ(printed(*state_, "print('x') print('y\\n') print()"), "xy\n");
  EXPECT_EQ(printed(*state_, "print(setmetatable({}, {__tostring = function() return 'T' end}))"),
            "T");
  EXPECT_EQ(printed(*state_, "print(string.char(0, 255))"), std::string("\0\xff", 2));
}

}  // namespace
}  // namespace flowlens::lua
