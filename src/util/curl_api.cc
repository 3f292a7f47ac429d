#include "util/curl_api.h"

#include "util/lazy_library.h"

namespace flowlens::util {

const CurlApi* curlApi() {
  static const CurlApi* loaded = []() -> const CurlApi* {
    static LazyLibrary lib("libcurl.so.4");
    static CurlApi a;
    lib.resolve(a.global_init, "curl_global_init");
    lib.resolve(a.easy_init, "curl_easy_init");
    lib.resolve(a.easy_setopt, "curl_easy_setopt");
    lib.resolve(a.easy_perform, "curl_easy_perform");
    lib.resolve(a.easy_getinfo, "curl_easy_getinfo");
    lib.resolve(a.easy_cleanup, "curl_easy_cleanup");
    lib.resolve(a.easy_strerror, "curl_easy_strerror");
    lib.resolve(a.slist_append, "curl_slist_append");
    lib.resolve(a.slist_free_all, "curl_slist_free_all");
    lib.resolve(a.url, "curl_url");
    lib.resolve(a.url_set, "curl_url_set");
    lib.resolve(a.url_get, "curl_url_get");
    lib.resolve(a.url_cleanup, "curl_url_cleanup");
    lib.resolve(a.free, "curl_free");
    if (!lib.ok() || a.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return nullptr;
    return &a;
  }();
  return loaded;
}

}  // namespace flowlens::util
