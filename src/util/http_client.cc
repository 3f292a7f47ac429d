#include "util/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>

#include "core/build_info.h"

namespace flowlens::util {
namespace {

void globalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Transfer {
  const HttpRequest* request = nullptr;
  HttpResponse* response = nullptr;
  FILE* out = nullptr;
  bool too_large = false;
  int write_errno = 0;  // set when writing the output file failed
};

size_t onBody(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t len = size * n;
  if (t->out) {
    if (std::fwrite(data, 1, len, t->out) != len) {
      t->write_errno = errno ? errno : EIO;
      return 0;
    }
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

// Header lines of every answer arrive here; a status line starts a new answer (a redirect's
// or a 100 Continue's), so the headers kept are the last answer's.
size_t onHeader(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t len = size * n;
  const std::string_view line(data, len);
  if (line.starts_with("HTTP/")) {
    t->response->headers.clear();
    return len;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return len;
  if (t->response->headers.size() >= kMaxHeaderLines) return len;
  std::string name(trim(line.substr(0, colon)));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  t->response->headers.emplace_back(std::move(name), std::string(trim(line.substr(colon + 1))));
  return len;
}

int onProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  return t->request->cancelled && t->request->cancelled() ? 1 : 0;
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

double seconds(CURL* c, CURLINFO info) {
  curl_off_t us = 0;
  return curl_easy_getinfo(c, info, &us) == CURLE_OK ? double(us) / 1e6 : 0;
}

void readInfo(CURL* c, HttpResponse& r) {
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.code);
  const char* s = nullptr;
  if (curl_easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &s) == CURLE_OK && s) r.effective_url = s;
  s = nullptr;
  if (curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &s) == CURLE_OK && s) r.content_type = s;
  s = nullptr;
  if (curl_easy_getinfo(c, CURLINFO_PRIMARY_IP, &s) == CURLE_OK && s) r.resolved_ip = s;
  r.times.namelookup = seconds(c, CURLINFO_NAMELOOKUP_TIME_T);
  r.times.connect = seconds(c, CURLINFO_CONNECT_TIME_T);
  r.times.appconnect = seconds(c, CURLINFO_APPCONNECT_TIME_T);
  r.times.pretransfer = seconds(c, CURLINFO_PRETRANSFER_TIME_T);
  r.times.redirect = seconds(c, CURLINFO_REDIRECT_TIME_T);
  r.times.starttransfer = seconds(c, CURLINFO_STARTTRANSFER_TIME_T);
  r.times.total = seconds(c, CURLINFO_TOTAL_TIME_T);
  curl_off_t n = 0;
  if (curl_easy_getinfo(c, CURLINFO_SIZE_DOWNLOAD_T, &n) == CURLE_OK) r.bytes_download = n;
  n = 0;
  if (curl_easy_getinfo(c, CURLINFO_SIZE_UPLOAD_T, &n) == CURLE_OK) r.bytes_upload = n;
}

}  // namespace

const std::string& httpUserAgent() {
  static const std::string kAgent = std::string("flowlens/") + build::kVersion;
  return kAgent;
}

HttpResponse httpRequest(const HttpRequest& req) {
  globalInit();
  HttpResponse rsp;
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) {
    rsp.error = "cannot start a transfer (out of memory)";
    return rsp;
  }
  CURL* c = curl.get();
  Transfer t{&req, &rsp};

  std::string part;
  std::unique_ptr<FILE, int (*)(FILE*)> out(nullptr, &std::fclose);
  if (!req.output_file.empty()) {
    part = req.output_file + ".part";
    out.reset(std::fopen(part.c_str(), "wb"));
    if (!out) {
      rsp.error = "cannot write " + part + ": " + std::strerror(errno);
      return rsp;
    }
    t.out = out.get();
  }

  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_USERAGENT, httpUserAgent().c_str());
  const long ms = std::max<long>(1, static_cast<long>(req.timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, ms);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, ms);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, req.follow_redirects ? 1L : 0L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, kMaxRedirects);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, req.verify_cert ? 1L : 0L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, req.verify_cert ? 2L : 0L);
  if (req.compression) curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
  if (req.ip_version == 4) curl_easy_setopt(c, CURLOPT_IPRESOLVE, CURL_IPRESOLVE_V4);
  if (req.ip_version == 6) curl_easy_setopt(c, CURLOPT_IPRESOLVE, CURL_IPRESOLVE_V6);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, onBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, onHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, onProgress);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, &t);

  if (!req.username.empty() && !req.cookie_auth) {
    curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(c, CURLOPT_USERNAME, req.username.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, req.password.c_str());
  }

  curl_slist* headers = nullptr;
  auto add = [&headers](const std::string& line) {
    if (curl_slist* l = curl_slist_append(headers, line.c_str())) headers = l;
  };
  const bool has_body = req.method != HttpRequest::Method::kGet;
  if (has_body) {
    if (!req.content_type.empty()) {
      add("Content-Type: " + req.content_type);
    } else if (!req.body.empty() && req.body.front() == '{') {
      add("Content-Type: application/json");
    }
  }
  if (req.cookie_auth && !req.username.empty()) {
    add("Cookie: user=" + req.username + "; password=" + req.password);
  }
  if (!req.bearer.empty()) add("Authorization: Bearer " + req.bearer);
  if (!req.x_api_key.empty()) add("X-API-Key: " + req.x_api_key);
  for (const std::string& line : req.extra_headers) add(line);
  std::unique_ptr<curl_slist, SlistDeleter> header_list(headers);
  if (headers) curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);

  switch (req.method) {
    case HttpRequest::Method::kGet: break;
    case HttpRequest::Method::kPut: curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "PUT"); break;
    case HttpRequest::Method::kPatch: curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "PATCH"); break;
    case HttpRequest::Method::kPost: break;
  }
  if (has_body) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, req.body.data());
  }

  const CURLcode rc = curl_easy_perform(c);
  readInfo(c, rsp);
  if (rc != CURLE_OK) {
    if (t.too_large) {
      rsp.error = "answer larger than " + std::to_string(kMaxHttpContent >> 20) + " MiB";
    } else if (t.write_errno) {
      rsp.error = "cannot write " + part + ": " + std::strerror(t.write_errno);
    } else if (rc == CURLE_ABORTED_BY_CALLBACK) {
      rsp.error = "cancelled";
    } else {
      rsp.error = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    }
  }
  if (out) {
    const bool closed = std::fclose(out.release()) == 0;
    if (rsp.ok() && !closed) rsp.error = "cannot write " + part + ": " + std::strerror(errno);
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
