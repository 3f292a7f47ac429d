#pragma once
// Reads a request body into _POST: urlencoded and multipart forms, and JSON bodies
// (raw text in _POST["JSON"], top-level scalar fields also as _POST entries, as ntopng does).

#include <civetweb.h>

#include <cstdint>
#include <optional>
#include <string>

#include "core/result.h"
#include "lua/context.h"

namespace flowlens::http {

struct BodyError {
  int status;  // 400 or 413
  std::string message;
};

// Returns an empty optional on success (params appended to `post`), else the error to answer.
std::optional<BodyError> readRequestBody(mg_connection* conn, uint64_t max_bytes,
                                         lua::Params& post);

// Adds the top-level scalar fields of a JSON object to `post`; no-op for anything else.
void addJsonFields(const std::string& body, lua::Params& post);

}  // namespace flowlens::http
