// Spec section 10: Address Resolution, on the Resolver of the Enrichment service
// (enrich/resolver.h). Reverse lookups are asynchronous: resolveName() queues one and returns at
// once; getResolvedName() reads what is known (learned from the traffic, resolved, set with
// ntop.setResolvedAddress, or stored under ntopng.dns.cache.<ip> by an earlier run). Only
// resolveHost() waits, at most kForwardTimeout, as ntopng's resolves synchronously.
// Names are returned raw (they come from the network): pages escape them.

#include <chrono>

#include "enrich/enrichment.h"
#include "lua/args.h"
#include "lua/registry.h"
#include "lua/state.h"
#include "store/cache_service.h"
#include "util/ip.h"

namespace flowlens::lua::ntop {
namespace {

constexpr std::chrono::milliseconds kForwardTimeout(3000);

enrich::Resolver& resolver(lua_State* L, const char* fn) {
  enrich::Enrichment* e = LuaState::from(L)->services().enrichment;
  if (e == nullptr) {
    luaL_error(L, "%s: the resolver is not running", fn);
    __builtin_unreachable();
  }
  return e->resolver();
}

int resolveName(lua_State* L) {
  constexpr const char* kFn = "ntop.resolveName";
  auto ip = addressArg(L, kFn, 1);
  if (!ip) return failWithNil(L, kFn, ip.error());
  resolver(L, kFn).resolveAsync(*ip);  // false (known, queued, -n 2/3, full): nothing to do
  lua_pushnil(L);
  return 1;
}

int getResolvedName(lua_State* L) {
  constexpr const char* kFn = "ntop.getResolvedName";
  auto ip = addressArg(L, kFn, 1);
  if (!ip) return failWithNil(L, kFn, ip.error());
  if (auto name = resolver(L, kFn).name(*ip)) {
    pushString(L, *name);
    return 1;
  }
  // Stored by another flowlens (shared Redis) or a previous run, not yet read into memory.
  store::CacheService& cache = *LuaState::from(L)->services().cache;
  cache.count(store::Op::kGet);
  auto stored = cache.store().get(std::string(enrich::kDnsCachePrefix) + ip->toString());
  if (stored && stored->has_value() && !(*stored)->empty()) {
    pushString(L, **stored);
  } else {
    lua_pushnil(L);
  }
  return 1;
}

// resolveHost(hostname [, ipv4]): as ntopng, true asks for an IPv4 address and false for an IPv6
// one; without the argument (the spec's one-argument form) an IPv4 address is preferred and an
// IPv6 one taken when the name has no IPv4 address.
int resolveHost(lua_State* L) {
  constexpr const char* kFn = "ntop.resolveHost";
  Args a(L, kFn);
  const std::string_view host = a.string(1, "hostname");
  const std::optional<bool> ipv4 = a.optBoolean(2, "ipv4");
  if (auto literal = util::parseIp(host)) {
    pushString(L, literal->toString());
    return 1;
  }
  const enrich::Family family = !ipv4 ? enrich::Family::kPreferIpv4
                                : *ipv4 ? enrich::Family::kIpv4
                                        : enrich::Family::kIpv6;
  auto answer = resolver(L, kFn).resolveHost(host, family, kForwardTimeout);
  if (!answer) {
    return failWithNil(L, kFn, "cannot resolve '" + std::string(host) + "': " + answer.error());
  }
  pushString(L, *answer);
  return 1;
}

}  // namespace

const luaL_Reg kResolution[] = {
    {"resolveName", resolveName},
    {"getResolvedName", getResolvedName},
    {"resolveHost", resolveHost},
    {nullptr, nullptr},
};

}  // namespace flowlens::lua::ntop
