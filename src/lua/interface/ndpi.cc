// interface.* nDPI views: getnDPIStats (per application and category), getnDPIProtocols,
// getnDPICategories, and the name/id lookups.

#include "lua/args.h"
#include "lua/interface/common.h"
#include "lua/interface/views.h"
#include "lua/registry.h"

namespace flowlens::lua::iface {
namespace {

void pushAppStats(lua_State* L, const AppStats& s) {
  pushTraffic(L, s.traffic);
  setField(L, "num_flows", s.flows);
  setField(L, "duration", s.duration_s);
}

// {ndpi = {[app] = {...}}, ndpi_categories = {[category] = {...}}} as ntopng's nDPIStats::lua.
int getnDPIStats(lua_State* L) {
  TrafficStats stats;
  if (const PacketEngine* e = selectedEngine(L)) {
    e->readShared([&](const host::HostTable&, const TrafficStats& s) {
      stats.apps = s.apps;
      stats.categories = s.categories;
    });
  }
  const dpi::DpiCatalog& cat = catalog(L);
  lua_createtable(L, 0, 2);
  lua_createtable(L, 0, int(stats.apps.size()));
  for (const auto& [id, s] : stats.apps) {
    lua_createtable(L, 0, 10);
    pushAppStats(L, s);
    setField(L, "id", int64_t{id});
    setField(L, "breed", cat.breedName(id));
    lua_setfield(L, -2, cat.protocolName(id).c_str());
  }
  lua_setfield(L, -2, "ndpi");
  lua_createtable(L, 0, int(stats.categories.size()));
  for (const auto& [id, s] : stats.categories) {
    lua_createtable(L, 0, 9);
    pushAppStats(L, s);
    setField(L, "category", int64_t{id});
    lua_setfield(L, -2, cat.categoryName(id).c_str());
  }
  lua_setfield(L, -2, "ndpi_categories");
  return 1;
}

// getnDPIProtocols([category_id][, skip_critical]) -> {[name] = id}.
int getnDPIProtocols(lua_State* L) {
  Args a(L, "interface.getnDPIProtocols");
  const auto category = a.optInteger(1, "category");
  lua_newtable(L);
  for (const auto& p : catalog(L).protocols()) {
    if (category && *category >= 0 && p.category != *category) continue;
    lua_pushinteger(L, p.id);
    lua_setfield(L, -2, p.name.c_str());
  }
  return 1;
}

// {[name] = id} of every category.
int getnDPICategories(lua_State* L) {
  lua_newtable(L);
  for (const auto& [id, name] : catalog(L).categories()) {
    lua_pushinteger(L, id);
    lua_setfield(L, -2, name.c_str());
  }
  return 1;
}

int getnDPIProtoName(lua_State* L) {
  Args a(L, "interface.getnDPIProtoName");
  const int64_t id = a.integer(1, "proto_id");
  pushString(L, id < 0 || id > 0xffff ? "Unknown" : catalog(L).protocolName(uint16_t(id)));
  return 1;
}

int getnDPIFullProtoName(lua_State* L) {
  Args a(L, "interface.getnDPIFullProtoName");
  const int64_t master = a.integer(1, "master_id"), app = a.integer(2, "app_id");
  pushString(L, catalog(L).fullName(uint16_t(master), uint16_t(app)));
  return 1;
}

int getnDPIProtoId(lua_State* L) {
  Args a(L, "interface.getnDPIProtoId");
  const int id = catalog(L).protocolId(std::string(a.string(1, "proto_name")));
  lua_pushinteger(L, id < 0 ? 0 : id);  // ntopng answers Unknown (0) for names it does not know
  return 1;
}

int getnDPICategoryName(lua_State* L) {
  Args a(L, "interface.getnDPICategoryName");
  const int64_t id = a.integer(1, "category_id");
  const std::string name = id < 0 || id > 0xffff ? "" : catalog(L).categoryName(uint16_t(id));
  if (name.empty()) {
    lua_pushnil(L);
  } else {
    pushString(L, name);
  }
  return 1;
}

int getnDPICategoryId(lua_State* L) {
  Args a(L, "interface.getnDPICategoryId");
  const int id = catalog(L).categoryId(std::string(a.string(1, "category_name")));
  lua_pushinteger(L, id);
  return 1;
}

int getnDPIProtoBreed(lua_State* L) {
  Args a(L, "interface.getnDPIProtoBreed");
  pushString(L, catalog(L).breedName(uint16_t(a.integer(1, "proto_id"))));
  return 1;
}

}  // namespace

const luaL_Reg kNdpi[] = {
    {"getnDPIStats", getnDPIStats},
    {"getnDPIProtocols", getnDPIProtocols},
    {"getnDPICategories", getnDPICategories},
    {"getnDPIProtoName", getnDPIProtoName},
    {"getnDPIFullProtoName", getnDPIFullProtoName},
    {"getnDPIProtoId", getnDPIProtoId},
    {"getnDPICategoryName", getnDPICategoryName},
    {"getnDPICategoryId", getnDPICategoryId},
    {"getnDPIProtoBreed", getnDPIProtoBreed},
    {nullptr, nullptr},
};

}  // namespace flowlens::lua::iface
