// Spec section 19: Ping. One util::Pinger per interface name ("" = any), opened on first use
// and kept for the process (replies are collected across script runs). Hosts are address
// literals.

#include <ifaddrs.h>
#include <net/if.h>

#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "lua/args.h"
#include "lua/registry.h"
#include "util/ping.h"

namespace flowlens::lua::ntop {
namespace {

struct Pingers {
  std::mutex mu;
  std::map<std::string, std::unique_ptr<util::Pinger>> by_iface;
};

Pingers& pingers() {
  static Pingers p;
  return p;
}

constexpr size_t kMaxPingers = 32;  // interfaces pinged through, each a socket pair and a thread

// An interface name as the kernel knows it: "" (any), or an existing interface's name.
bool validInterface(const std::string& ifname) {
  return ifname.empty() || (ifname.find('\0') == std::string::npos && if_nametoindex(ifname.c_str()) != 0);
}

// The pinger of `ifname`, opened now if need be; nullptr (and the reason) when it cannot be.
util::Pinger* pinger(const std::string& ifname, std::string* why) {
  if (!validInterface(ifname)) {
    *why = "no interface '" + ifname + "'";
    return nullptr;
  }
  Pingers& p = pingers();
  std::lock_guard g(p.mu);
  auto it = p.by_iface.find(ifname);
  if (it != p.by_iface.end()) return it->second.get();
  if (p.by_iface.size() >= kMaxPingers) {
    *why = "pinging through too many interfaces (" + std::to_string(kMaxPingers) + ")";
    return nullptr;
  }
  auto opened = util::Pinger::open(ifname);
  if (!opened) {
    *why = opened.error();
    return nullptr;
  }
  return p.by_iface.emplace(ifname, std::move(*opened)).first->second.get();
}

int isPingAvailable(lua_State* L) {
  std::string why;
  lua_pushboolean(L, pinger("", &why) != nullptr);
  return 1;
}

int isPingIfaceAvailable(lua_State* L) {
  const std::string ifname(Args(L, "ntop.isPingIfaceAvailable").string(1, "ifname"));
  lua_pushboolean(L, !ifname.empty() && validInterface(ifname) && util::Pinger::probe(ifname));
  return 1;
}

// pingHost(host, is_v6 [, iface]): one echo request; the answer shows in collectPingResults.
// ntopng's pingHost(host, is_v6, continuous, iface) is accepted too: the boolean is ignored.
int pingHost(lua_State* L) {
  constexpr const char* kFn = "ntop.pingHost";
  Args a(L, kFn);
  const std::string_view host = a.string(1, "host");
  const auto is_v6 = a.optBoolean(2, "is_v6");
  const int iface_arg = lua_type(L, 3) == LUA_TBOOLEAN ? 4 : 3;
  const std::string ifname(a.optString(iface_arg, "iface").value_or(""));
  auto ip = util::parseIp(host);
  std::string why;
  if (!ip) {
    why = "not an IP address '" + std::string(host) + "'";
  } else if (is_v6 && *is_v6 != ip->v6) {
    why = std::string("'") + std::string(host) + "' is not an IPv" + (*is_v6 ? "6" : "4") + " address";
  } else if (util::Pinger* p = pinger(ifname, &why)) {
    if (Status st = p->ping(*ip); !st.ok()) why = st.error();
  }
  if (!why.empty()) return failNothing(L, kFn, why);
  return 0;
}

// collectPingResults([v6]) -> {[address] = round-trip ms} of the replies since the last call
// (of both families, or the one asked for).
int collectPingResults(lua_State* L) {
  const auto v6 = Args(L, "ntop.collectPingResults").optBoolean(1, "v6");
  std::map<std::string, double> all;
  {
    Pingers& p = pingers();
    std::lock_guard g(p.mu);
    for (auto& [ifname, pinger] : p.by_iface) {
      for (auto& [host, ms] : pinger->collect(v6)) all[host] = ms;
    }
  }
  lua_createtable(L, 0, int(all.size()));
  for (const auto& [host, ms] : all) {
    lua_pushnumber(L, ms);
    lua_setfield(L, -2, host.c_str());
  }
  return 1;
}

// getPingIfNames() -> array of the network interfaces that are up, are no loopback and have
// an address: those pingHost(..., iface) can send from.
int getPingIfNames(lua_State* L) {
  std::set<std::string> names;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) == 0) {
    for (ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
      if (i->ifa_addr == nullptr || !(i->ifa_flags & IFF_UP) || (i->ifa_flags & IFF_LOOPBACK)) continue;
      if (i->ifa_addr->sa_family == AF_INET || i->ifa_addr->sa_family == AF_INET6) names.insert(i->ifa_name);
    }
    freeifaddrs(list);
  }
  lua_createtable(L, int(names.size()), 0);
  int n = 0;
  for (const std::string& name : names) {
    pushString(L, name);
    lua_rawseti(L, -2, ++n);
  }
  return 1;
}

}  // namespace

const luaL_Reg kPing[] = {
    {"isPingAvailable", isPingAvailable},
    {"isPingIfaceAvailable", isPingIfaceAvailable},
    {"pingHost", pingHost},
    {"collectPingResults", collectPingResults},
    {"getPingIfNames", getPingIfNames},
    {nullptr, nullptr},
};

}  // namespace flowlens::lua::ntop
