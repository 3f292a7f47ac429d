#include "util/text.h"

#include <gtest/gtest.h>

namespace flowlens::util {
namespace {

TEST(TextTest, Md5OfKnownInputs) {
  EXPECT_EQ(md5Hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(md5Hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(md5Hex(std::string("a\0b", 3)), md5Hex(std::string("a\0b", 3)));
  EXPECT_NE(md5Hex(std::string("a\0b", 3)), md5Hex("a"));
}

}  // namespace
}  // namespace flowlens::util
