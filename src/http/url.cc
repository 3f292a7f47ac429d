#include "http/url.h"

#include "util/text.h"

namespace flowlens::http {
namespace {

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Result<std::string> percentDecode(std::string_view s, bool form) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size()) return Error{"malformed %-escape"};
      const int hi = hexValue(s[i + 1]), lo = hexValue(s[i + 2]);
      if (hi < 0 || lo < 0) return Error{"malformed %-escape"};
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && form) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

Result<lua::Params> parseUrlEncoded(std::string_view s) {
  lua::Params params;
  size_t pos = 0;
  while (pos <= s.size()) {
    size_t amp = s.find('&', pos);
    if (amp == std::string_view::npos) amp = s.size();
    const std::string_view pair = s.substr(pos, amp - pos);
    pos = amp + 1;
    if (pair.empty()) {
      if (amp == s.size()) break;
      continue;
    }
    const size_t eq = pair.find('=');
    auto name = percentDecode(pair.substr(0, eq), true);
    auto value = percentDecode(eq == std::string_view::npos ? "" : pair.substr(eq + 1), true);
    if (!name || !value) return Error{"malformed query string: bad %-escape"};
    if (name->empty()) return Error{"malformed query string: empty parameter name"};
    if (!util::isValidUtf8(*name) || !util::isValidUtf8(*value)) {
      return Error{"parameter '" + util::purifyParam(*name) + "' is not valid UTF-8"};
    }
    params.emplace_back(std::move(*name), std::move(*value));
    if (amp == s.size()) break;
  }
  return params;
}

Result<std::string> sanitizePath(std::string_view raw) {
  if (raw.empty() || raw[0] != '/') return Error{"path must start with '/'"};
  for (size_t i = 0; i + 2 < raw.size(); ++i) {
    if (raw[i] == '%') {
      const int v = hexValue(raw[i + 1]) * 16 + hexValue(raw[i + 2]);
      if (v == '/' || v == '\\' || v == 0) return Error{"encoded separator in path"};
    }
  }
  auto decoded = percentDecode(raw, false);
  if (!decoded) return Error{"malformed %-escape in path"};
  const std::string& p = *decoded;
  for (unsigned char c : p) {
    if (c < 0x20 || c == 0x7F || c == '\\') return Error{"forbidden character in path"};
  }
  if (!util::isValidUtf8(p)) return Error{"path is not valid UTF-8"};
  size_t start = 1;
  while (start <= p.size()) {
    size_t slash = p.find('/', start);
    if (slash == std::string::npos) slash = p.size();
    const std::string_view seg(p.data() + start, slash - start);
    if (seg == "." || seg == "..") return Error{"dot segment in path"};
    if (seg.empty() && slash != p.size()) return Error{"empty segment in path"};
    start = slash + 1;
  }
  return p;
}

}  // namespace flowlens::http
