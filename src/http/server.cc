#include "http/server.h"

#include <strings.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <atomic>
#include <cctype>
#include <climits>
#include <thread>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "auth/crypto.h"
#include "core/log.h"
#include "core/privileges.h"
#include "http/request_body.h"
#include "http/url.h"

namespace flowlens::http {
namespace {

std::string realPath(const std::string& p) {
  char buf[PATH_MAX];
  return ::realpath(p.c_str(), buf) ? std::string(buf) : std::string();
}

bool isUnder(const std::string& path, const std::string& root) {
  return path.size() > root.size() && path.compare(0, root.size(), root) == 0 &&
         path[root.size()] == '/';
}

bool endsWith(const std::string& s, const char* suffix) {
  const size_t n = std::strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

void wakeListener(const mg_server_port& port) {
  const bool v6 = port.protocol == 2;
  const int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  sockaddr_storage ss{};
  socklen_t len;
  if (v6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(static_cast<uint16_t>(port.port));
    a->sin6_addr = in6addr_loopback;
    len = sizeof(*a);
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(static_cast<uint16_t>(port.port));
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    len = sizeof(*a);
  }
  ::connect(fd, reinterpret_cast<sockaddr*>(&ss), len);
  ::close(fd);
}

int logMessage(const mg_connection*, const char* message) {
  log::info("http: {}", message);
  return 1;
}

}  // namespace

void sendResponse(mg_connection* conn, const lua::Response& r, bool head_only) {
  mg_response_header_start(conn, r.status);
  mg_response_header_add(conn, "Content-Type", r.content_type.c_str(), -1);
  mg_response_header_add(conn, "Content-Length", std::to_string(r.body.size()).c_str(), -1);
  mg_response_header_add(conn, "X-Content-Type-Options", "nosniff", -1);
  bool has_cache_control = false;
  for (const auto& [k, v] : r.headers) {
    if (strcasecmp(k.c_str(), "Cache-Control") == 0) has_cache_control = true;
    mg_response_header_add(conn, k.c_str(), v.c_str(), static_cast<int>(v.size()));
  }
  if (!has_cache_control) mg_response_header_add(conn, "Cache-Control", "no-store", -1);
  mg_response_header_send(conn);
  if (!head_only && !r.body.empty()) mg_write(conn, r.body.data(), r.body.size());
}

void ConnectionStream::begin() {
  started_ = true;
  absorbPrintedHeaders(*response_);
  mg_response_header_start(conn_, response_->status);
  mg_response_header_add(conn_, "Content-Type", response_->content_type.c_str(), -1);
  // HTTP/1.0 has no chunks: the body ends where the connection does (civetweb closes it).
  const char* version = mg_get_request_info(conn_)->http_version;
  chunked_ = version == nullptr || strcmp(version, "1.0") != 0;
  if (chunked_) {  // the last chunk ends the body: the connection may serve more requests
    mg_response_header_add(conn_, "Transfer-Encoding", "chunked", -1);
  } else {
    mg_response_header_add(conn_, "Connection", "close", -1);
  }
  mg_response_header_add(conn_, "X-Content-Type-Options", "nosniff", -1);
  mg_response_header_add(conn_, "Cache-Control", "no-store", -1);
  for (const auto& [k, v] : response_->headers) {
    if (strcasecmp(k.c_str(), "Cache-Control") == 0 ||
        strcasecmp(k.c_str(), "Content-Length") == 0 ||
        strcasecmp(k.c_str(), "Connection") == 0) {
      continue;
    }
    mg_response_header_add(conn_, k.c_str(), v.c_str(), static_cast<int>(v.size()));
  }
  if (mg_response_header_send(conn_) < 0) failed_ = true;
  if (head_only_) failed_ = true;  // nothing more to send: the caller may stop
}

bool ConnectionStream::write(std::string_view bytes) {
  if (!started_) {
    begin();
    std::string printed = std::move(response_->body);
    response_->body.clear();
    if (!printed.empty()) write(printed);
  }
  if (failed_ || bytes.empty()) return !failed_;
  const int sent = chunked_ ? mg_send_chunk(conn_, bytes.data(), unsigned(bytes.size()))
                           : mg_write(conn_, bytes.data(), bytes.size());
  if (sent <= 0) failed_ = true;
  return !failed_;
}

void ConnectionStream::finish() {
  if (!started_) return;
  if (!response_->body.empty()) write(response_->body);
  response_->body.clear();
  if (!failed_ && !head_only_ && chunked_) mg_send_chunk(conn_, "", 0);
}

void sendError(mg_connection* conn, int status, const std::string& message) {
  lua::Response r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::to_string(status) + " " + mg_get_response_code_text(conn, status) + ": " +
           message + "\n";
  sendResponse(conn, r, strcmp(mg_get_request_info(conn)->request_method, "HEAD") == 0);
}

void absorbPrintedHeaders(lua::Response& r) {
  if (r.body.compare(0, 7, "HTTP/1.") != 0) return;
  const size_t end = r.body.find("\r\n\r\n");
  if (end == std::string::npos) return;
  const std::string head = r.body.substr(0, end);
  size_t line_end = head.find("\r\n");
  const std::string status_line = head.substr(0, line_end);
  const size_t sp = status_line.find(' ');
  if (sp != std::string::npos) {
    const int code = std::atoi(status_line.c_str() + sp + 1);
    if (code >= 100 && code <= 599) r.status = code;
  }
  while (line_end != std::string::npos) {
    const size_t start = line_end + 2;
    line_end = head.find("\r\n", start);
    const std::string line = head.substr(start, line_end == std::string::npos ? std::string::npos
                                                                              : line_end - start);
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    if (strcasecmp(name.c_str(), "Content-Type") == 0) r.content_type = value;
    else if (strcasecmp(name.c_str(), "Content-Length") != 0 &&
             strcasecmp(name.c_str(), "Connection") != 0 &&
             strcasecmp(name.c_str(), "Date") != 0) {
      r.headers.emplace_back(std::move(name), std::move(value));
    }
  }
  r.body.erase(0, end + 4);
}

Server::Server(ServerConfig config, lua::Services* services, lua::StatePool* pool)
    : config_(std::move(config)), services_(services), pool_(pool) {}

Server::~Server() {
  if (!stop()) log::warning("HTTP server did not stop within 60 s");
}

Status Server::start() {
  lua_root_real_ = realPath(config_.lua_root);
  docs_root_real_ = realPath(config_.docs_root);
  if (lua_root_real_.empty()) return Error{"scripts directory '" + config_.lua_root + "' missing"};

  const std::string threads = std::to_string(config_.threads);
  std::vector<const char*> opts = {
      "listening_ports", config_.listening_ports.c_str(),
      "num_threads", threads.c_str(),
      "enable_keep_alive", "yes",
      "keep_alive_timeout_ms", "15000",
      "request_timeout_ms", "30000",
      "max_request_size", "16384",
      "enable_directory_listing", "no",
      "decode_url", "no",
      "static_file_max_age", "86400",  // static files change only with a new release
      "tcp_nodelay", "1",              // headers and body go out in separate writes
  };
  if (!config_.ssl_certificate.empty()) {
    opts.push_back("ssl_certificate");
    opts.push_back(config_.ssl_certificate.c_str());
  }
  if (!config_.access_control_list.empty()) {
    opts.push_back("access_control_list");
    opts.push_back(config_.access_control_list.c_str());
  }
  opts.push_back(nullptr);

  mg_callbacks callbacks{};
  callbacks.log_message = logMessage;
  mg_init_library(config_.ssl_certificate.empty() ? 0 : MG_FEATURES_TLS);
  ctx_ = mg_start(&callbacks, this, opts.data());
  if (!ctx_) return Error{"cannot listen on " + config_.listening_ports + " (port in use?)"};
  mg_set_request_handler(ctx_, "/", &Server::handle, this);
  return Status::Ok();
}

bool Server::stop(std::chrono::milliseconds wait) {
  if (!ctx_) return true;
  if (!stopping_.valid()) {
    // civetweb's master thread notices the stop flag only when poll() returns, up to 2 s later:
    // connecting to our own listening sockets wakes it at once.
    stopping_ = std::async(std::launch::async, [ctx = ctx_] {
      mg_server_port ports[8];
      const int n = mg_get_server_ports(ctx, 8, ports);
      std::atomic<bool> stopped{false};
      std::thread waker([&] {
        while (!stopped.load()) {
          for (int i = 0; i < n; ++i) wakeListener(ports[i]);
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
      });
      mg_stop(ctx);
      stopped.store(true);
      waker.join();
    });
  }
  if (stopping_.wait_for(wait) != std::future_status::ready) return false;
  stopping_.get();
  ctx_ = nullptr;
  mg_exit_library();
  return true;
}

int Server::handle(mg_connection* conn, void* self) {
  return static_cast<Server*>(self)->dispatch(conn);
}

int Server::dispatch(mg_connection* conn) {
  ++stats_.requests;
  const mg_request_info* ri = mg_get_request_info(conn);
  // request_uri is the target as sent (decode_url is off); keep only the path part.
  std::string raw = ri->request_uri ? ri->request_uri : "";
  if (const auto q = raw.find('?'); q != std::string::npos) raw.resize(q);
  auto path = sanitizePath(raw);
  if (!path) {
    ++stats_.bad_requests;
    sendError(conn, 400, path.error());
    return 400;
  }
  std::string p = *path;
  const std::string& prefix = config_.prefix;
  if (!prefix.empty()) {
    if (p != prefix && p.compare(0, prefix.size() + 1, prefix + "/") != 0) {
      sendError(conn, 404, "not found");
      return 404;
    }
    p = p == prefix ? "/" : p.substr(prefix.size());
  }
  if (p == "/") {
    lua::Response r;
    r.status = 302;
    r.headers.emplace_back("Location", prefix + "/lua/index.lua");
    sendResponse(conn, r, false);
    return 302;
  }
  if (p == "/authorize.html") return login(conn);
  if (p == "/lua/logout.lua") return logout(conn);
  if (p == "/metrics") return serveLua(conn, "/metrics.lua", /*api=*/true);  // Prometheus
  if (p.compare(0, 5, "/lua/") == 0) return serveLua(conn, p.substr(4));
  return serveStatic(conn, p);
}

std::string Server::sessionCookie(const std::string& value, long max_age, bool secure) const {
  return config_.auth->cookieName() + "=" + value + "; Path=/; Max-Age=" +
         std::to_string(max_age) + "; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "");
}

void Server::refuse(mg_connection* conn, int status, const std::string& message, bool rest) {
  lua::Response r;
  r.status = status;
  if (rest) {  // the REST envelope, as rest_utils writes it
    r.content_type = "application/json";
    const bool granted_issue = status == 401 || status == 403;
    r.body = std::string("{\"rc\":") + (granted_issue ? "-3" : "-5") + ",\"rc_str\":\"" +
             (granted_issue ? "NOT_GRANTED" : "INVALID_ARGUMENTS") + "\",\"rc_str_hr\":\"" +
             (granted_issue ? "Not granted" : "Invalid arguments") + "\",\"rsp\":{}}\n";
  } else {
    r.content_type = "text/plain; charset=utf-8";
    r.body = std::to_string(status) + " " + mg_get_response_code_text(conn, status) + ": " +
             message + "\n";
  }
  if (status == 401) {
    r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"flowlens\", charset=\"UTF-8\"");
  }
  sendResponse(conn, r, strcmp(mg_get_request_info(conn)->request_method, "HEAD") == 0);
}

std::optional<auth::Identity> Server::authenticate(mg_connection* conn, const std::string& rel,
                                                   bool rest) {
  const mg_request_info* ri = mg_get_request_info(conn);
  auth::AuthInput in;
  in.method = ri->request_method;
  in.remote_addr = ri->remote_addr;
  for (int i = 0; i < ri->num_headers; ++i) {
    const char* name = ri->http_headers[i].name;
    const char* value = ri->http_headers[i].value ? ri->http_headers[i].value : "";
    if (strcasecmp(name, "Authorization") == 0) in.authorization.emplace_back(value);
    else if (strcasecmp(name, "Cookie") == 0) in.cookie += (in.cookie.empty() ? "" : "; ") + std::string(value);
  }
  auth::AuthDecision d = config_.auth->authenticate(in);
  if (d.identity) return d.identity;
  if (d.status == 401 && !rest) {  // a page: to the login form, and back here afterwards
    std::string target = config_.prefix + "/lua" + rel;
    if (ri->query_string) target += std::string("?") + ri->query_string;
    std::string encoded;
    static const char* kHex = "0123456789ABCDEF";
    for (unsigned char c : target) {
      if (std::isalnum(c) || c == '/' || c == '.' || c == '-' || c == '_') encoded += static_cast<char>(c);
      else encoded += std::string("%") + kHex[c >> 4] + kHex[c & 15];
    }
    lua::Response r;
    r.status = 302;
    r.headers.emplace_back("Location", config_.prefix + "/lua/login.lua?referer=" + encoded);
    sendResponse(conn, r, false);
    return std::nullopt;
  }
  refuse(conn, d.status, d.message, rest);
  return std::nullopt;
}

// POST /authorize.html: the login form (user, password, totp, referer).
int Server::login(mg_connection* conn) {
  const mg_request_info* ri = mg_get_request_info(conn);
  if (strcmp(ri->request_method, "POST") != 0) {
    sendError(conn, 405, "POST the login form here");
    return 405;
  }
  lua::Params form;
  if (auto err = readRequestBody(conn, 64 * 1024, form)) {
    sendError(conn, err->status, err->message);
    return err->status;
  }
  auto field = [&](const char* name) -> std::string {
    for (const auto& [k, v] : form) {
      if (k == name) return v;
    }
    return "";
  };
  // Only a path of this server may be the destination (no "//host", no scheme).
  std::string referer = field("referer");
  const std::string home = config_.prefix + "/lua/index.lua";
  if (referer.empty() || referer[0] != '/' || referer.compare(0, 2, "//") == 0 ||
      referer.find_first_of("\\\r\n") != std::string::npos ||
      !sanitizePath(referer.substr(0, referer.find('?')))) {
    referer = home;
  }
  auto session = config_.auth->login(field("user"), field("password"), field("totp"));
  lua::Response r;
  r.status = 302;
  if (!session) {
    r.headers.emplace_back("Location", config_.prefix + "/lua/login.lua?failed=1");
    sendResponse(conn, r, false);
    return 302;
  }
  r.headers.emplace_back("Set-Cookie", sessionCookie(session->id,
                                                     config_.sessions->duration().count(),
                                                     ri->is_ssl != 0));
  r.headers.emplace_back("Location", referer);
  sendResponse(conn, r, false);
  return 302;
}

int Server::logout(mg_connection* conn) {
  const mg_request_info* ri = mg_get_request_info(conn);
  const std::string name = config_.auth->cookieName() + "=";
  for (int i = 0; i < ri->num_headers; ++i) {
    if (strcasecmp(ri->http_headers[i].name, "Cookie") != 0) continue;
    const std::string cookie = ri->http_headers[i].value;
    const auto pos = cookie.find(name);
    if (pos != std::string::npos) {
      const auto end = cookie.find(';', pos);
      const Status st = config_.sessions->destroy(
          cookie.substr(pos + name.size(),
                        end == std::string::npos ? std::string::npos : end - pos - name.size()));
      if (!st) log::warning("logout: the session could not be removed: {}", st.error());
    }
  }
  lua::Response r;
  r.status = 302;
  r.headers.emplace_back("Set-Cookie", sessionCookie("", 0, ri->is_ssl != 0));
  r.headers.emplace_back("Location", config_.prefix + "/lua/login.lua");
  sendResponse(conn, r, false);
  return 302;
}

int Server::serveLua(mg_connection* conn, const std::string& rel, bool api) {
  const mg_request_info* ri = mg_get_request_info(conn);
  if (!endsWith(rel, ".lua") || rel.compare(0, 9, "/modules/") == 0) {
    sendError(conn, 404, "no such script");
    return 404;
  }
  const std::string file = realPath(config_.lua_root + rel);
  if (file.empty() || !isUnder(file, lua_root_real_)) {
    sendError(conn, 404, "no such script");
    return 404;
  }

  // Who is asking. The login page itself is public.
  const bool rest = api || rel.compare(0, 6, "/rest/") == 0;
  // Spec section 2: add/, create/, set/, edit/ and delete/ endpoints change things and are not
  // for GET (which would also escape the CSRF check).
  if (rest) {
    static const char* kWriteDirs[] = {"/rest/v2/add/", "/rest/v2/create/", "/rest/v2/set/",
                                       "/rest/v2/edit/", "/rest/v2/delete/"};
    const std::string method = ri->request_method;
    for (const char* dir : kWriteDirs) {
      if (rel.compare(0, strlen(dir), dir) == 0 && (method == "GET" || method == "HEAD")) {
        lua::Response r;
        r.status = 405;
        r.content_type = "text/plain; charset=utf-8";
        r.headers.emplace_back("Allow", "POST, PUT, PATCH, DELETE");
        r.body = "405 Method Not Allowed: this endpoint changes state; use POST\n";
        sendResponse(conn, r, method == "HEAD");
        return 405;
      }
    }
  }
  std::optional<auth::Identity> who;
  if (rel != "/login.lua") {
    who = authenticate(conn, rel, rest);
    if (!who) return 401;
    // Until the default admin password is replaced, the admin may only replace it: pages lead
    // to the form, REST calls are refused (ntopng served its whole API with admin/admin).
    if (who->user == "admin" && who->via != "disabled-login" &&
        rel != "/change_password.lua" && config_.users->adminMustChangePassword()) {
      if (rest) {
        refuse(conn, 403, "change the default admin password first", true);
        return 403;
      }
      lua::Response r;
      r.status = 302;
      r.headers.emplace_back("Location", config_.prefix + "/lua/change_password.lua");
      sendResponse(conn, r, false);
      return 302;
    }
  }

  lua::Request req;
  req.method = ri->request_method;
  req.path = config_.prefix + "/lua" + rel;
  req.remote_addr = ri->remote_addr;
  if (who) {
    req.user = who->user;
    req.group = who->group;
    req.csrf = who->csrf;
    req.session_id = who->session_id;
    req.localuser = who->localuser;
    req.allowed_ifname = who->allowed_ifname;
    req.allowed_nets = who->allowed_nets;
  } else {
    req.user.clear();
    req.group.clear();
  }
  if (ri->query_string) {
    req.query = ri->query_string;
    auto get = parseUrlEncoded(req.query);
    if (!get) {
      ++stats_.bad_requests;
      sendError(conn, 400, get.error());
      return 400;
    }
    req.get = std::move(*get);
  }
  if (req.method != "GET" && req.method != "HEAD") {
    if (auto err = readRequestBody(conn, config_.max_body, req.post)) {
      ++stats_.bad_requests;
      sendError(conn, err->status, err->message);
      return err->status;
    }
  }

  // A state-changing request authenticated by the session cookie must carry the session's
  // CSRF token (form field or JSON key "csrf", or an X-CSRF-Token header). Basic and Token
  // requests cannot be forged by another site and are exempt, as in ntopng.
  if (who && who->needsCsrf() && req.method != "GET" && req.method != "HEAD") {
    std::string token;
    for (const auto& [k, v] : req.post) {
      if (k == "csrf") token = v;
    }
    if (const char* h = mg_get_header(conn, "X-CSRF-Token"); token.empty() && h) token = h;
    if (token.empty() || !auth::constantTimeEqual(token, who->csrf)) {
      log::warning("CSRF token missing or wrong: {} {} by '{}'", req.method, req.path, req.user);
      refuse(conn, 403, "CSRF token missing or invalid", rest);
      return 403;
    }
  }

  auto lease = pool_->acquire(std::chrono::milliseconds(5000));
  if (!lease) {
    ++stats_.busy;
    log::warning("HTTP {}: {}", req.path, lease.error());
    lua::Response busy;
    busy.status = 503;
    busy.content_type = "text/plain; charset=utf-8";
    busy.headers.emplace_back("Retry-After", "1");
    busy.body = "503 Service Unavailable: server busy, retry\n";
    sendResponse(conn, busy, req.method == "HEAD");
    return 503;
  }

  lua::Response resp;
  lua::ScriptContext ctx;
  ctx.services = services_;
  ctx.request = &req;
  ctx.response = &resp;
  ctx.deadline = std::chrono::steady_clock::now() +
                 std::chrono::milliseconds(config_.lua_timeout_ms);
  ConnectionStream stream(conn, &resp, req.method == "HEAD");
  ctx.stream = &stream;
  ++stats_.lua_runs;
  Status st = (*lease)->runFile(file, ctx);
  if (ctx.lowered_priority &&
      setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 0) != 0) {
    log::warning("cannot restore the priority of an HTTP thread");
  }
  if (ctx.gained_write_caps) privileges::dropWriteCapabilities();
  if (stream.started()) {  // the status and headers went out: the body ends here
    if (!st) {
      ++stats_.script_errors;
      log::warning("{}: the script failed after its response began: {}", req.path, st.error());
    }
    stream.finish();
    return resp.status;
  }
  if (!st) {
    const bool timeout = st.error().find("exceeded its time limit") != std::string::npos;
    ++(timeout ? stats_.timeouts : stats_.script_errors);
    // Administrators see the error line; others only that the script failed.
    std::string first_line = st.error().substr(0, st.error().find('\n'));
    sendError(conn, 500, req.group == "administrator" ? first_line : "the script failed");
    return 500;
  }
  absorbPrintedHeaders(resp);
  sendResponse(conn, resp, req.method == "HEAD");
  return resp.status;
}

int Server::serveStatic(mg_connection* conn, const std::string& path) {
  const mg_request_info* ri = mg_get_request_info(conn);
  if (strcmp(ri->request_method, "GET") != 0 && strcmp(ri->request_method, "HEAD") != 0) {
    sendError(conn, 405, "static files answer GET and HEAD only");
    return 405;
  }
  const std::string file = docs_root_real_.empty() ? "" : realPath(config_.docs_root + path);
  struct stat st;
  if (file.empty() || !isUnder(file, docs_root_real_) || ::stat(file.c_str(), &st) != 0 ||
      !S_ISREG(st.st_mode)) {
    sendError(conn, 404, "not found");
    return 404;
  }
  // civetweb adds Cache-Control (static_file_max_age), ETag and Last-Modified, and answers 304.
  mg_send_mime_file2(conn, file.c_str(), nullptr, "X-Content-Type-Options: nosniff\r\n");
  return 200;
}

}  // namespace flowlens::http
