// Spec section 11: HTTP Client, over util::httpRequest. The request functions answer ntopng's
// table (RESPONSE_CODE, CONTENT, HTTP_STATS, ...; see docs/api/http_client.md): a failed
// transfer still answers it, with ERROR and IS_PARTIAL. Arguments follow the spec; ntopng's
// other orders are accepted where the types tell them apart (docs/compat.md).
// Every wait ends at the run's time limit, and at shutdown.

#include <optional>

#include "core/log.h"
#include "lua/args.h"
#include "lua/registry.h"
#include "lua/state.h"
#include "util/fs.h"
#include "util/http_client.h"

namespace flowlens::lua::ntop {
namespace {

using util::HttpRequest;
using util::HttpResponse;

constexpr int64_t kDefaultTimeoutS = 30;  // ntopng's
constexpr uint64_t kMaxUploadFile = 64ull << 20;

// A header value from a script: one line.
std::string headerValue(const Args& a, std::string_view v, const char* what) {
  if (v.find_first_of("\r\n") != std::string_view::npos) {
    a.fail(std::string(what) + " must be one line");
  }
  return std::string(v);
}

void setTimeout(lua_State* L, HttpRequest& r, std::optional<int64_t> seconds) {
  r.timeout = LuaState::from(L)->context().waitFor(seconds, kDefaultTimeoutS, 3600);
}

// Runs the request; the run's time limit and shutdown cancel it.
HttpResponse perform(lua_State* L, HttpRequest& r) {
  LuaState* s = LuaState::from(L);
  r.cancelled = [s] { return s->deadlinePassed(); };
  HttpResponse rsp = util::httpRequest(r);
  if (!rsp.ok()) log::debug("HTTP {}: {}", r.url, rsp.error);
  return rsp;
}

bool succeeded(const HttpResponse& r) { return r.ok() && r.code >= 200 && r.code < 300; }

// The credentials of cookie authentication become a header: one line each.
void checkCookieCredentials(const Args& a, const HttpRequest& r) {
  if (!r.cookie_auth) return;
  headerValue(a, r.username, "username");
  headerValue(a, r.password, "password");
}

// ntopng's answer table.
void pushResponse(lua_State* L, const HttpResponse& r) {
  lua_createtable(L, 0, 12);
  setField(L, "RESPONSE_CODE", int64_t{r.code});
  if (!r.effective_url.empty()) setField(L, "EFFECTIVE_URL", r.effective_url);
  if (!r.content_type.empty()) setField(L, "CONTENT_TYPE", r.content_type);
  if (r.content_kept) {
    setField(L, "CONTENT", r.content);
    setField(L, "CONTENT_LEN", uint64_t{r.content.size()});
  }
  if (r.ok() && !r.resolved_ip.empty()) setField(L, "RESOLVED_IP", r.resolved_ip);
  if (!r.ok()) {
    setField(L, "ERROR", r.error);
    setField(L, "IS_PARTIAL", true);
  }
  setField(L, "BYTES_DOWNLOAD", r.bytes_download);
  setField(L, "BYTES_UPLOAD", r.bytes_upload);
  lua_createtable(L, 0, 7);
  setField(L, "NAMELOOKUP_TIME", r.times.namelookup);
  setField(L, "CONNECT_TIME", r.times.connect);
  setField(L, "APPCONNECT_TIME", r.times.appconnect);
  setField(L, "PRETRANSFER_TIME", r.times.pretransfer);
  setField(L, "REDIRECT_TIME", r.times.redirect);
  setField(L, "STARTTRANSFER_TIME", r.times.starttransfer);
  setField(L, "TOTAL_TIME", r.times.total);
  lua_setfield(L, -2, "HTTP_STATS");
  lua_createtable(L, 0, static_cast<int>(r.headers.size()));
  for (const auto& [name, value] : r.headers) setField(L, name.c_str(), value);
  lua_setfield(L, -2, "HTTP_HEADER");
}

// Pushes what `push` makes of the answer, unless the run's time ran out meanwhile.
template <typename Push>
int respond(lua_State* L, HttpRequest& r, Push push) {
  const HttpResponse rsp = perform(L, r);
  if (LuaState* s = LuaState::from(L); s->deadlinePassed()) return s->stopRun(L);
  push(rsp);
  return 1;
}

int answer(lua_State* L, HttpRequest& r) {
  return respond(L, r, [L](const HttpResponse& rsp) { pushResponse(L, rsp); });
}

// Typed fields of an options table at stack index `idx`; a field of another type raises
// "params.<key> must be a <type>".
struct Fields {
  lua_State* L;
  const Args& a;
  int idx;
  // Pushes the field; false (and nil pushed) when absent.
  bool push(const char* k, int type) const {
    const int t = lua_getfield(L, idx, k);
    if (t != LUA_TNIL && t != type) {
      a.fail(std::string("params.") + k + " must be a " + lua_typename(L, type));
    }
    return t != LUA_TNIL;
  }
  std::optional<std::string> str(const char* k) const {
    std::optional<std::string> v;
    if (push(k, LUA_TSTRING)) v = lua_tostring(L, -1);
    lua_pop(L, 1);
    return v;
  }
  std::optional<bool> flag(const char* k) const {
    std::optional<bool> v;
    if (push(k, LUA_TBOOLEAN)) v = lua_toboolean(L, -1);
    lua_pop(L, 1);
    return v;
  }
  std::optional<int64_t> integer(const char* k) const {
    std::optional<int64_t> v;
    if (push(k, LUA_TNUMBER)) v = lua_tointeger(L, -1);
    lua_pop(L, 1);
    return v;
  }
};

// httpGet(url [, user, pass, timeout, return_content, no_verify_cert, use_compression,
//         follow_redirects])
int httpGet(lua_State* L) {
  Args a(L, "ntop.httpGet");
  HttpRequest r;
  r.url = a.string(1, "url");
  if (auto user = a.optString(2, "user")) {
    r.username = *user;
    r.password = a.optString(3, "pass").value_or("");
  }
  setTimeout(L, r, a.optInteger(4, "timeout"));
  r.keep_content = a.optBoolean(5, "return_content").value_or(true);
  r.verify_cert = !a.optBoolean(6, "no_verify_cert").value_or(false);
  r.compression = a.optBoolean(7, "use_compression").value_or(false);
  r.follow_redirects = a.optBoolean(8, "follow_redirects").value_or(true);
  return answer(L, r);
}

// The options of httpPost's table (spec) or positions (ntopng: user, pass, timeout,
// return_content, use_cookie_auth, bearer, x_api_key, extra_header).
void postOptions(lua_State* L, const Args& a, HttpRequest& r) {
  r.keep_content = false;  // ntopng's default for POST
  std::optional<int64_t> timeout;
  if (lua_istable(L, 3)) {
    const Fields f{L, a, 3};
    r.username = f.str("username").value_or("");
    r.password = f.str("password").value_or("");
    timeout = f.integer("timeout");
    r.keep_content = f.flag("return_content").value_or(false);
    r.cookie_auth = f.flag("use_cookie_auth").value_or(false);
    r.bearer = headerValue(a, f.str("bearer").value_or(""), "bearer");
    r.x_api_key = headerValue(a, f.str("x_api_key").value_or(""), "x_api_key");
    if (auto h = f.str("extra_header")) r.extra_headers.push_back(headerValue(a, *h, "extra_header"));
    r.verify_cert = !f.flag("no_verify_cert").value_or(false);
  } else {
    if (auto user = a.optString(3, "user")) {
      r.username = *user;
      r.password = a.optString(4, "pass").value_or("");
    }
    timeout = a.optInteger(5, "timeout");
    r.keep_content = a.optBoolean(6, "return_content").value_or(false);
    r.cookie_auth = a.optBoolean(7, "use_cookie_auth").value_or(false);
    r.bearer = headerValue(a, a.optString(8, "bearer").value_or(""), "bearer");
    r.x_api_key = headerValue(a, a.optString(9, "x_api_key").value_or(""), "x_api_key");
    if (auto h = a.optString(10, "extra_header")) {
      r.extra_headers.push_back(headerValue(a, *h, "extra_header"));
    }
  }
  checkCookieCredentials(a, r);
  setTimeout(L, r, timeout);
}

// httpPost(url, data [, params])
int httpPost(lua_State* L) {
  Args a(L, "ntop.httpPost");
  HttpRequest r;
  r.method = HttpRequest::Method::kPost;
  r.url = a.string(1, "url");
  r.body = a.string(2, "data");
  postOptions(L, a, r);
  return answer(L, r);
}

HttpRequest::Method methodArg(const Args& a, std::string_view m) {
  if (m == "GET") return HttpRequest::Method::kGet;
  if (m == "POST") return HttpRequest::Method::kPost;
  if (m == "PUT") return HttpRequest::Method::kPut;
  if (m == "PATCH") return HttpRequest::Method::kPatch;
  a.fail("method must be GET, POST, PUT or PATCH");
}

// httpFetch(params): every option in one table (below); or ntopng's httpFetch(url, path
// [, timeout]), which writes the body to `path`.
int httpFetch(lua_State* L) {
  Args a(L, "ntop.httpFetch");
  HttpRequest r;
  if (!lua_istable(L, 1)) {
    r.url = a.string(1, "url");
    r.output_file = a.string(2, "path");
    setTimeout(L, r, a.optInteger(3, "timeout"));
    return answer(L, r);
  }
  const Fields f{L, a, 1};
  auto url = f.str("url");
  if (!url) a.fail("params.url is required");
  r.url = *url;
  const auto method = f.str("method");
  if (method) r.method = methodArg(a, *method);
  if (auto body = f.str("body")) {
    r.body = *body;
    if (!method) r.method = HttpRequest::Method::kPost;
  }
  r.content_type = headerValue(a, f.str("content_type").value_or(""), "content_type");
  r.username = f.str("username").value_or("");
  r.password = f.str("password").value_or("");
  r.cookie_auth = f.flag("use_cookie_auth").value_or(false);
  checkCookieCredentials(a, r);
  r.bearer = headerValue(a, f.str("bearer").value_or(""), "bearer");
  r.x_api_key = headerValue(a, f.str("x_api_key").value_or(""), "x_api_key");
  if (f.push("headers", LUA_TTABLE)) {
    lua_pushnil(L);
    while (lua_next(L, -2)) {
      if (lua_type(L, -1) != LUA_TSTRING) a.fail("params.headers values must be strings");
      std::string line;
      if (lua_type(L, -2) == LUA_TSTRING) {
        line = std::string(lua_tostring(L, -2)) + ": " + lua_tostring(L, -1);  // name = value
      } else {
        line = lua_tostring(L, -1);  // "Name: value"
      }
      r.extra_headers.push_back(headerValue(a, line, "a header"));
      lua_pop(L, 1);
    }
  }
  lua_pop(L, 1);
  setTimeout(L, r, f.integer("timeout"));
  r.keep_content = f.flag("return_content").value_or(true);
  r.follow_redirects = f.flag("follow_redirects").value_or(true);
  r.verify_cert = !f.flag("no_verify_cert").value_or(false);
  r.compression = f.flag("use_compression").value_or(false);
  if (auto v = f.integer("ip_version")) {
    if (*v != 4 && *v != 6) a.fail("params.ip_version must be 4 or 6");
    r.ip_version = static_cast<int>(*v);
  }
  r.output_file = f.str("output_file").value_or("");
  return answer(L, r);
}

// httpGetAuthToken(url, token [, timeout, return_content, no_verify_cert])
int httpGetAuthToken(lua_State* L) {
  Args a(L, "ntop.httpGetAuthToken");
  HttpRequest r;
  r.url = a.string(1, "url");
  r.bearer = headerValue(a, a.string(2, "token"), "token");
  setTimeout(L, r, a.optInteger(3, "timeout"));
  r.keep_content = a.optBoolean(4, "return_content").value_or(true);
  r.verify_cert = !a.optBoolean(5, "no_verify_cert").value_or(false);
  return answer(L, r);
}

// http{Post,Put,Patch}AuthToken(url, token, body [, timeout, content_type]); ntopng's
// boolean return_content in place of content_type is accepted.
int bodyWithToken(lua_State* L, const char* fn, HttpRequest::Method method) {
  Args a(L, fn);
  HttpRequest r;
  r.method = method;
  r.url = a.string(1, "url");
  r.bearer = headerValue(a, a.string(2, "token"), "token");
  r.body = a.string(3, "body");
  setTimeout(L, r, a.optInteger(4, "timeout"));
  if (lua_isboolean(L, 5)) {
    r.keep_content = lua_toboolean(L, 5);
  } else {
    r.content_type = headerValue(a, a.optString(5, "content_type").value_or(""), "content_type");
  }
  return answer(L, r);
}
int httpPostAuthToken(lua_State* L) {
  return bodyWithToken(L, "ntop.httpPostAuthToken", HttpRequest::Method::kPost);
}
int httpPutAuthToken(lua_State* L) {
  return bodyWithToken(L, "ntop.httpPutAuthToken", HttpRequest::Method::kPut);
}
int httpPatchAuthToken(lua_State* L) {
  return bodyWithToken(L, "ntop.httpPatchAuthToken", HttpRequest::Method::kPatch);
}

// ntopng's order for the two post helpers: (user, pass, url, data ...), told apart from the
// spec's (url, data) by a fourth string.
bool ntopngOrder(lua_State* L) { return lua_type(L, 4) == LUA_TSTRING; }

// postHTTPJsonData(url, body) -> whether the answer was 2xx; or ntopng's
// (user, pass, url, body [, timeout, bearer]).
int postHTTPJsonData(lua_State* L) {
  Args a(L, "ntop.postHTTPJsonData");
  HttpRequest r;
  r.method = HttpRequest::Method::kPost;
  r.content_type = "application/json";
  r.keep_content = false;
  r.follow_redirects = false;
  if (ntopngOrder(L)) {
    r.username = a.string(1, "user");
    r.password = a.string(2, "pass");
    r.url = a.string(3, "url");
    r.body = a.string(4, "body");
    setTimeout(L, r, a.optInteger(5, "timeout"));
    r.bearer = headerValue(a, a.optString(6, "bearer").value_or(""), "bearer");
  } else {
    r.url = a.string(1, "url");
    r.body = a.string(2, "body");
    setTimeout(L, r, std::nullopt);
  }
  return respond(L, r, [L](const HttpResponse& rsp) { lua_pushboolean(L, succeeded(rsp)); });
}

// postHTTPTextFile(url, path) -> whether the answer was 2xx; or ntopng's
// (user, pass, url, path [, delete_after, timeout]) -> the answer table.
int postHTTPTextFile(lua_State* L) {
  constexpr const char* kFn = "ntop.postHTTPTextFile";
  Args a(L, kFn);
  HttpRequest r;
  r.method = HttpRequest::Method::kPost;
  r.content_type = "text/plain; charset=utf-8";
  const bool ntopng = ntopngOrder(L);
  std::string path;
  bool delete_after = false;
  if (ntopng) {
    r.username = a.string(1, "user");
    r.password = a.string(2, "pass");
    r.url = a.string(3, "url");
    path = a.string(4, "path");
    delete_after = a.optBoolean(5, "delete_file_after_post").value_or(false);
    setTimeout(L, r, a.optInteger(6, "timeout"));
  } else {
    r.url = a.string(1, "url");
    path = a.string(2, "path");
    setTimeout(L, r, std::nullopt);
  }
  auto body = util::fs::readFile(path, kMaxUploadFile);
  if (!body) {
    if (ntopng) return failWithNil(L, kFn, body.error());
    failNothing(L, kFn, body.error());
    lua_pushboolean(L, false);
    return 1;
  }
  r.body = std::move(*body);
  return respond(L, r, [&](const HttpResponse& rsp) {
    if (succeeded(rsp) && delete_after) {
      if (Status st = util::fs::removeFile(path); !st) log::warning("{}: {}", kFn, st.error());
    }
    if (ntopng) {
      pushResponse(L, rsp);
    } else {
      lua_pushboolean(L, succeeded(rsp));
    }
  });
}

// httpRedirect(url): the page answers 302 Found to `url`. Returns nothing, so ntopng's
// print(ntop.httpRedirect(url)) prints an empty line.
int httpRedirect(lua_State* L) {
  Args a(L, "ntop.httpRedirect");
  const std::string url = headerValue(a, a.string(1, "url"), "url");
  if (url.empty()) a.fail("url is empty");
  if (auto* r = LuaState::from(L)->context().response) {
    r->status = 302;
    r->headers.emplace_back("Location", url);
  }
  return 0;
}

// getRandomCSRFValue(): the token a form of this session posts back (the session's, as
// _SESSION.csrf); "" outside a session login, where posts carry no token.
int getRandomCSRFValue(lua_State* L) {
  const Request* req = LuaState::from(L)->context().request;
  pushString(L, req ? std::string_view(req->csrf) : std::string_view());
  return 1;
}

}  // namespace

const luaL_Reg kHttpClient[] = {
    {"httpGet", httpGet},
    {"httpPost", httpPost},
    {"httpFetch", httpFetch},
    {"httpGetAuthToken", httpGetAuthToken},
    {"httpPostAuthToken", httpPostAuthToken},
    {"httpPutAuthToken", httpPutAuthToken},
    {"httpPatchAuthToken", httpPatchAuthToken},
    {"postHTTPJsonData", postHTTPJsonData},
    {"postHTTPTextFile", postHTTPTextFile},
    {"httpRedirect", httpRedirect},
    {"getRandomCSRFValue", getRandomCSRFValue},
    {nullptr, nullptr},
};

}  // namespace flowlens::lua::ntop
