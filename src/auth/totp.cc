#include "auth/totp.h"

#include <liboath/oath.h>
#include <openssl/rand.h>

#include <cctype>
#include <cstdlib>
#include <mutex>

namespace flowlens::auth {
namespace {

constexpr unsigned kStep = 30;
constexpr unsigned kDigits = 6;

void initOnce() {
  static std::once_flag once;
  std::call_once(once, [] { oath_init(); });
}

Result<std::string> decodeSecret(std::string_view b32) {
  initOnce();
  std::string clean;
  for (char c : b32) {
    if (c == ' ' || c == '=') continue;
    clean += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  char* out = nullptr;
  size_t len = 0;
  if (oath_base32_decode(clean.c_str(), clean.size(), &out, &len) != OATH_OK || len == 0) {
    std::free(out);
    return Error{"not a base32 TOTP secret"};
  }
  std::string raw(out, len);
  std::free(out);
  return raw;
}

std::string percentEncode(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace

std::string generateTotpSecret() {
  initOnce();
  unsigned char raw[20];
  RAND_bytes(raw, sizeof(raw));
  char* out = nullptr;
  size_t len = 0;
  oath_base32_encode(reinterpret_cast<const char*>(raw), sizeof(raw), &out, &len);
  std::string s(out, len);
  std::free(out);
  return s;
}

std::string totpProvisioningUri(std::string_view issuer, std::string_view user,
                                std::string_view secret_b32) {
  return "otpauth://totp/" + percentEncode(issuer) + ":" + percentEncode(user) + "?secret=" +
         std::string(secret_b32) + "&issuer=" + percentEncode(issuer) +
         "&algorithm=SHA1&digits=6&period=30";
}

Result<std::string> totpCode(std::string_view secret_b32, time_t now) {
  auto raw = decodeSecret(secret_b32);
  if (!raw) return Error{raw.error()};
  char code[kDigits + 1];
  if (oath_totp_generate(raw->data(), raw->size(), now, kStep, 0, kDigits, code) != OATH_OK) {
    return Error{"cannot compute the TOTP code"};
  }
  return std::string(code);
}

Result<std::optional<uint64_t>> totpValidate(std::string_view secret_b32, std::string_view code,
                                             time_t now) {
  if (code.size() != kDigits) return std::optional<uint64_t>();
  for (char c : code) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::optional<uint64_t>();
  }
  auto raw = decodeSecret(secret_b32);
  if (!raw) return Error{raw.error()};
  const std::string otp(code);
  int pos = 0;
  uint64_t counter = 0;
  const int rc = oath_totp_validate3(raw->data(), raw->size(), now, kStep, 0, /*window=*/1, &pos,
                                     &counter, otp.c_str());
  if (rc < 0) return std::optional<uint64_t>();
  return std::optional<uint64_t>(counter);
}

}  // namespace flowlens::auth
