#pragma once
// Small cryptographic helpers for authentication: random tokens (OpenSSL's CSPRNG), constant-time
// comparison, base64 (HTTP Basic), and password hashing with Argon2id (libargon2).
// Pure functions; thread-safe.

#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace flowlens::auth {

// `bytes` random bytes as lowercase hex (2 * bytes characters).
std::string randomHex(size_t bytes);
bool constantTimeEqual(std::string_view a, std::string_view b);
std::optional<std::string> base64Decode(std::string_view in);

// Argon2id with a random salt, in the PHC string format ("$argon2id$v=19$m=...,t=...,p=...$...").
Result<std::string> hashPassword(std::string_view password);
// False for a wrong password and for anything that is not an Argon2 hash (e.g. ntopng's MD5).
bool verifyPassword(std::string_view password, const std::string& encoded);

}  // namespace flowlens::auth
