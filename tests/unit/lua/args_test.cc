#include "lua/args.h"

#include <gtest/gtest.h>

#include <string>

#include "test_env.h"

namespace flowlens::lua {
namespace {

using flowlens::testing::runLua;
using flowlens::testing::TestEnv;

// Bindings under test, registered as globals of a bare Lua state. Each returns what Args read,
// as a string, so the test sees conversions too.
int readString(lua_State* L) {
  pushString(L, Args(L, "t.str").string(1, "data"));
  return 1;
}
int readInteger(lua_State* L) {
  lua_pushinteger(L, Args(L, "t.int").integer(2, "count"));
  return 1;
}
int readNumber(lua_State* L) {
  lua_pushnumber(L, Args(L, "t.num").number(1, "ratio"));
  return 1;
}
int readBoolean(lua_State* L) {
  lua_pushboolean(L, Args(L, "t.bool").boolean(1, "flag"));
  return 1;
}
int readTable(lua_State* L) {
  Args(L, "t.tab").table(1, "opts");
  lua_pushstring(L, "ok");
  return 1;
}
int readOptional(lua_State* L) {
  Args a(L, "t.opt");
  const auto s = a.optString(1, "s");
  const auto i = a.optInteger(2, "i");
  const auto b = a.optBoolean(3, "b");
  std::string out = (s ? std::string(*s) : "-") + "," + (i ? std::to_string(*i) : "-") + "," +
                    (b ? (*b ? "true" : "false") : "-");
  pushString(L, out);
  return 1;
}
int alwaysFail(lua_State* L) { Args(L, "t.fail").fail("no luck today"); }
int nilWithLog(lua_State* L) { return failWithNil(L, "t.nil", "operation failed"); }

class ArgsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    L_ = luaL_newstate();
    luaL_openlibs(L_);
    lua_register(L_, "str", readString);
    lua_register(L_, "int", readInteger);
    lua_register(L_, "num", readNumber);
    lua_register(L_, "bool", readBoolean);
    lua_register(L_, "tab", readTable);
    lua_register(L_, "opt", readOptional);
    lua_register(L_, "fail", alwaysFail);
    lua_register(L_, "nilwithlog", nilWithLog);
  }
  void TearDown() override { lua_close(L_); }

  // Runs `code` (which returns ok, value) and returns "ok: v" or "error: message".
  std::string run(const std::string& code) {
    const std::string chunk = code + "\nreturn (ok and 'ok: ' or 'error: ') .. tostring(v)";
    if (luaL_dostring(L_, chunk.c_str()) != LUA_OK) {
      std::string err = lua_tostring(L_, -1);
      lua_pop(L_, 1);
      return "chunk failed: " + err;
    }
    std::string out = lua_tostring(L_, -1);
    lua_pop(L_, 1);
    return out;
  }
  // Calls fn(args) directly under pcall: the error carries no position prefix, since the
  // caller of the binding is pcall itself.
  std::string call(const std::string& fn, const std::string& args = "") {
    return run("local ok, v = pcall(" + fn + (args.empty() ? "" : ", " + args) + ")");
  }
  // Evaluates an expression under pcall.
  std::string eval(const std::string& expr) {
    return run("local ok, v = pcall(function() return (" + expr + ") end)");
  }

  lua_State* L_ = nullptr;
};

TEST_F(ArgsTest, StringAcceptsStringsAndNumbers) {
  EXPECT_EQ(call("str", "'abc'"), "ok: abc");
  EXPECT_EQ(call("str", "''"), "ok: ");
  EXPECT_EQ(call("str", "12"), "ok: 12");
  EXPECT_EQ(eval("#str('a\\0b')"), "ok: 3");
}

TEST_F(ArgsTest, StringTypeErrorWording) {
  EXPECT_EQ(call("str", "nil"), "error: t.str: argument #1 (data) expected string, got nil");
  EXPECT_EQ(call("str"), "error: t.str: argument #1 (data) expected string, got no value");
  EXPECT_EQ(call("str", "{}"), "error: t.str: argument #1 (data) expected string, got table");
  EXPECT_EQ(call("str", "true"), "error: t.str: argument #1 (data) expected string, got boolean");
}

TEST_F(ArgsTest, IntegerAcceptsWholeNumbers) {
  EXPECT_EQ(call("int", "nil, 7"), "ok: 7");
  EXPECT_EQ(call("int", "nil, -3"), "ok: -3");
  EXPECT_EQ(call("int", "nil, 2.0"), "ok: 2");
  EXPECT_EQ(call("int", "nil, math.maxinteger"), "ok: 9223372036854775807");
}

TEST_F(ArgsTest, IntegerRejectsFractionsAndOtherTypes) {
  const std::string frac = call("int", "nil, 1.5");
  EXPECT_EQ(frac.rfind("error: t.int: argument #2 (count) expected integer", 0), 0u) << frac;
  EXPECT_NE(frac.find("fraction"), std::string::npos) << frac;
  EXPECT_EQ(call("int", "nil, nil"), "error: t.int: argument #2 (count) expected integer, got nil");
  EXPECT_EQ(call("int", "nil, {}"),
            "error: t.int: argument #2 (count) expected integer, got table");
  EXPECT_EQ(call("int", "nil, 'seven'").rfind("error: t.int: argument #2 (count)", 0), 0u);
  EXPECT_EQ(call("int", "nil, 2^63").rfind("error: t.int: argument #2", 0), 0u);
  EXPECT_EQ(call("int", "nil, 0/0").rfind("error: t.int: argument #2", 0), 0u);
}

