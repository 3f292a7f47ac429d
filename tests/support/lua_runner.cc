// Runs one tests/lua/*.lua file inside a real Lua state with every binding, the way the HTTP
// server runs scripts. The test fails when the script raises an error (a failed assert).
// A script may set TEST_OPTIONS (read before the run) through a first line
// "-- options: --allow-exec --lua-timeout 200".
// The script's own directory comes first on package.path, so a test can require("testing")
// (tests/lua/testing.lua, the shared helpers).

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "core/log.h"
#include "test_env.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: flowlens_lua_runner FILE.lua\n");
    return 2;
  }
  std::ifstream in(argv[1]);
  std::string first;
  std::getline(in, first);
  std::vector<std::string> words = {"flowlens"};
  const std::string marker = "-- options:";
  if (first.rfind(marker, 0) == 0) {
    std::istringstream ss(first.substr(marker.size()));
    std::string w;
    while (ss >> w) words.push_back(w);
  }
  std::vector<const char*> args;
  for (auto& w : words) args.push_back(w.c_str());
  auto cmd = flowlens::parseCommandLine(static_cast<int>(args.size()), args.data());
  if (!cmd) {
    std::fprintf(stderr, "bad options line: %s\n", cmd.error().c_str());
    return 2;
  }
  flowlens::log::init({flowlens::log::kInfo, false, "flowlens-lua-test"});
  flowlens::testing::TestEnv env(cmd->options);
  auto state = env.newState();
  // The engine puts package.path back after each run, not before one: set here, it holds for
  // the run below (the only one).
  std::string dir = std::filesystem::path(argv[1]).parent_path().string();
  lua_State* L = state->raw();
  lua_getglobal(L, "package");
  lua_getfield(L, -1, "path");
  std::string path = (dir.empty() ? "." : dir) + "/?.lua;" + lua_tostring(L, -1);
  lua_pop(L, 1);
  lua_pushstring(L, path.c_str());
  lua_setfield(L, -2, "path");
  lua_pop(L, 1);
  flowlens::lua::Response response;
  flowlens::lua::ScriptContext ctx;
  ctx.services = &env.services();
  ctx.response = &response;
  ctx.deadline = std::chrono::steady_clock::now() +
                 std::chrono::milliseconds(env.options().lua_timeout_ms);
  flowlens::Status st = state->runFile(argv[1], ctx);
  if (!response.body.empty()) std::printf("%s\n", response.body.c_str());
  if (!st) {
    std::fprintf(stderr, "FAILED: %s\n", st.error().c_str());
    return 1;
  }
  std::printf("PASSED: %s\n", argv[1]);
  return 0;
}
