#pragma once
// libcurl, loaded on first use (util/lazy_library.h): its dependencies cost ~4 MiB of resident
// memory, and only scripts that make HTTP requests or send mail need it. Types and constants
// come from the header; calls go through curlApi().

#include <curl/curl.h>

namespace flowlens::util {

struct CurlApi {
  decltype(&::curl_global_init) global_init;
  decltype(&::curl_easy_init) easy_init;
  decltype(&::curl_easy_setopt) easy_setopt;
  decltype(&::curl_easy_perform) easy_perform;
  decltype(&::curl_easy_getinfo) easy_getinfo;
  decltype(&::curl_easy_cleanup) easy_cleanup;
  decltype(&::curl_easy_strerror) easy_strerror;
  decltype(&::curl_slist_append) slist_append;
  decltype(&::curl_slist_free_all) slist_free_all;
  decltype(&::curl_url) url;
  decltype(&::curl_url_set) url_set;
  decltype(&::curl_url_get) url_get;
  decltype(&::curl_url_cleanup) url_cleanup;
  decltype(&::curl_free) free;
};

// The loaded library (curl_global_init done), or nullptr when libcurl cannot be loaded.
const CurlApi* curlApi();

inline constexpr const char* kNoLibcurl = "libcurl is not installed (Debian package libcurl4)";

}  // namespace flowlens::util
