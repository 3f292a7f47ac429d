// AlertEngine and AlertStore over a real capture with nDPI risks (WebattackRCE.pcap: HTTP to
// numeric hosts, on odd ports, with suspicious user agents), checked against the flows' own
// risk bitmaps.

#include "alerts/alert_engine.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "dpi/flow_alerts.h"
#include "iface/registry.h"
#include "test_env.h"

namespace flowlens::alerts {
namespace {

using testing::withCapture;

// (alert id -> count) expected from the flows' risk bitmaps.
std::map<int, int> expectedAlerts(testing::TestEnv& env) {
  std::map<int, int> want;
  env.services().interfaces->byId(0)->engine()->scanFlows([&](const flow::Flow& f) {
    for (int bit = 1; bit < 64; ++bit) {
      if (f.risk & (uint64_t{1} << bit)) {
        if (auto t = dpi::flowAlertOfRisk(bit)) ++want[t->id];
      }
    }
  });
  return want;
}

TEST(AlertEngineTest, OneAlertPerFlowRiskStoredQueuedAndPopped) {
  testing::TestEnv env(withCapture("WebattackRCE.pcap"));
  auto& s = env.services();
  ASSERT_NE(s.alert_engine, nullptr);
  ASSERT_NE(s.alert_store, nullptr);
  ASSERT_TRUE(s.recipients->registerRecipient("all", {}).ok());
  RecipientFilter warnings;
  warnings.min_severity = static_cast<int>(dpi::Severity::kWarning);
  ASSERT_TRUE(s.recipients->registerRecipient("warnings and up", warnings).ok());

  const auto want = expectedAlerts(env);
  ASSERT_TRUE(want.count(43)) << "the capture's numeric-IP HTTP hosts (alert 43, score 10)";
  ASSERT_TRUE(want.count(30)) << "and its HTTP on odd ports (alert 30, score 50)";
  int want_total = 0, want_warnings = 0;
  for (auto [id, n] : want) {
    want_total += n;
    if (dpi::severityOfScore(dpi::flowAlertType(id)->score) >= dpi::Severity::kWarning) {
      want_warnings += n;
    }
  }

  std::vector<FlowAlert> raised;
  EXPECT_EQ(s.alert_engine->checkOnce(1700000000, &raised), size_t(want_total));
  std::map<int, int> got;
  for (const FlowAlert& a : raised) {
    ++got[a.alert_id];
    EXPECT_EQ(a.ifid, 0);
    EXPECT_EQ(a.tstamp, 1700000000);
    EXPECT_EQ(a.score, dpi::flowAlertType(a.alert_id)->score);
    EXPECT_FALSE(a.cli_ip.empty());
    EXPECT_NE(a.srv_port, 0);
  }
  EXPECT_EQ(got, want);
  EXPECT_EQ(s.alert_engine->checkOnce(1700000001), 0u) << "a risk is alerted once";

  EXPECT_EQ(s.alert_store->count(), want_total);
  EXPECT_EQ(s.alerts_written.load(), uint64_t(want_total));
  EXPECT_EQ(s.recipients->stats("all")->queued, size_t(want_total));
  auto n = s.recipients->dequeue("all", 1);
  ASSERT_TRUE(n);
  EXPECT_NE(n->body.find("\"entity_id\":4"), std::string::npos) << n->body;
  // The recipient's filter: numeric-IP hosts (notice) do not reach it.
  EXPECT_EQ(s.recipients->stats("warnings and up")->queued, size_t(want_warnings));
  EXPECT_LT(want_warnings, want_total);

  const auto popped = s.alert_engine->popInternal(100000);
  EXPECT_EQ(popped.size(), size_t(want_total));
  EXPECT_TRUE(s.alert_engine->popInternal(10).empty());
}

TEST(AlertStoreTest, ScriptsOnlyRead) {
  testing::TestEnv env(withCapture("WebattackRCE.pcap"));
  auto& s = env.services();
  s.alert_engine->checkOnce(1700000000);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  auto rows = s.alert_store->query(
      "SELECT alert_id, COUNT(*) AS n, MAX(info) AS info FROM flow_alerts GROUP BY alert_id", 100,
      deadline);
  ASSERT_TRUE(rows.ok()) << rows.error();
  ASSERT_FALSE(rows->empty());
  EXPECT_EQ(rows->at(0).at(0).column, "alert_id");
  EXPECT_TRUE(rows->at(0).at(0).is_number);
  for (const char* bad : {"DELETE FROM flow_alerts", "DROP TABLE flow_alerts",
                          "INSERT INTO flow_alerts (alert_id) VALUES (1)",
                          "ATTACH DATABASE '/tmp/x.db' AS x", "PRAGMA writable_schema=1",
                          "SELECT 1; DELETE FROM flow_alerts", "SELECT * FROM nosuchtable", ""}) {
    EXPECT_FALSE(s.alert_store->query(bad, 10, deadline).ok()) << bad;
  }
  EXPECT_GT(s.alert_store->count(), 0);
  // Row cap, and a query that runs past its deadline.
  auto capped = s.alert_store->query("SELECT * FROM flow_alerts", 1, deadline);
  ASSERT_TRUE(capped.ok());
  EXPECT_EQ(capped->size(), 1u);
  auto slow = s.alert_store->query(
      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT MAX(x) FROM c", 10,
      std::chrono::steady_clock::now() + std::chrono::milliseconds(200));
  EXPECT_FALSE(slow.ok());
  EXPECT_NE(slow.error().find("time"), std::string::npos) << slow.error();
}

TEST(AlertStoreTest, OldestRowsGoBeyondTheCap) {
  testing::TestEnv env;
  auto store = AlertStore::open(env.services().dirs->workingdir + "/capped", 100);
  ASSERT_TRUE(store.ok()) << store.error();
  for (int batch = 0; batch < 3; ++batch) {
    std::vector<FlowAlert> alerts(70);
    for (size_t i = 0; i < alerts.size(); ++i) alerts[i].alert_id = batch * 70 + int(i);
    ASSERT_TRUE((*store)->insert(alerts).ok());
  }
  EXPECT_EQ((*store)->count(), 100);
  auto rows = (*store)->query("SELECT MIN(alert_id) AS lo, MAX(alert_id) AS hi FROM flow_alerts",
                              1, std::chrono::steady_clock::now() + std::chrono::seconds(5));
  ASSERT_TRUE(rows.ok()) << rows.error();
  EXPECT_EQ(rows->at(0).at(0).text, "110");  // the 110 oldest of 210 went
  EXPECT_EQ(rows->at(0).at(1).text, "209");
}

TEST(AlertStoreTest, NoHugeValuesNorExtensions) {
  testing::TestEnv env;
  auto& store = *env.services().alert_store;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  EXPECT_FALSE(store.query("SELECT zeroblob(100000000)", 1, deadline).ok());
  EXPECT_FALSE(store.query("SELECT load_extension('/tmp/x.so')", 1, deadline).ok());
  EXPECT_TRUE(store.query("SELECT zeroblob(1000)", 1, deadline).ok());
}

}  // namespace
}  // namespace flowlens::alerts
