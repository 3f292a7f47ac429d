#include "auth/crypto.h"

#include <argon2.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <optional>

#include "util/text.h"
#include <vector>

namespace flowlens::auth {
namespace {

// OWASP's Argon2id baseline: 19 MiB, 2 passes, 1 lane (~20 ms here: logins only; Basic-auth
// REST clients are served from a short-lived cache of verified credentials).
constexpr uint32_t kTimeCost = 2;
constexpr uint32_t kMemoryKiB = 19456;
constexpr uint32_t kLanes = 1;
constexpr size_t kSaltLen = 16;
constexpr size_t kHashLen = 32;

}  // namespace

std::string randomHex(size_t bytes) {
  std::vector<unsigned char> buf(bytes);
  RAND_bytes(buf.data(), static_cast<int>(bytes));
  return util::toHex(buf.data(), buf.size());
}

bool constantTimeEqual(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::optional<std::string> base64Decode(std::string_view in) {
  if (in.size() % 4 != 0 || in.size() > 8192) return std::nullopt;
  const size_t eq = in.find('=');
  if (eq != std::string_view::npos) {  // padding: only "x=" or "xx==" at the very end
    if (eq < in.size() - 2 || in.find_first_not_of('=', eq) != std::string_view::npos ||
        eq % 4 < 2) {
      return std::nullopt;
    }
  }
  std::string out(in.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(in.data()),
                                static_cast<int>(in.size()));
  if (n < 0) return std::nullopt;
  size_t len = static_cast<size_t>(n);
  if (!in.empty() && in.back() == '=') --len;  // EVP_DecodeBlock keeps the padding's zeros
  if (in.size() > 1 && in[in.size() - 2] == '=') --len;
  out.resize(len);
  return out;
}

Result<std::string> hashPassword(std::string_view password) {
  unsigned char salt[kSaltLen];
  if (RAND_bytes(salt, sizeof(salt)) != 1) return Error{"no randomness for the salt"};
  const size_t len = argon2_encodedlen(kTimeCost, kMemoryKiB, kLanes, kSaltLen, kHashLen,
                                       Argon2_id);
  std::string encoded(len, '\0');
  const int rc = argon2id_hash_encoded(kTimeCost, kMemoryKiB, kLanes, password.data(),
                                       password.size(), salt, kSaltLen, kHashLen, encoded.data(),
                                       encoded.size());
  if (rc != ARGON2_OK) return Error{std::string("argon2: ") + argon2_error_message(rc)};
  encoded.resize(std::char_traits<char>::length(encoded.c_str()));
  return encoded;
}

bool verifyPassword(std::string_view password, const std::string& encoded) {
  if (encoded.rfind("$argon2id$", 0) != 0) return false;
  return argon2id_verify(encoded.c_str(), password.data(), password.size()) == ARGON2_OK;
}

}  // namespace flowlens::auth
