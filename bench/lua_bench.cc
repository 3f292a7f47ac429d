// Lua runtime and store figures from Lua: the cost of one script run (a fresh environment,
// the time hook, the shared-table guard), and ntop.* store calls per second from one Lua state.
// FLOWLENS_BENCH_REDIS=host:port selects the Redis backend for the store benchmarks.

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <memory>

#include "core/log.h"
#include "test_env.h"

namespace flowlens {
namespace {

Options benchOptions() {
  Options o;
  if (const char* r = std::getenv("FLOWLENS_BENCH_REDIS")) {
    auto ep = parseRedisEndpoint(r);
    if (ep) o.redis = *ep;
  }
  return o;
}

struct Fixture {
  Fixture() : env(benchOptions()), state(env.newState()) {}
  testing::TestEnv env;
  std::unique_ptr<lua::LuaState> state;

  void run(benchmark::State& st, const std::string& code) {
    lua::Response r;
    if (Status s = testing::runLua(*state, code, &r); !s) st.SkipWithError(s.error().c_str());
  }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

void BM_EmptyRun(benchmark::State& st) {
  auto& f = fixture();
  for (auto _ : st) f.run(st, "");
}
BENCHMARK(BM_EmptyRun);

void BM_InfoEndpointRun(benchmark::State& st) {
  auto& f = fixture();
  const std::string path = f.env.dirs().scriptdir + "/lua/rest/v2/get/ntopng/info.lua";
  lua::Request req;
  for (auto _ : st) {
    lua::Response r;
    lua::ScriptContext ctx;
    ctx.services = &f.env.services();
    ctx.request = &req;
    ctx.response = &r;
    if (Status s = f.state->runFile(path, ctx); !s) st.SkipWithError(s.error().c_str());
  }
}
BENCHMARK(BM_InfoEndpointRun);

// Runs `op` 100000 times inside one script: items/s is calls per second from Lua.
void luaLoop(benchmark::State& st, const std::string& setup, const std::string& op) {
  auto& f = fixture();
  f.run(st, setup);
  const std::string code = "local n = 0 for i = 1, 100000 do " + op + " end";
  for (auto _ : st) f.run(st, code);
  st.SetItemsProcessed(st.iterations() * 100000);
}

void BM_GetCache(benchmark::State& st) {
  luaLoop(st, "ntop.setCache('bench.key', 'some value of moderate length')",
          "local v = ntop.getCache('bench.key')");
}
BENCHMARK(BM_GetCache)->Unit(benchmark::kMillisecond);

void BM_SetCache(benchmark::State& st) {
  luaLoop(st, "", "ntop.setCache('bench.key', 'some value of moderate length')");
}
BENCHMARK(BM_SetCache)->Unit(benchmark::kMillisecond);

void BM_GetHashCache(benchmark::State& st) {
  luaLoop(st, "ntop.setHashCache('bench.hash', 'field', 'value')",
          "local v = ntop.getHashCache('bench.hash', 'field')");
}
BENCHMARK(BM_GetHashCache)->Unit(benchmark::kMillisecond);

void BM_GetLuaCache(benchmark::State& st) {
  luaLoop(st, "ntop.setLuaCache('bench.lua', 'some value of moderate length')",
          "local v = ntop.getLuaCache('bench.lua')");
}
BENCHMARK(BM_GetLuaCache)->Unit(benchmark::kMillisecond);

void BM_GetPref(benchmark::State& st) {
  luaLoop(st, "ntop.setPref('bench_pref', '1')", "local v = ntop.getPref('bench_pref')");
}
BENCHMARK(BM_GetPref)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace flowlens

int main(int argc, char** argv) {
  flowlens::log::init({flowlens::log::kWarning, false, "flowlens-bench"});
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
