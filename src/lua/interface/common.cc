#include "lua/interface/common.h"

#include <algorithm>

#include "auth/users.h"

namespace flowlens::lua::iface {

bool mayUse(lua_State* L, const NetworkInterface& i) {
  const Request* r = LuaState::from(L)->context().request;
  return r == nullptr || r->mayUseInterface(i.name());
}

NetworkInterface* selected(lua_State* L) {
  LuaState* s = LuaState::from(L);
  ScriptContext& ctx = s->context();
  if (ctx.selected_ifid < 0) {
    for (const auto& i : s->services().interfaces->all()) {
      if (mayUse(L, *i)) {
        ctx.selected_ifid = i->id();
        break;
      }
    }
  }
  NetworkInterface* i = s->services().interfaces->byId(ctx.selected_ifid);
  return i && mayUse(L, *i) ? i : nullptr;
}

const PacketEngine* selectedEngine(lua_State* L) {
  NetworkInterface* i = selected(L);
  return i ? i->engine() : nullptr;
}

std::vector<util::IpPrefix> allowedNetworks(lua_State* L) {
  const Request* r = LuaState::from(L)->context().request;
  if (r == nullptr || r->allowed_nets.empty()) return {};
  auth::User u;
  u.allowed_nets = r->allowed_nets;
  auto nets = u.allowedNetworks();
  if (nets.empty()) nets.push_back(util::IpPrefix{util::IpAddress{}, 128});  // none parse: nothing
  return nets;
}

const dpi::DpiCatalog& catalog(lua_State* L) { return *LuaState::from(L)->services().dpi; }

std::optional<std::array<uint8_t, 6>> macArg(const Args& a, int arg) {
  std::array<uint8_t, 6> mac;
  if (!host::parseMac(std::string(a.string(arg, "mac")), &mac)) return std::nullopt;
  return mac;
}

bool parseHostKey(std::string_view text, util::IpAddress* ip, std::optional<uint16_t>* vlan) {
  const size_t at = text.find('@');
  auto a = util::parseIp(text.substr(0, at));
  if (!a) return false;
  *ip = *a;
  if (at != std::string_view::npos) {
    const std::string v(text.substr(at + 1));
    char* end = nullptr;
    const long n = std::strtol(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || n < 0 || n > 4095) return false;
    *vlan = uint16_t(n);
  }
  return true;
}

std::optional<int64_t> intField(lua_State* L, int table, const char* key) {
  lua_getfield(L, table, key);
  std::optional<int64_t> v;
  if (lua_isinteger(L, -1)) {
    v = lua_tointeger(L, -1);
  } else if (lua_type(L, -1) == LUA_TNUMBER) {
    v = int64_t(lua_tonumber(L, -1));
  } else if (lua_type(L, -1) == LUA_TSTRING) {
    char* end = nullptr;
    const char* s = lua_tostring(L, -1);
    const long long n = std::strtoll(s, &end, 10);
    if (*s != '\0' && *end == '\0') v = n;
  }
  lua_pop(L, 1);
  return v;
}

std::optional<std::string> stringField(lua_State* L, int table, const char* key) {
  lua_getfield(L, table, key);
  std::optional<std::string> v;
  if (lua_type(L, -1) == LUA_TSTRING) v = lua_tostring(L, -1);
  lua_pop(L, 1);
  return v;
}

std::optional<bool> boolField(lua_State* L, int table, const char* key) {
  lua_getfield(L, table, key);
  std::optional<bool> v;
  if (lua_type(L, -1) == LUA_TBOOLEAN) v = lua_toboolean(L, -1) != 0;
  lua_pop(L, 1);
  return v;
}

// ntopng's paginator keys at stack index `idx`: sortColumn, a2zSortOrder, maxHits, toSkip,
// l4protoFilter, l7protoFilter, l7categoryFilter, portFilter, vlanIdFilter. Not a table (and
// not nil) raises.
void flowPaginator(lua_State* L, const Args& a, int idx, FlowQuery* q) {
  if (lua_type(L, idx) == LUA_TTABLE) {
    if (auto v = stringField(L, idx, "sortColumn")) q->sort_column = *v;
    if (auto v = boolField(L, idx, "a2zSortOrder")) q->ascending = *v;
    if (auto v = intField(L, idx, "maxHits")) q->max_hits = uint32_t(std::clamp<int64_t>(*v, 0, UINT32_MAX));
    if (auto v = intField(L, idx, "toSkip")) q->to_skip = uint32_t(std::clamp<int64_t>(*v, 0, UINT32_MAX));
    rangeFilter(intField(L, idx, "l4protoFilter"), 255, &q->l4_proto, q);
    rangeFilter(intField(L, idx, "l7protoFilter"), 0xffff, &q->application, q);
    rangeFilter(intField(L, idx, "l7categoryFilter"), 0xffff, &q->category, q);
    rangeFilter(intField(L, idx, "portFilter"), 0xffff, &q->port, q);
    rangeFilter(intField(L, idx, "vlanIdFilter"), 4095, &q->vlan, q);
  } else if (lua_type(L, idx) > LUA_TNIL) {
    a.table(idx, "paginator");
  }
}

}  // namespace flowlens::lua::iface
