// print() and the flowlens.* helpers that lua_utils' sendHTTPHeader() family calls: how a
// script shapes its HTTP response (spec section 1). Output is buffered in the Response so a
// status set after printing still applies.

#include <strings.h>

#include <cstdio>

#include "core/log.h"
#include "lua/args.h"
#include "lua/registry.h"
#include "lua/state.h"
#include "util/qr.h"

namespace flowlens::lua {
namespace {

void appendValue(lua_State* L, int i, std::string& out) {
  switch (lua_type(L, i)) {
    case LUA_TSTRING:
    case LUA_TNUMBER: {
      size_t len = 0;
      const char* s = lua_tolstring(L, i, &len);
      out.append(s, len);
      break;
    }
    case LUA_TNIL: out += "nil"; break;
    case LUA_TBOOLEAN: out += lua_toboolean(L, i) ? "true" : "false"; break;
    default: {
      size_t len = 0;
      const char* s = luaL_tolstring(L, i, &len);
      out.append(s, len);
      lua_pop(L, 1);
    }
  }
}

int setHTTPStatus(lua_State* L) {
  Args a(L, "flowlens.setHTTPStatus");
  const int64_t code = a.integer(1, "status");
  if (code < 100 || code > 599) a.fail("status must be 100..599");
  if (auto* r = LuaState::from(L)->context().response) r->status = static_cast<int>(code);
  return 0;
}

int setHTTPHeader(lua_State* L) {
  Args a(L, "flowlens.setHTTPHeader");
  std::string name(a.string(1, "name"));
  std::string value(a.string(2, "value"));
  // Header injection: names are tokens, values one line.
  if (name.empty() || name.find_first_of(" \t\r\n:") != std::string::npos ||
      value.find_first_of("\r\n") != std::string::npos) {
    a.fail("invalid header '" + name + "'");
  }
  auto* r = LuaState::from(L)->context().response;
  if (!r) return 0;
  if (strcasecmp(name.c_str(), "Content-Type") == 0) {
    r->content_type = value;
  } else {
    r->headers.emplace_back(std::move(name), std::move(value));
  }
  return 0;
}

// flowlens.clearHTTPHeaders(): forgets the headers set so far (not the status or the content
// type): an answer that changes its mind, e.g. an error instead of a file download.
int clearHTTPHeaders(lua_State* L) {
  if (auto* r = LuaState::from(L)->context().response) r->headers.clear();
  return 0;
}

int setContentType(lua_State* L) {
  Args a(L, "flowlens.setContentType");
  std::string type(a.string(1, "content_type"));
  if (type.find_first_of("\r\n") != std::string::npos) a.fail("invalid content type");
  if (auto* r = LuaState::from(L)->context().response) r->content_type = std::move(type);
  return 0;
}

// flowlens.qrCodeSvg(text [, module_px]): an inline SVG QR code (TOTP enrolment).
int qrCodeSvg(lua_State* L) {
  Args a(L, "flowlens.qrCodeSvg");
  const auto text = a.string(1, "text");
  const int64_t px = a.optInteger(2, "module_px").value_or(4);
  if (px < 1 || px > 32) a.fail("argument #2 (module_px) must be 1..32");
  auto svg = util::qrCodeSvg(text, static_cast<int>(px));
  if (!svg) return failWithNil(L, "flowlens.qrCodeSvg", svg.error());
  pushString(L, *svg);
  return 1;
}

}  // namespace

int luaPrint(lua_State* L) {
  std::string out;
  const int n = lua_gettop(L);
  for (int i = 1; i <= n; ++i) appendValue(L, i, out);
  auto* r = LuaState::from(L)->context().response;
  if (r) {
    r->body += out;
  } else {
    log::normal("{}", out);
  }
  return 0;
}

const luaL_Reg kResponse[] = {
    {"setHTTPStatus", setHTTPStatus},
    {"setHTTPHeader", setHTTPHeader},
    {"clearHTTPHeaders", clearHTTPHeaders},
    {"setContentType", setContentType},
    {"qrCodeSvg", qrCodeSvg},
    {nullptr, nullptr},
};

}  // namespace flowlens::lua
