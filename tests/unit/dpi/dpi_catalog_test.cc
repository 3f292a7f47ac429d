// DpiCatalog reads nDPI's names, categories and breeds once and closes its module: every answer
// must be the one a live module gives, for every id (custom protocols from -p included).

#include <gtest/gtest.h>

#include <string>

#include "dpi/dpi_engine.h"

extern "C" {
#include <ndpi/ndpi_api.h>
}

namespace flowlens::dpi {
namespace {

class DpiCatalogTest : public ::testing::TestWithParam<std::string> {};

TEST_P(DpiCatalogTest, AnswersAsALiveModuleDoes) {
  const std::string protocols_file = GetParam();
  auto catalog = DpiCatalog::create({protocols_file, nullptr});
  ASSERT_TRUE(catalog) << catalog.error();
  const DpiCatalog& c = **catalog;

  ndpi_detection_module_struct* m = ndpi_init_detection_module(ndpi_no_prefs);
  ASSERT_NE(m, nullptr);
  NDPI_PROTOCOL_BITMASK all;
  NDPI_BITMASK_SET_ALL(all);
  ndpi_set_protocol_detection_bitmask2(m, &all);
  if (!protocols_file.empty()) {
    ASSERT_EQ(ndpi_load_protocols_file(m, protocols_file.c_str()), 0);
  }
  ndpi_finalize_initialization(m);

  const uint32_t n = ndpi_get_num_supported_protocols(m);
  EXPECT_EQ(c.numProtocols(), n);
  size_t named = 0;
  for (uint32_t id = 0; id <= 1024; id = id == 1024 ? UINT16_MAX + 1 : id + 1) {
    const uint16_t p = uint16_t(id == UINT16_MAX + 1 ? UINT16_MAX : id);
    const char* name = p < n ? ndpi_get_proto_name(m, p) : nullptr;
    EXPECT_EQ(c.protocolName(p), name ? name : "Unknown") << p;
    named += name != nullptr && name[0] != '\0';
    const ndpi_protocol proto{NDPI_PROTOCOL_UNKNOWN, p, NDPI_PROTOCOL_CATEGORY_UNSPECIFIED};
    EXPECT_EQ(c.categoryOf(p), uint16_t(ndpi_get_proto_category(m, proto))) << p;
    EXPECT_EQ(c.breedName(p), ndpi_get_proto_breed_name(m, ndpi_get_proto_breed(m, p))) << p;
    if (id == UINT16_MAX + 1) break;
  }
  EXPECT_EQ(c.protocols().size(), named);
  EXPECT_GT(named, 200u);
  for (int cat = 0; cat < NDPI_PROTOCOL_NUM_CATEGORIES; ++cat) {
    const char* name = ndpi_category_get_name(m, ndpi_protocol_category_t(cat));
    EXPECT_EQ(c.categoryName(uint16_t(cat)), name ? name : "") << cat;
  }
  EXPECT_EQ(c.protocolId("tls"), NDPI_PROTOCOL_TLS);
  EXPECT_EQ(c.protocolId("no such protocol"), -1);
  if (!protocols_file.empty()) {
    const int kxun = c.protocolId("KxunMobi");
    ASSERT_GE(kxun, NDPI_MAX_SUPPORTED_PROTOCOLS);
    EXPECT_TRUE(c.isCustom(uint16_t(kxun)));
  }
  EXPECT_FALSE(c.isCustom(NDPI_PROTOCOL_TLS));
  ndpi_exit_detection_module(m);
}

INSTANTIATE_TEST_SUITE_P(BuiltInAndCustom, DpiCatalogTest,
                         ::testing::Values(std::string(),
                                           std::string(FLOWLENS_SOURCE_DIR) +
                                               "/tests/data/ndpi_protos.txt"));

// Overrides (ntop.setnDPIProtoCategory) change what the catalog answers, nothing else.
TEST(DpiCatalogOverrideTest, SetCategoryChangesOneProtocol) {
  auto catalog = DpiCatalog::create({});
  ASSERT_TRUE(catalog) << catalog.error();
  DpiCatalog& c = **catalog;
  const int streaming = c.categoryId("Streaming");
  ASSERT_GE(streaming, 0);
  const uint16_t dns_before = c.categoryOf(NDPI_PROTOCOL_DNS);
  c.setCategory(NDPI_PROTOCOL_HTTP, uint16_t(streaming));
  EXPECT_EQ(c.categoryOf(NDPI_PROTOCOL_HTTP), streaming);
  EXPECT_EQ(c.categoryOf(NDPI_PROTOCOL_DNS), dns_before);
  bool listed = false;
  for (const auto& p : c.protocols()) {
    if (p.id == NDPI_PROTOCOL_HTTP) listed = p.category == streaming;
  }
  EXPECT_TRUE(listed);
  c.setCategory(UINT16_MAX, uint16_t(streaming));  // no such protocol: ignored
  EXPECT_EQ(c.categoryOf(UINT16_MAX), NDPI_PROTOCOL_CATEGORY_UNSPECIFIED);
}

}  // namespace
}  // namespace flowlens::dpi