TEST_F(ArgsTest, Number) {
  EXPECT_EQ(call("num", "1.5"), "ok: 1.5");
  EXPECT_EQ(call("num", "3"), "ok: 3.0");
  EXPECT_EQ(call("num", "nil"), "error: t.num: argument #1 (ratio) expected number, got nil");
  EXPECT_EQ(call("num", "'x'"), "error: t.num: argument #1 (ratio) expected number, got string");
}

TEST_F(ArgsTest, BooleanIsStrict) {
  EXPECT_EQ(call("bool", "true"), "ok: true");
  EXPECT_EQ(call("bool", "false"), "ok: false");
  EXPECT_EQ(call("bool", "nil"), "error: t.bool: argument #1 (flag) expected boolean, got nil");
  EXPECT_EQ(call("bool", "0"), "error: t.bool: argument #1 (flag) expected boolean, got number");
  EXPECT_EQ(call("bool", "'true'"),
            "error: t.bool: argument #1 (flag) expected boolean, got string");
}

TEST_F(ArgsTest, Table) {
  EXPECT_EQ(call("tab", "{}"), "ok: ok");
  EXPECT_EQ(call("tab", "'x'"), "error: t.tab: argument #1 (opts) expected table, got string");
  EXPECT_EQ(call("tab"), "error: t.tab: argument #1 (opts) expected table, got no value");
}

TEST_F(ArgsTest, OptionalArgumentsAbsentOrNil) {
  EXPECT_EQ(call("opt"), "ok: -,-,-");
  EXPECT_EQ(call("opt", "nil, nil, nil"), "ok: -,-,-");
  EXPECT_EQ(call("opt", "'s', 4, false"), "ok: s,4,false");
  EXPECT_EQ(call("opt", "nil, 4"), "ok: -,4,-");
}

TEST_F(ArgsTest, OptionalArgumentsOfTheWrongTypeAreErrors) {
  EXPECT_EQ(call("opt", "{}"), "error: t.opt: argument #1 (s) expected string, got table");
  EXPECT_EQ(call("opt", "nil, 1.5").rfind("error: t.opt: argument #2 (i) expected integer", 0), 0u);
  EXPECT_EQ(call("opt", "nil, nil, 1"),
            "error: t.opt: argument #3 (b) expected boolean, got number");
}

TEST_F(ArgsTest, FailPrefixesTheFunctionName) {
  EXPECT_EQ(call("fail"), "error: t.fail: no luck today");
}

TEST_F(ArgsTest, ErrorFromLuaCodeCarriesThePosition) {
  const std::string e = eval("str(nil)");
  EXPECT_NE(e.find("]:1: t.str: argument #1 (data) expected string, got nil"), std::string::npos)
      << e;
}

TEST_F(ArgsTest, FailWithNilReturnsNil) {
  EXPECT_EQ(call("nilwithlog"), "ok: nil");
  EXPECT_EQ(eval("select('#', nilwithlog())"), "ok: 1");
}

TEST_F(ArgsTest, PushHelpers) {
  lua_newtable(L_);
  setField(L_, "s", std::string("str"));
  setField(L_, "c", "cstr");
  setField(L_, "b", true);
  setField(L_, "i", int64_t{-5});
  setField(L_, "u", uint64_t{7});
  setField(L_, "n", 3);
  setField(L_, "d", 0.25);
  lua_setglobal(L_, "fields");
  EXPECT_EQ(eval("fields.s .. fields.c .. tostring(fields.b) .. fields.i .. fields.u .. fields.n"
                 " .. fields.d"),
            "ok: strcstrtrue-5730.25");
  EXPECT_EQ(eval("math.type(fields.i) .. math.type(fields.n) .. math.type(fields.d)"),
            "ok: integerintegerfloat");
}

// The same wording through real bindings in a full engine state.
TEST(ArgsBindingTest, NtopMd5OfNil) {
  TestEnv env;
  auto state = env.newState();
  lua::Response r;
  ASSERT_TRUE(
      runLua(*state, "local ok, err = pcall(ntop.md5, nil)\nassert(not ok)\nprint(err)", &r).ok());
  EXPECT_EQ(r.body, "ntop.md5: argument #1 (data) expected string, got nil");
  lua::Response w;
  ASSERT_TRUE(runLua(*state, "print(ntop.md5('abc'))", &w).ok());
  EXPECT_EQ(w.body, "900150983cd24fb0d6963f7d28e17f72");
}

TEST(ArgsBindingTest, IntegerArgumentRejectsFraction) {
  TestEnv env;
  auto state = env.newState();
  lua::Response r;
  ASSERT_TRUE(
      runLua(*state, "local ok, err = pcall(ntop.getTLSVersionName, 771.5)\nprint(err)", &r).ok());
  EXPECT_EQ(r.body.rfind("ntop.getTLSVersionName: argument #1 (id) expected integer", 0), 0u)
      << r.body;
  lua::Response w;
  ASSERT_TRUE(runLua(*state, "print(ntop.getTLSVersionName(771))", &w).ok());
  EXPECT_EQ(w.body, "TLSv1.2");
}

TEST(ArgsBindingTest, UncaughtTypeErrorFailsTheRun) {
  TestEnv env;
  auto state = env.newState();
  Status st = runLua(*state, "ntop.md5({})");
  ASSERT_FALSE(st.ok());
  // Raised from a line of Lua code: luaL_error puts that line first.
  EXPECT_NE(st.error().find("test:1: ntop.md5: argument #1 (data) expected string, got table"),
            std::string::npos)
      << st.error();
}

}  // namespace
}  // namespace flowlens::lua
