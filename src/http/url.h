#pragma once
// Request-target parsing: strict percent-decoding, query strings and form bodies, and the path
// sanitiser every route goes through. Pure functions; thread-safe.

#include <string>
#include <string_view>

#include "core/result.h"
#include "lua/context.h"

namespace flowlens::http {

// Decodes %XX escapes (and '+' as space when `form`); a malformed escape is an error.
Result<std::string> percentDecode(std::string_view s, bool form);

// "a=1&b=x%20y" -> {{"a","1"},{"b","x y"}}. Names and values must be valid UTF-8.
Result<lua::Params> parseUrlEncoded(std::string_view s);

// Takes the raw path of a request target ("/lua/x%2Ey.lua") and returns it decoded. Refuses
// encoded separators (%2F, %5C), NUL and control bytes, backslashes, invalid or overlong UTF-8,
// empty segments ("//") and dot segments ("." / ".."), before or after decoding.
Result<std::string> sanitizePath(std::string_view raw_path);

}  // namespace flowlens::http
