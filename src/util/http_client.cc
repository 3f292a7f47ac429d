#include "util/http_client.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "core/build_info.h"
#include "util/curl_api.h"

namespace flowlens::util {
namespace {

// Callers checked curlApi() first (httpRequest).
const CurlApi& C() { return *curlApi(); }

struct Transfer {
  const HttpRequest* request = nullptr;
  HttpResponse* response = nullptr;
  FILE* out = nullptr;
  size_t written = 0;          // to `out`
  bool too_large = false;
  int write_errno = 0;         // set when writing the output file failed
  // The answer being read: its status, and whether it is a redirect this client follows (its
  // body is then dropped).
  long status = 0;
  bool has_location = false;
};

bool isRedirect(long status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

size_t onBody(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t len = size * n;
  if (t->request->follow_redirects && isRedirect(t->status) && t->has_location) return len;
  if (t->out) {
    if (t->written + len > kMaxHttpDownload) {
      t->too_large = true;
      return 0;
    }
    if (std::fwrite(data, 1, len, t->out) != len) {
      t->write_errno = errno ? errno : EIO;
      return 0;
    }
    t->written += len;
    return len;
  }
  if (!t->request->keep_content) return len;
  if (t->response->content.size() + len > kMaxHttpContent) {
    t->too_large = true;
    return 0;  // CURLE_WRITE_ERROR ends the transfer
  }
  t->response->content.append(data, len);
  return len;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Header lines of every answer arrive here; a status line starts a new answer (a 100
// Continue's), so the headers kept are the last answer's.
size_t onHeader(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t len = size * n;
  const std::string_view line(data, len);
  if (line.starts_with("HTTP/")) {
    t->response->headers.clear();
    t->has_location = false;
    const size_t sp = line.find(' ');
    t->status = sp == std::string_view::npos ? 0 : std::strtol(line.data() + sp + 1, nullptr, 10);
    return len;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return len;
  if (t->response->headers.size() >= kMaxHeaderLines) return len;
  std::string name(trim(line.substr(0, colon)));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (name == "location") t->has_location = true;
  t->response->headers.emplace_back(std::move(name), std::string(trim(line.substr(colon + 1))));
  return len;
}

int onProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  return t->request->cancelled && t->request->cancelled() ? 1 : 0;
}

struct CurlDeleter {
  void operator()(CURL* c) const { C().easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { C().slist_free_all(l); }
};
struct UrlDeleter {
  void operator()(CURLU* u) const { C().url_cleanup(u); }
};

double seconds(CURL* c, CURLINFO info) {
  curl_off_t us = 0;
  return C().easy_getinfo(c, info, &us) == CURLE_OK ? double(us) / 1e6 : 0;
}

// Reads one exchange's facts; times and byte counts add up over the redirects followed.
void readInfo(CURL* c, HttpResponse& r) {
  r.code = 0;
  C().easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.code);
  const char* s = nullptr;
  if (C().easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &s) == CURLE_OK && s) r.effective_url = s;
  s = nullptr;
  r.content_type.clear();
  if (C().easy_getinfo(c, CURLINFO_CONTENT_TYPE, &s) == CURLE_OK && s) r.content_type = s;
  s = nullptr;
  r.resolved_ip.clear();
  if (C().easy_getinfo(c, CURLINFO_PRIMARY_IP, &s) == CURLE_OK && s) r.resolved_ip = s;
  const double before = r.times.total;
  r.times.namelookup = seconds(c, CURLINFO_NAMELOOKUP_TIME_T);
  r.times.connect = seconds(c, CURLINFO_CONNECT_TIME_T);
  r.times.appconnect = seconds(c, CURLINFO_APPCONNECT_TIME_T);
  r.times.pretransfer = seconds(c, CURLINFO_PRETRANSFER_TIME_T);
  r.times.starttransfer = seconds(c, CURLINFO_STARTTRANSFER_TIME_T);
  r.times.total = before + seconds(c, CURLINFO_TOTAL_TIME_T);
  r.times.redirect = before;  // the redirects' time, before this last exchange
  curl_off_t n = 0;
  if (C().easy_getinfo(c, CURLINFO_SIZE_DOWNLOAD_T, &n) == CURLE_OK) r.bytes_download += n;
  n = 0;
  if (C().easy_getinfo(c, CURLINFO_SIZE_UPLOAD_T, &n) == CURLE_OK) r.bytes_upload += n;
}

// "scheme://host:port" of a URL; "" when it does not parse.
std::string originOf(const std::string& url) {
  std::unique_ptr<CURLU, UrlDeleter> u(C().url());
  if (!u || C().url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) return "";
  std::string origin;
  for (CURLUPart part : {CURLUPART_SCHEME, CURLUPART_HOST, CURLUPART_PORT}) {
    char* v = nullptr;
    if (C().url_get(u.get(), part, &v, CURLU_DEFAULT_PORT) != CURLUE_OK) return "";
    origin += std::string(v) + "|";
    C().free(v);
  }
  return origin;
}

// One exchange, following no redirect. `secrets`: send the script's credentials and headers.
CURLcode exchange(const HttpRequest& req, const std::string& url, HttpRequest::Method method,
                  bool secrets, Transfer& t, std::string& redirect_to, std::string& error) {
  std::unique_ptr<CURL, CurlDeleter> curl(C().easy_init());
  if (!curl) {
    error = "cannot start a transfer (out of memory)";
    return CURLE_OUT_OF_MEMORY;
  }
  CURL* c = curl.get();
  char errbuf[CURL_ERROR_SIZE] = {0};
  C().easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  // Only http and https: refuse to go on if this libcurl cannot be told so.
  if (C().easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK) {
    error = "this libcurl cannot restrict schemes";
    return CURLE_UNSUPPORTED_PROTOCOL;
  }
  C().easy_setopt(c, CURLOPT_URL, url.c_str());
  C().easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  C().easy_setopt(c, CURLOPT_USERAGENT, httpUserAgent().c_str());
  const long ms = std::max<long>(1, static_cast<long>(req.timeout.count()));
  C().easy_setopt(c, CURLOPT_TIMEOUT_MS, ms);
  C().easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, ms);
  C().easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  C().easy_setopt(c, CURLOPT_SSL_VERIFYPEER, req.verify_cert ? 1L : 0L);
  C().easy_setopt(c, CURLOPT_SSL_VERIFYHOST, req.verify_cert ? 2L : 0L);
  if (req.compression) C().easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
  if (req.ip_version == 4) C().easy_setopt(c, CURLOPT_IPRESOLVE, long{CURL_IPRESOLVE_V4});
  if (req.ip_version == 6) C().easy_setopt(c, CURLOPT_IPRESOLVE, long{CURL_IPRESOLVE_V6});
  C().easy_setopt(c, CURLOPT_WRITEFUNCTION, onBody);
  C().easy_setopt(c, CURLOPT_WRITEDATA, &t);
  C().easy_setopt(c, CURLOPT_HEADERFUNCTION, onHeader);
  C().easy_setopt(c, CURLOPT_HEADERDATA, &t);
  C().easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  C().easy_setopt(c, CURLOPT_XFERINFOFUNCTION, onProgress);
  C().easy_setopt(c, CURLOPT_XFERINFODATA, &t);

  if (secrets && !req.username.empty() && !req.cookie_auth) {
    C().easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    C().easy_setopt(c, CURLOPT_USERNAME, req.username.c_str());
    C().easy_setopt(c, CURLOPT_PASSWORD, req.password.c_str());
  }
  curl_slist* headers = nullptr;
  auto add = [&headers](const std::string& line) {
    if (curl_slist* l = C().slist_append(headers, line.c_str())) headers = l;
  };
  const bool has_body = method != HttpRequest::Method::kGet;
  if (has_body) {
    if (!req.content_type.empty()) {
      add("Content-Type: " + req.content_type);
    } else if (!req.body.empty() && req.body.front() == '{') {
      add("Content-Type: application/json");
    }
  }
  if (secrets) {
    if (req.cookie_auth && !req.username.empty()) {
      add("Cookie: user=" + req.username + "; password=" + req.password);
    }
    if (!req.bearer.empty()) add("Authorization: Bearer " + req.bearer);
    if (!req.x_api_key.empty()) add("X-API-Key: " + req.x_api_key);
    for (const std::string& line : req.extra_headers) add(line);
  }
  std::unique_ptr<curl_slist, SlistDeleter> header_list(headers);
  if (headers) C().easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  if (method == HttpRequest::Method::kPut) C().easy_setopt(c, CURLOPT_CUSTOMREQUEST, "PUT");
  if (method == HttpRequest::Method::kPatch) C().easy_setopt(c, CURLOPT_CUSTOMREQUEST, "PATCH");
  if (has_body) {
    C().easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
    C().easy_setopt(c, CURLOPT_POSTFIELDS, req.body.data());
  }

  t.status = 0;
  t.has_location = false;
  const CURLcode rc = C().easy_perform(c);
  readInfo(c, *t.response);
  const char* next = nullptr;
  if (rc == CURLE_OK && C().easy_getinfo(c, CURLINFO_REDIRECT_URL, &next) == CURLE_OK && next) {
    redirect_to = next;
  }
  if (rc != CURLE_OK) error = errbuf[0] ? errbuf : C().easy_strerror(rc);
  return rc;
}

}  // namespace

const std::string& httpUserAgent() {
  static const std::string kAgent = std::string("flowlens/") + build::kVersion;
  return kAgent;
}

HttpResponse httpRequest(const HttpRequest& req) {
  HttpResponse rsp;
  if (!curlApi()) {
    rsp.error = kNoLibcurl;
    return rsp;
  }
  Transfer t{&req, &rsp};

  // A download goes to a new temporary file beside the target (never an existing file or a
  // link), renamed over it once whole.
  std::string part;
  std::unique_ptr<FILE, int (*)(FILE*)> out(nullptr, &std::fclose);
  if (!req.output_file.empty()) {
    part = req.output_file + ".XXXXXX";
    const int fd = ::mkstemp(part.data());
    if (fd < 0) {
      rsp.error = "cannot write " + req.output_file + ": " + std::strerror(errno);
      return rsp;
    }
    ::fchmod(fd, 0644);
    out.reset(::fdopen(fd, "wb"));
    if (!out) {
      ::close(fd);
      std::remove(part.c_str());
      rsp.error = "cannot write " + req.output_file + ": " + std::strerror(errno);
      return rsp;
    }
    t.out = out.get();
  }

  std::string url = req.url;
  HttpRequest::Method method = req.method;
  const std::string first_origin = originOf(url);
  bool secrets = true;
  CURLcode rc = CURLE_OK;
  std::string error;
  for (long hop = 0;; ++hop) {
    std::string next;
    rc = exchange(req, url, method, secrets, t, next, error);
    if (rc != CURLE_OK || !req.follow_redirects || next.empty() || !isRedirect(t.status)) break;
    if (hop == kMaxRedirects) {
      rc = CURLE_TOO_MANY_REDIRECTS;
      error = "more than " + std::to_string(kMaxRedirects) + " redirects";
      break;
    }
    // As browsers and libcurl do: 303 becomes a GET, and so does a POST answered 301 or 302.
    if (t.status == 303 || (method == HttpRequest::Method::kPost && t.status <= 302)) {
      method = HttpRequest::Method::kGet;
    }
    // Another origin gets none of the script's credentials or headers.
    if (originOf(next) != first_origin) secrets = false;
    url = std::move(next);
  }
  if (rc != CURLE_OK) {
    if (t.too_large) {
      const size_t cap = t.out ? kMaxHttpDownload : kMaxHttpContent;
      rsp.error = "answer larger than " + std::to_string(cap >> 20) + " MiB";
    } else if (t.write_errno) {
      rsp.error = "cannot write " + req.output_file + ": " + std::strerror(t.write_errno);
    } else if (rc == CURLE_ABORTED_BY_CALLBACK) {
      rsp.error = "cancelled";
    } else {
      rsp.error = error;
    }
  }
  if (out) {
    const bool closed = std::fclose(out.release()) == 0;
    if (rsp.ok() && !closed) rsp.error = "cannot write " + req.output_file + ": " + std::strerror(errno);
    if (rsp.ok() && std::rename(part.c_str(), req.output_file.c_str()) != 0) {
      rsp.error = "cannot write " + req.output_file + ": " + std::strerror(errno);
    }
    if (!rsp.ok()) std::remove(part.c_str());
  }
  rsp.content_kept = rsp.ok() && req.keep_content && req.output_file.empty();
  if (!rsp.content_kept) std::string().swap(rsp.content);
  return rsp;
}

}  // namespace flowlens::util
