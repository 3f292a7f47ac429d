// Spec section 26: Bitmap Utilities, on 64-bit integers.

#include "lua/args.h"
#include "lua/registry.h"

namespace flowlens::lua::ntop {
namespace {

struct BitArgs {
  uint64_t bitmap;
  int bit;
};

BitArgs read(lua_State* L, const char* fn) {
  Args a(L, fn);
  const auto bitmap = static_cast<uint64_t>(a.integer(1, "bitmap"));
  const int64_t bit = a.integer(2, "val");
  if (bit < 0 || bit > 63) a.fail("argument #2 (val) must be 0..63");
  return {bitmap, static_cast<int>(bit)};
}

int bitmapIsSet(lua_State* L) {
  const BitArgs b = read(L, "ntop.bitmapIsSet");
  lua_pushboolean(L, (b.bitmap >> b.bit) & 1);
  return 1;
}

int bitmapSet(lua_State* L) {
  const BitArgs b = read(L, "ntop.bitmapSet");
  lua_pushinteger(L, static_cast<lua_Integer>(b.bitmap | (uint64_t{1} << b.bit)));
  return 1;
}

int bitmapClear(lua_State* L) {
  const BitArgs b = read(L, "ntop.bitmapClear");
  lua_pushinteger(L, static_cast<lua_Integer>(b.bitmap & ~(uint64_t{1} << b.bit)));
  return 1;
}

}  // namespace

const luaL_Reg kBitmap[] = {
    {"bitmapIsSet", bitmapIsSet},
    {"bitmapSet", bitmapSet},
    {"bitmapClear", bitmapClear},
    {nullptr, nullptr},
};

}  // namespace flowlens::lua::ntop
