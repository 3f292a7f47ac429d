#include "util/text.h"

#include <netdb.h>
#include <openssl/evp.h>

#include <cctype>
#include <cstdio>

namespace flowlens::util {
namespace {

bool parseMacBytes(std::string_view text, uint8_t* out, int n) {
  // n groups of two hex digits separated by ':' or '-'.
  if (text.size() != static_cast<size_t>(n * 3 - 1)) return false;
  for (int i = 0; i < n; ++i) {
    const char* p = text.data() + i * 3;
    if (i > 0 && p[-1] != ':' && p[-1] != '-') return false;
    if (!std::isxdigit(static_cast<unsigned char>(p[0])) ||
        !std::isxdigit(static_cast<unsigned char>(p[1]))) {
      return false;
    }
    out[i] = static_cast<uint8_t>(std::stoi(std::string(p, 2), nullptr, 16));
  }
  return true;
}

std::string formatMac(const uint8_t* b, int n) {
  std::string s;
  char buf[4];
  for (int i = 0; i < n; ++i) {
    std::snprintf(buf, sizeof(buf), i ? ":%02X" : "%02X", b[i]);
    s += buf;
  }
  return s;
}

}  // namespace

std::string toHex(const unsigned char* data, size_t len) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (size_t i = 0; i < len; ++i) {
    out += kHex[data[i] >> 4];
    out += kHex[data[i] & 15];
  }
  return out;
}

namespace {
std::string digestHex(std::string_view data, const EVP_MD* md) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, md, nullptr);
  return toHex(digest, len);
}
}  // namespace

std::string md5Hex(std::string_view data) { return digestHex(data, EVP_md5()); }
std::string sha256Hex(std::string_view data) { return digestHex(data, EVP_sha256()); }

std::optional<std::string> macToEui64(std::string_view mac) {
  uint8_t b[6];
  if (!parseMacBytes(mac, b, 6)) return std::nullopt;
  const uint8_t e[8] = {b[0], b[1], b[2], 0xFF, 0xFE, b[3], b[4], b[5]};
  return formatMac(e, 8);
}

std::optional<std::string> eui64ToMac(std::string_view eui64) {
  uint8_t e[8];
  if (!parseMacBytes(eui64, e, 8) || e[3] != 0xFF || e[4] != 0xFE) return std::nullopt;
  const uint8_t b[6] = {e[0], e[1], e[2], e[5], e[6], e[7]};
  return formatMac(b, 6);
}

std::string tlsVersionName(uint32_t v) {
  switch (v) {
    case 0x0300: return "SSLv3";
    case 0x0301: return "TLSv1";
    case 0x0302: return "TLSv1.1";
    case 0x0303: return "TLSv1.2";
    case 0x0304: return "TLSv1.3";
    case 0xFB1A: return "TLSv1.3 (Fizz)";
    case 0xFEFF: return "DTLSv1.0";
    case 0xFEFD: return "DTLSv1.2";
    case 0xFEFC: return "DTLSv1.3";
    default: break;
  }
  // RFC 8701 GREASE values: 0x0A0A, 0x1A1A, ... 0xFAFA.
  if ((v & 0x0F0F) == 0x0A0A && (v >> 8) == (v & 0xFF)) return "GREASE";
  char buf[16];
  std::snprintf(buf, sizeof(buf), "TLS (%04X)", v & 0xFFFF);
  return buf;
}

std::string serviceName(int port, std::string_view proto) {
  struct servent se, *result = nullptr;
  char buf[1024];
  const std::string p(proto.empty() ? "tcp" : proto);
  if (port >= 0 && port <= 65535 &&
      getservbyport_r(htons(static_cast<uint16_t>(port)), p.c_str(), &se, buf, sizeof(buf),
                      &result) == 0 &&
      result != nullptr) {
    return result->s_name;
  }
  return std::to_string(port);
}

std::string purifyParam(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u >= 0x80) continue;  // UTF-8 continuation and lead bytes are inert in HTML
    if (std::isalnum(u)) continue;
    switch (c) {
      case ' ': case '-': case '_': case '.': case ':': case '/': case '@': case ',':
      case '+': case '=': case '%': case '#': case '?': case '!': case '*': case '(':
      case ')': case '[': case ']': case '~': case '^':
        continue;
      default:
        c = '_';
    }
  }
  return out;
}

std::string htmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

bool isValidUtf8(std::string_view s) {
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    int extra;
    uint32_t cp;
    if (c < 0x80) { ++i; continue; }
    if ((c & 0xE0) == 0xC0) { extra = 1; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { extra = 2; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { extra = 3; cp = c & 0x07; }
    else return false;
    if (i + extra >= n) return false;  // truncated sequence
    for (int k = 1; k <= extra; ++k) {
      const unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are invalid.
    if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

}  // namespace flowlens::util
