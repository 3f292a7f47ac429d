// flowlens.jsonEncode(value): the JSON text dkjson.encode(value) produces, written in C++ for
// the REST hot path (dkjson in Lua was 3/4 of a getInfo request's cost). It follows dkjson's
// rules: a table whose keys are all positive integers is an array unless it has many holes
// (max > 10 and max > 2 * count), an empty table is [] unless its metatable says
// __jsontype = 'object', numbers print as tostring() does (NaN/inf as null), strings escape
// dkjson's set of characters. Anything dkjson would customise (a __tojson or __jsonorder
// metamethod) or reject (functions, userdata, cycles) returns nil plus a reason, and the
// caller (rest_utils) falls back to dkjson.

#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>

#include "lua/args.h"
#include "lua/registry.h"

namespace flowlens::lua {
namespace {

constexpr int kMaxDepth = 128;

void appendEscape(std::string& out, uint32_t cp) {
  char buf[16];
  if (cp <= 0xFFFF) {
    std::snprintf(buf, sizeof(buf), "\\u%.4x", cp);
  } else {
    cp -= 0x10000;
    std::snprintf(buf, sizeof(buf), "\\u%.4x\\u%.4x", 0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF));
  }
  out += buf;
}

// The invisible or line-breaking code points dkjson escapes (from Crockford's "escapable").
bool dkjsonEscapes(uint32_t cp) {
  return (cp >= 0x80 && cp <= 0x9F) || cp == 0xAD || (cp >= 0x600 && cp <= 0x604) ||
         cp == 0x70F || cp == 0x17B4 || cp == 0x17B5 || (cp >= 0x200C && cp <= 0x200F) ||
         (cp >= 0x2028 && cp <= 0x202F) || (cp >= 0x2060 && cp <= 0x206F) || cp == 0xFEFF ||
         (cp >= 0xFFF0 && cp <= 0xFFFF);
}

void appendString(std::string& out, const char* s, size_t len) {
  out += '"';
  for (size_t i = 0; i < len; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"': out += "\\\""; continue;
      case '\\': out += "\\\\"; continue;
      case '\b': out += "\\b"; continue;
      case '\f': out += "\\f"; continue;
      case '\n': out += "\\n"; continue;
      case '\r': out += "\\r"; continue;
      case '\t': out += "\\t"; continue;
      default: break;
    }
    if (c < 0x20 || c == 0x7F) {
      appendEscape(out, c);
      continue;
    }
    if (c == 0xC2 || c == 0xD8 || c == 0xDC || c == 0xE1 || c == 0xE2 || c == 0xEF) {
      // A lead byte of one of the escaped ranges: decode the sequence to decide.
      const int extra = c >= 0xE0 ? 2 : 1;
      if (i + extra < len) {
        uint32_t cp = c & (extra == 2 ? 0x0F : 0x1F);
        bool valid = true;
        for (int k = 1; k <= extra; ++k) {
          const auto cc = static_cast<unsigned char>(s[i + k]);
          valid = valid && (cc & 0xC0) == 0x80;
          cp = (cp << 6) | (cc & 0x3F);
        }
        if (valid && dkjsonEscapes(cp)) {
          appendEscape(out, cp);
          i += extra;
          continue;
        }
      }
    }
    out += static_cast<char>(c);
  }
  out += '"';
}

void appendNumber(lua_State* L, int idx, std::string& out) {
  if (!lua_isinteger(L, idx)) {
    const double d = lua_tonumber(L, idx);
    if (std::isnan(d) || std::isinf(d)) {
      out += "null";
      return;
    }
  }
  lua_pushvalue(L, idx);
  size_t len;
  const char* s = lua_tolstring(L, -1, &len);  // tostring(): "%.14g" (+ ".0"), as dkjson
  out.append(s, len);
  lua_pop(L, 1);
}

