#pragma once
// TOTP (RFC 6238: HMAC-SHA1, 6 digits, 30 s steps) through liboath. Secrets travel as base32.
// Pure functions; thread-safe.

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace flowlens::auth {

std::string generateTotpSecret();  // 20 random bytes, base32 (32 characters)
std::string totpProvisioningUri(std::string_view issuer, std::string_view user,
                                std::string_view secret_b32);
// The code for `now` (for tests and tools).
Result<std::string> totpCode(std::string_view secret_b32, time_t now);
// The time step a valid code belongs to (within one step of `now`), or nullopt when the code is
// wrong. Callers refuse a step not greater than the last one accepted (no replay).
Result<std::optional<uint64_t>> totpValidate(std::string_view secret_b32, std::string_view code,
                                             time_t now);

}  // namespace flowlens::auth
