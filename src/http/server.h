#pragma once
// The HTTP server (civetweb): /lua/<path>.lua runs scripts/lua/<path>.lua on a warm Lua state,
// /metrics runs scripts/lua/metrics.lua (Prometheus; authenticated as a REST call),
// everything else is a static file from httpdocs/. Every path is sanitised first.
// start()/stop() from one thread; request handling runs on civetweb's worker threads.

#include <civetweb.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <string>

#include "core/result.h"
#include "lua/context.h"
#include "auth/authenticator.h"
#include "lua/state_pool.h"

namespace flowlens::http {

struct ServerConfig {
  std::string listening_ports;     // civetweb syntax, e.g. "127.0.0.1:3000,3001s"
  std::string ssl_certificate;     // needed when a port ends in 's'
  int threads = 64;
  std::string prefix;              // --http-prefix
  uint64_t max_body = 16u << 20;
  int lua_timeout_ms = 30000;
  std::string lua_root;            // scripts/lua
  std::string docs_root;           // httpdocs
  std::string access_control_list; // civetweb syntax, e.g. "-0.0.0.0/0,+192.168.1.0/24"
  auth::Authenticator* auth = nullptr;
  auth::UserService* users = nullptr;
  auth::SessionService* sessions = nullptr;
};

struct ServerStats {
  std::atomic<uint64_t> requests{0}, lua_runs{0}, script_errors{0}, timeouts{0},
      bad_requests{0}, busy{0};
};

class Server {
 public:
  Server(ServerConfig config, lua::Services* services, lua::StatePool* pool);
  ~Server();
  Status start();
  // Stops accepting and waits for the workers; false when they did not all finish within
  // `wait` (idle keep-alive connections notice the stop only every 2 s): the caller should then
  // end the process without destroying what the workers may still touch.
  bool stop(std::chrono::milliseconds wait = std::chrono::milliseconds(60000));
  const ServerStats& stats() const { return stats_; }

 private:
  static int handle(mg_connection* conn, void* self);
  int dispatch(mg_connection* conn);
  // `api`: refuse an unauthenticated call with 401, as for REST, not a redirect to the login.
  int serveLua(mg_connection* conn, const std::string& path, bool api = false);
  int serveStatic(mg_connection* conn, const std::string& path);
  int login(mg_connection* conn);
  int logout(mg_connection* conn);
  // The request's identity, or the answer already sent (401 / redirect / 400): nullopt.
  std::optional<auth::Identity> authenticate(mg_connection* conn, const std::string& rel,
                                             bool rest);
  void refuse(mg_connection* conn, int status, const std::string& message, bool rest);
  std::string sessionCookie(const std::string& value, long max_age, bool secure) const;

  ServerConfig config_;
  lua::Services* services_;
  lua::StatePool* pool_;
  mg_context* ctx_ = nullptr;
  std::future<void> stopping_;
  std::string lua_root_real_, docs_root_real_;
  ServerStats stats_;
};

// A response streamed while its script runs (lua::ResponseStream): chunked, the connection kept
// alive after the last chunk (for an HTTP/1.0 request: raw, until the connection closes). finish() sends what the script printed since its last write and the last
// chunk; nothing happens if no write began the response.
class ConnectionStream final : public lua::ResponseStream {
 public:
  ConnectionStream(mg_connection* conn, lua::Response* response, bool head_only)
      : conn_(conn), response_(response), head_only_(head_only) {}
  bool write(std::string_view bytes) override;
  bool started() const { return started_; }
  void finish();

 private:
  void begin();
  mg_connection* conn_;
  lua::Response* response_;
  bool head_only_;
  bool started_ = false, failed_ = false, chunked_ = true;
};

// Writes a complete response (status line, headers, body) with Content-Length, keeping the
// connection alive when the client allows it.
void sendResponse(mg_connection* conn, const lua::Response& r, bool head_only);
void sendError(mg_connection* conn, int status, const std::string& message);

// A script may print a raw "HTTP/1.1 200 OK\r\nHeader: v\r\n\r\n" block first, as ntopng's own
// lua_utils does: move it from the body into status and headers.
void absorbPrintedHeaders(lua::Response& r);

}  // namespace flowlens::http
