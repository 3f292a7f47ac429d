#include "util/qr.h"

#include <qrencode.h>

namespace flowlens::util {

Result<std::string> qrCodeSvg(std::string_view text, int module_px) {
  if (text.empty() || text.size() > 2048) return Error{"text must be 1..2048 bytes"};
  const std::string s(text);
  QRcode* qr = QRcode_encodeString(s.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  if (!qr) return Error{"cannot encode a QR code"};
  const int quiet = 4;  // the standard quiet zone, in modules
  const int size = (qr->width + 2 * quiet) * module_px;
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(size) +
                    "\" height=\"" + std::to_string(size) + "\" viewBox=\"0 0 " +
                    std::to_string(qr->width + 2 * quiet) + " " +
                    std::to_string(qr->width + 2 * quiet) +
                    "\" shape-rendering=\"crispEdges\"><rect width=\"100%\" height=\"100%\" "
                    "fill=\"#fff\"/><path fill=\"#000\" d=\"";
  for (int y = 0; y < qr->width; ++y) {
    for (int x = 0; x < qr->width; ++x) {
      if (qr->data[y * qr->width + x] & 1) {
        svg += "M" + std::to_string(x + quiet) + " " + std::to_string(y + quiet) + "h1v1h-1z";
      }
    }
  }
  svg += "\"/></svg>";
  QRcode_free(qr);
  return svg;
}

}  // namespace flowlens::util