// Returns nullptr on success, else why the value needs dkjson.
const char* encode(lua_State* L, int idx, std::string& out, int depth) {
  idx = lua_absindex(L, idx);
  switch (lua_type(L, idx)) {
    case LUA_TNIL: out += "null"; return nullptr;
    case LUA_TBOOLEAN: out += lua_toboolean(L, idx) ? "true" : "false"; return nullptr;
    case LUA_TNUMBER: appendNumber(L, idx, out); return nullptr;
    case LUA_TSTRING: {
      size_t len;
      const char* s = lua_tolstring(L, idx, &len);
      appendString(out, s, len);
      return nullptr;
    }
    case LUA_TTABLE: break;
    default: return "unsupported type";
  }
  if (depth > kMaxDepth) return "nested too deeply (a cycle?)";
  luaL_checkstack(L, 6, "json");
  bool force_object = false;
  if (lua_getmetatable(L, idx)) {
    const int mt = lua_gettop(L);
    const bool custom = lua_getfield(L, mt, "__tojson") != LUA_TNIL ||
                        lua_getfield(L, mt, "__jsonorder") != LUA_TNIL;
    lua_getfield(L, mt, "__jsontype");
    force_object = lua_type(L, -1) == LUA_TSTRING && std::strcmp(lua_tostring(L, -1), "object") == 0;
    lua_settop(L, mt - 1);
    if (custom) return "custom metamethods";
  }
  // dkjson's isarray(): positive integer keys only (plus a numeric "n" giving the length).
  lua_Integer max = 0, n = 0, arraylen = 0;
  bool is_array = true;
  lua_pushnil(L);
  while (lua_next(L, idx)) {  // [key value]
    if (lua_type(L, -2) == LUA_TSTRING && std::strcmp(lua_tostring(L, -2), "n") == 0 &&
        lua_type(L, -1) == LUA_TNUMBER) {
      arraylen = static_cast<lua_Integer>(lua_tonumber(L, -1));
      if (arraylen > max) max = arraylen;
      lua_pop(L, 1);
      continue;
    }
    lua_pop(L, 1);  // [key]
    int isint = 0;
    const lua_Integer k = lua_type(L, -1) == LUA_TNUMBER ? lua_tointegerx(L, -1, &isint) : 0;
    if (!isint || k < 1) {
      lua_pop(L, 1);
      is_array = false;
      break;
    }
    if (k > max) max = k;
    ++n;
  }
  if (is_array && max > 10 && max > arraylen && max > n * 2) is_array = false;
  if (is_array && max == 0 && force_object) is_array = false;

  if (is_array) {
    out += '[';
    for (lua_Integer i = 1; i <= max; ++i) {
      if (i > 1) out += ',';
      lua_rawgeti(L, idx, i);
      const char* err = encode(L, -1, out, depth + 1);
      lua_pop(L, 1);
      if (err) return err;
    }
    out += ']';
    return nullptr;
  }
  out += '{';
  bool first = true;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    const int kt = lua_type(L, -2);
    if (kt != LUA_TSTRING && kt != LUA_TNUMBER) {
      lua_pop(L, 2);
      return "unsupported key type";
    }
    if (!first) out += ',';
    first = false;
    lua_pushvalue(L, -2);  // tolstring converts numbers: keep the key intact for lua_next
    size_t len;
    const char* ks = lua_tolstring(L, -1, &len);
    appendString(out, ks, len);
    lua_pop(L, 1);
    out += ':';
    const char* err = encode(L, -1, out, depth + 1);
    lua_pop(L, 1);
    if (err) {
      lua_pop(L, 1);
      return err;
    }
  }
  out += '}';
  return nullptr;
}

int jsonEncode(lua_State* L) {
  luaL_checkany(L, 1);
  std::string out;
  out.reserve(256);
  lua_settop(L, 1);
  if (const char* why = encode(L, 1, out, 0)) {
    lua_pushnil(L);
    lua_pushstring(L, why);
    return 2;
  }
  pushString(L, out);
  return 1;
}

}  // namespace

const luaL_Reg kJson[] = {
    {"jsonEncode", jsonEncode},
    {nullptr, nullptr},
};

}  // namespace flowlens::lua
