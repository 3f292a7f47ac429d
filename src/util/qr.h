#pragma once
// QR codes as inline SVG (libqrencode), for the TOTP enrolment page: no image files, no script.

#include <string>
#include <string_view>

#include "core/result.h"

namespace flowlens::util {

// An SVG document drawing `text` as a QR code (error correction M), `module_px` per module.
Result<std::string> qrCodeSvg(std::string_view text, int module_px = 4);

}  // namespace flowlens::util
