#include "http/request_body.h"

#include <strings.h>

#include <cstring>

#include <nlohmann/json.hpp>

#include "http/url.h"

namespace flowlens::http {
namespace {

struct MultipartState {
  lua::Params* post;
  uint64_t max_bytes;
  uint64_t total = 0;
  bool too_large = false;
};

int fieldFound(const char* key, const char* filename, char*, size_t, void* ud) {
  auto* st = static_cast<MultipartState*>(ud);
  st->post->emplace_back(key ? key : "", "");
  (void)filename;
  return MG_FORM_FIELD_STORAGE_GET;
}

int fieldGet(const char*, const char* value, size_t len, void* ud) {
  auto* st = static_cast<MultipartState*>(ud);
  st->total += len;
  if (st->total > st->max_bytes) {
    st->too_large = true;
    return MG_FORM_FIELD_HANDLE_ABORT;
  }
  if (!st->post->empty() && value) st->post->back().second.append(value, len);
  return MG_FORM_FIELD_HANDLE_GET;  // more chunks of the same field may follow
}

int fieldStore(const char*, long long, void*) { return 0; }

bool startsWithNoCase(const char* s, const char* prefix) {
  return s && strncasecmp(s, prefix, strlen(prefix)) == 0;
}

}  // namespace

void addJsonFields(const std::string& body, lua::Params& post) {
  auto j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return;
  for (const auto& [k, v] : j.items()) {
    if (v.is_string()) post.emplace_back(k, v.get<std::string>());
    else if (v.is_number() || v.is_boolean()) post.emplace_back(k, v.dump());
  }
}

std::optional<BodyError> readRequestBody(mg_connection* conn, uint64_t max_bytes,
                                         lua::Params& post) {
  const mg_request_info* ri = mg_get_request_info(conn);
  if (ri->content_length > 0 && static_cast<uint64_t>(ri->content_length) > max_bytes) {
    return BodyError{413, "request body larger than " + std::to_string(max_bytes) + " bytes"};
  }
  const char* type = mg_get_header(conn, "Content-Type");

  if (startsWithNoCase(type, "multipart/form-data")) {
    MultipartState st{&post, max_bytes};
    mg_form_data_handler h{fieldFound, fieldGet, fieldStore, &st};
    const int n = mg_handle_form_request(conn, &h);
    if (st.too_large) {
      return BodyError{413, "request body larger than " + std::to_string(max_bytes) + " bytes"};
    }
    if (n < 0) return BodyError{400, "malformed multipart body"};
    return std::nullopt;
  }

  std::string body;
  char buf[16384];
  for (;;) {
    const int got = mg_read(conn, buf, sizeof(buf));
    if (got == 0) break;
    if (got < 0) return BodyError{400, "malformed or interrupted request body"};
    body.append(buf, static_cast<size_t>(got));
    if (body.size() > max_bytes) {
      return BodyError{413, "request body larger than " + std::to_string(max_bytes) + " bytes"};
    }
  }
  if (ri->content_length > 0 && body.size() < static_cast<uint64_t>(ri->content_length)) {
    return BodyError{400, "request body shorter than its Content-Length"};  // never run on half
  }
  if (body.empty()) return std::nullopt;

  const bool json_type = startsWithNoCase(type, "application/json");
  // Clients often post JSON with curl -d, labelled as a form: accept a body that is JSON.
  const bool looks_json = (body[0] == '{' || body[0] == '[') &&
                          nlohmann::json::accept(body, /*ignore_comments=*/false);
  if (json_type || looks_json) {
    post.emplace_back("JSON", body);
    addJsonFields(body, post);
    return std::nullopt;
  }
  if (type == nullptr || startsWithNoCase(type, "application/x-www-form-urlencoded")) {
    auto params = parseUrlEncoded(body);
    if (!params) return BodyError{400, params.error()};
    for (auto& p : *params) post.push_back(std::move(p));
    return std::nullopt;
  }
  post.emplace_back("payload", std::move(body));  // any other type: the raw body
  return std::nullopt;
}

}  // namespace flowlens::http
