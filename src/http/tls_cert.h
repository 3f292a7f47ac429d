#pragma once
// The HTTPS certificate: <data dir>/ssl/flowlens-cert.pem (certificate and private key in one
// PEM file, as civetweb wants), generated on first start as a self-signed ECDSA P-256 pair valid
// for 10 years when no certificate exists.

#include <string>

#include "core/result.h"

namespace flowlens::http {

Result<std::string> ensureCertificate(const std::string& data_dir, const std::string& hostname);

}  // namespace flowlens::http
