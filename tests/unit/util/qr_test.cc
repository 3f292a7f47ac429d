#include "util/qr.h"

#include <gtest/gtest.h>

namespace flowlens::util {
namespace {

TEST(QrTest, DrawsAnSvgWithModules) {
  auto svg = qrCodeSvg("otpauth://totp/flowlens:admin?secret=JBSWY3DPEHPK3PXP", 4);
  ASSERT_TRUE(svg.ok()) << svg.error();
  EXPECT_EQ(svg->rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
  EXPECT_NE(svg->find("</svg>"), std::string::npos);
  // A QR code has hundreds of dark modules, each drawn as one unit square.
  size_t squares = 0;
  for (size_t p = svg->find("h1v1h-1z"); p != std::string::npos; p = svg->find("h1v1h-1z", p + 1)) {
    ++squares;
  }
  EXPECT_GT(squares, 200u);
}

TEST(QrTest, SizeFollowsModulePixels) {
  auto small = qrCodeSvg("x", 1);
  auto big = qrCodeSvg("x", 8);
  ASSERT_TRUE(small.ok() && big.ok());
  // Version 1 is 21 modules plus a 4-module quiet zone each side: 29 modules.
  EXPECT_NE(small->find("width=\"29\""), std::string::npos) << *small;
  EXPECT_NE(big->find("width=\"232\""), std::string::npos);
}

TEST(QrTest, RefusesEmptyAndOversizedText) {
  EXPECT_FALSE(qrCodeSvg("", 4).ok());
  EXPECT_FALSE(qrCodeSvg(std::string(3000, 'a'), 4).ok());
}

}  // namespace
}  // namespace flowlens::util
