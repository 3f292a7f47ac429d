#include "dpi/flow_alerts.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "dpi/dpi_engine.h"

namespace flowlens::dpi {
namespace {

TEST(FlowAlertsTest, ScoreToSeverityAtNtopngsBoundaries) {
  const std::pair<int64_t, Severity> cases[] = {
      {-5, Severity::kNone},      {0, Severity::kNone},       {1, Severity::kInfo},
      {9, Severity::kInfo},       {10, Severity::kNotice},    {49, Severity::kNotice},
      {50, Severity::kWarning},   {99, Severity::kWarning},   {100, Severity::kError},
      {150, Severity::kError},    {199, Severity::kError},    {200, Severity::kCritical},
      {249, Severity::kCritical}, {250, Severity::kEmergency}, {100000, Severity::kEmergency},
  };
  for (auto [score, severity] : cases) EXPECT_EQ(severityOfScore(score), severity) << score;
}

TEST(FlowAlertsTest, SeverityToScore) {
  const std::pair<int64_t, int> cases[] = {{-1, 1}, {0, 1}, {1, 1}, {2, 1}, {3, 10}, {4, 50},
                                           {5, 100}, {6, 200}, {7, 250}, {8, 250}, {9, 150}};
  for (auto [severity, score] : cases) EXPECT_EQ(scoreOfSeverity(severity), score) << severity;
  // Each level's score maps back to the level, for the levels a score can reach.
  for (Severity s : {Severity::kNotice, Severity::kWarning, Severity::kError,
                     Severity::kCritical, Severity::kEmergency}) {
    EXPECT_EQ(severityOfScore(scoreOfSeverity(static_cast<int>(s))), s);
  }
}

TEST(FlowAlertsTest, EveryNdpiRiskHasOneAlertWithNdpisScore) {
  const auto types = riskAlertTypes();
  EXPECT_EQ(types.size(), size_t(DpiCatalog::numRisks() - 1));
  std::set<int> risks;
  for (const FlowAlertType& t : types) {
    EXPECT_TRUE(risks.insert(t.risk).second) << t.key;
    EXPECT_EQ(t.score, std::min(DpiCatalog::riskScore(t.risk), kScoreEmergency)) << t.key;
    EXPECT_GT(t.score, 0) << t.key;
    const auto back = flowAlertOfRisk(t.risk);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->id, t.id);
    const auto by_id = flowAlertType(t.id);
    ASSERT_TRUE(by_id);
    EXPECT_EQ(by_id->risk, t.risk);
  }
  EXPECT_FALSE(flowAlertOfRisk(0));
  EXPECT_FALSE(flowAlertOfRisk(DpiCatalog::numRisks()));
}

TEST(FlowAlertsTest, IdsAndKeysAreUnique) {
  std::set<int> ids;
  std::set<std::string> keys;
  for (int id = -1; id < 200; ++id) {
    const auto t = flowAlertType(id);
    if (!t) continue;
    EXPECT_EQ(t->id, id);
    EXPECT_TRUE(ids.insert(id).second);
    EXPECT_TRUE(keys.insert(std::string(t->key)).second) << t->key;
  }
  EXPECT_EQ(ids.size(), 46u + size_t(DpiCatalog::numRisks() - 1));
}

TEST(FlowAlertsTest, KnownAlerts) {
  auto xss = flowAlertType(39);
  ASSERT_TRUE(xss);
  EXPECT_EQ(xss->key, "ndpi_url_possible_xss");
  EXPECT_EQ(xss->risk, 1);
  EXPECT_EQ(xss->score, 250);  // a severe nDPI risk
  auto numeric_ip = flowAlertType(43);
  ASSERT_TRUE(numeric_ip);
  EXPECT_EQ(numeric_ip->score, 10);  // a low one
  auto blacklisted = flowAlertType(1);
  ASSERT_TRUE(blacklisted);
  EXPECT_EQ(blacklisted->score, kScoreCritical);
  EXPECT_EQ(blacklisted->risk, 0);
  EXPECT_EQ(flowAlertType(14)->category, AlertCategory::kInternals);
  EXPECT_FALSE(flowAlertType(0));   // "normal": no alert
  EXPECT_FALSE(flowAlertType(15));  // unused ids
  EXPECT_FALSE(flowAlertType(111));
}

}  // namespace
}  // namespace flowlens::dpi
