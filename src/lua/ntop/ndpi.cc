// Spec section 17 (nDPI / Protocol Classification) and section 30 (Custom Categories & nDPI
// Reload): protocol categories, custom applications, custom categories by host and address,
// domain masks and trusted issuers. The work is in dpi::DpiCatalog and dpi::CustomCategories.

#include "dpi/custom_categories.h"
#include "dpi/dpi_engine.h"
#include "lua/args.h"
#include "lua/registry.h"
#include "lua/state.h"

namespace flowlens::lua::ntop {
namespace {

const Services& services(lua_State* L) { return LuaState::from(L)->services(); }
dpi::CustomCategories& custom(lua_State* L) { return *services(L).custom_categories; }

uint16_t checkId(lua_State* L, const Args& a, const char* fn, int arg, const char* name) {
  const int64_t id = a.integer(arg, name);
  if (id < 0 || id > 0xffff) luaL_error(L, "%s: argument #%d (%s) out of range", fn, arg, name);
  return uint16_t(id);
}

bool requireAdmin(lua_State* L, const char* fn) {
  if (LuaState::from(L)->context().isAdministrator()) return true;
  failWithNil(L, fn, "administrators only");
  return false;
}

int getnDPIProtoCategory(lua_State* L) {
  Args a(L, "ntop.getnDPIProtoCategory");
  const uint16_t proto = checkId(L, a, "ntop.getnDPIProtoCategory", 1, "proto_id");
  const auto overridden = custom(L).protocolCategory(proto);
  lua_pushinteger(L, overridden ? *overridden : services(L).dpi->categoryOf(proto));
  return 1;
}

int setnDPIProtoCategory(lua_State* L) {
  Args a(L, "ntop.setnDPIProtoCategory");
  const uint16_t proto = checkId(L, a, "ntop.setnDPIProtoCategory", 1, "proto_id");
  const uint16_t category = checkId(L, a, "ntop.setnDPIProtoCategory", 2, "category_id");
  if (!requireAdmin(L, "ntop.setnDPIProtoCategory")) return 1;
  if (services(L).dpi->categoryName(category).empty()) {
    return failWithNil(L, "ntop.setnDPIProtoCategory", "unknown category " + std::to_string(category));
  }
  custom(L).setProtocolCategory(proto, category);
  services(L).dpi->setCategory(proto, category);
  lua_pushnil(L);
  return 1;
}

int isCustomApplication(lua_State* L) {
  Args a(L, "ntop.isCustomApplication");
  lua_pushboolean(L, services(L).dpi->isCustom(checkId(L, a, "ntop.isCustomApplication", 1, "proto_id")));
  return 1;
}

int matchCustomCategory(lua_State* L) {
  Args a(L, "ntop.matchCustomCategory");
  const auto c = custom(L).matchHost(a.string(1, "host"));
  if (c) {
    lua_pushinteger(L, *c);
  } else {
    lua_pushnil(L);
  }
  return 1;
}

int initnDPIReload(lua_State* L) {
  if (!requireAdmin(L, "ntop.initnDPIReload")) return 1;
  custom(L).beginReload();
  lua_pushnil(L);
  return 1;
}

int finalizenDPIReload(lua_State* L) {
  if (!requireAdmin(L, "ntop.finalizenDPIReload")) return 1;
  custom(L).finalizeReload();
  lua_pushnil(L);
  return 1;
}

int loadCustomCategoryIp(lua_State* L) {
  Args a(L, "ntop.loadCustomCategoryIp");
  const uint16_t category = checkId(L, a, "ntop.loadCustomCategoryIp", 1, "category_id");
  const std::string_view ip = a.string(2, "ip");
  if (!requireAdmin(L, "ntop.loadCustomCategoryIp")) return 1;
  if (Status st = custom(L).addIp(category, ip); !st) {
    return failWithNil(L, "ntop.loadCustomCategoryIp", st.error());
  }
  lua_pushnil(L);
  return 1;
}

int loadCustomCategoryHost(lua_State* L) {
  Args a(L, "ntop.loadCustomCategoryHost");
  const uint16_t category = checkId(L, a, "ntop.loadCustomCategoryHost", 1, "category_id");
  const std::string_view host = a.string(2, "host");
  if (!requireAdmin(L, "ntop.loadCustomCategoryHost")) return 1;
  if (Status st = custom(L).addHost(category, host); !st) {
    return failWithNil(L, "ntop.loadCustomCategoryHost", st.error());
  }
  lua_pushnil(L);
  return 1;
}

int loadCustomCategoryFile(lua_State* L) {
  Args a(L, "ntop.loadCustomCategoryFile");
  const uint16_t category = checkId(L, a, "ntop.loadCustomCategoryFile", 1, "category_id");
  const std::string path(a.string(2, "path"));
  if (!requireAdmin(L, "ntop.loadCustomCategoryFile")) return 1;
  auto n = custom(L).loadFile(category, path);
  if (!n) return failWithNil(L, "ntop.loadCustomCategoryFile", n.error());
  lua_pushinteger(L, lua_Integer(*n));  // entries loaded (ntopng returns nil; a count helps)
  return 1;
}

int setDomainMask(lua_State* L) {
  Args a(L, "ntop.setDomainMask");
  const std::string_view domain = a.string(1, "domain");
  const int64_t mask = a.integer(2, "mask");
  if (!requireAdmin(L, "ntop.setDomainMask")) return 1;
  custom(L).setDomainMask(domain, uint32_t(mask));
  lua_pushnil(L);
  return 1;
}

int addTrustedIssuerDN(lua_State* L) {
  Args a(L, "ntop.addTrustedIssuerDN");
  const std::string_view dn = a.string(1, "dn");
  if (!requireAdmin(L, "ntop.addTrustedIssuerDN")) return 1;
  custom(L).addTrustedIssuer(dn);
  lua_pushnil(L);
  return 1;
}

}  // namespace

const luaL_Reg kNdpi[] = {
    {"getnDPIProtoCategory", getnDPIProtoCategory},
    {"setnDPIProtoCategory", setnDPIProtoCategory},
    {"isCustomApplication", isCustomApplication},
    {"matchCustomCategory", matchCustomCategory},
    {"initnDPIReload", initnDPIReload},
    {"finalizenDPIReload", finalizenDPIReload},
    {"loadCustomCategoryIp", loadCustomCategoryIp},
    {"loadCustomCategoryHost", loadCustomCategoryHost},
    {"loadCustomCategoryFile", loadCustomCategoryFile},
    {"setDomainMask", setDomainMask},
    {"addTrustedIssuerDN", addTrustedIssuerDN},
    {nullptr, nullptr},
};

}  // namespace flowlens::lua::ntop
