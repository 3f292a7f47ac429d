#pragma once
// Small text helpers used by bindings and HTTP: hashing, MAC formats, TLS names, escaping.
// Pure functions; thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace flowlens::util {

std::string toHex(const unsigned char* data, size_t len);  // lowercase
std::string md5Hex(std::string_view data);
std::string sha256Hex(std::string_view data);

// "aa:bb:cc:dd:ee:ff" (or '-' separated) -> "AA:BB:CC:FF:FE:DD:EE:FF" (IEEE EUI-64).
std::optional<std::string> macToEui64(std::string_view mac);
// "AA:BB:CC:FF:FE:DD:EE:FF" -> "AA:BB:CC:DD:EE:FF"; nullopt unless bytes 4-5 are FF:FE.
std::optional<std::string> eui64ToMac(std::string_view eui64);

// nDPI's names: "TLSv1.2", "DTLSv1.2", "GREASE"...; unknown -> "TLS (XXXX)".
std::string tlsVersionName(uint32_t version);

// Service name from /etc/services ("http" for 80/tcp); the port number when unknown.
std::string serviceName(int port, std::string_view proto);

// Replaces every byte that could break out of HTML, an attribute or a URL with '_'.
std::string purifyParam(std::string_view s);
// HTML-escapes & < > " '.
std::string htmlEscape(std::string_view s);

bool isValidUtf8(std::string_view s);

}  // namespace flowlens::util
