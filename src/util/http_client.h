#pragma once
// Outbound HTTP for scripts (spec section 11), over libcurl. One request per call, on the
// caller's thread, never longer than its timeout; the caller may cancel it while it runs.
// Only http:// and https:// (also after redirects); certificates are verified unless the
// request says otherwise. Thread-safe: requests share nothing.

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace flowlens::util {

struct HttpRequest {
  enum class Method { kGet, kPost, kPut, kPatch };
  Method method = Method::kGet;
  std::string url;
  std::string body;          // sent for POST/PUT/PATCH
  std::string content_type;  // "" for POST: application/json when the body starts with '{'
                             // (as ntopng), else libcurl's form encoding
  std::string username, password;  // HTTP basic authentication when username is set
  bool cookie_auth = false;        // instead: "Cookie: user=<username>; password=<password>"
  std::string bearer;              // "Authorization: Bearer <bearer>"
  std::string x_api_key;           // "X-API-Key: <x_api_key>"
  std::vector<std::string> extra_headers;  // whole lines "Name: value"
  std::chrono::milliseconds timeout{30000};
  bool keep_content = true;      // false: the body is read and dropped
  bool follow_redirects = true;  // at most kMaxRedirects; a redirect to another origin
                                 // (scheme, host, port) drops every credential and header
                                 // of the script's (user, cookie, bearer, API key, extras)
  bool verify_cert = true;
  bool compression = false;      // Accept-Encoding with every encoding libcurl decodes
  int ip_version = 0;            // 4 or 6 to force one family
  std::string output_file;       // the body written to this file, which is replaced only
                                 // when the whole answer arrived (through a temporary file
                                 // beside it), at most kMaxHttpDownload bytes
  std::function<bool()> cancelled;  // polled during the transfer; true stops it
};

struct HttpResponse {
  long code = 0;  // 0: no HTTP answer
  std::string effective_url, content_type, resolved_ip;
  bool content_kept = false;
  std::string content;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased, last answer's
  struct Times {
    double namelookup = 0, connect = 0, appconnect = 0, pretransfer = 0, redirect = 0,
           starttransfer = 0, total = 0;  // seconds
  } times;
  uint64_t bytes_download = 0, bytes_upload = 0;
  std::string error;  // set when the transfer failed or was cut: what is above is partial
  bool ok() const { return error.empty(); }
};

inline constexpr size_t kMaxHttpContent = 32u << 20;  // a larger body fails the request
inline constexpr size_t kMaxHttpDownload = 256u << 20;  // the same, for output_file
inline constexpr long kMaxRedirects = 5;               // ntopng's
inline constexpr size_t kMaxHeaderLines = 200;

// Never throws; a failure is HttpResponse::error (a 4xx or 5xx answer is not a failure).
HttpResponse httpRequest(const HttpRequest& request);

// "flowlens/<version>", the User-Agent of every request.
const std::string& httpUserAgent();

}  // namespace flowlens::util
