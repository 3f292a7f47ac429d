#include "store/sampling_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace flowlens::store {
namespace {

namespace fsys = std::filesystem;

class SamplingStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fsys::temp_directory_path() /
           ("flowlens_samples_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fsys::remove_all(dir_);
    store_ = std::make_unique<SamplingStore>(dir_.string());
  }
  void TearDown() override {
    store_.reset();
    fsys::remove_all(dir_);
  }
  std::vector<std::pair<time_t, std::string>> rows(int ifid, Granularity g, time_t from,
                                                   time_t to) {
    auto r = store_->range(ifid, g, from, to);
    EXPECT_TRUE(r.ok()) << r.error();
    std::vector<std::pair<time_t, std::string>> out;
    if (r) {
      for (auto& s : *r) out.emplace_back(s.when, s.data);
    }
    return out;
  }

  fsys::path dir_;
  std::unique_ptr<SamplingStore> store_;
};

constexpr time_t kT = 1700000040;  // a minute boundary (1700000040 % 60 == 0)

TEST_F(SamplingStoreTest, FileAndTablesAreNtopngs) {
  ASSERT_TRUE(store_->insert(3, Granularity::kMinute, kT, "{\"a\":1}").ok());
  const std::string file = (dir_ / "3" / "top_talkers" / "top_talkers.db").string();
  EXPECT_EQ(store_->path(3), file);
  ASSERT_TRUE(fsys::exists(file));
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  std::vector<std::string> tables;
  sqlite3_exec(
      db, "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name",
      [](void* out, int, char** v, char**) {
        static_cast<std::vector<std::string>*>(out)->push_back(v[0]);
        return 0;
      },
      &tables, nullptr);
  EXPECT_EQ(tables, (std::vector<std::string>{"DAY_STATS", "HOUR_STATS", "MINUTE_STATS"}));
  std::string stats;
  sqlite3_exec(
      db, "SELECT STATS FROM MINUTE_STATS WHERE TSTAMP = 1700000040",
      [](void* out, int, char** v, char**) {
        *static_cast<std::string*>(out) = v[0];
        return 0;
      },
      &stats, nullptr);
  EXPECT_EQ(stats, "{\"a\":1}");
  sqlite3_close(db);
}

TEST_F(SamplingStoreTest, MinuteSamplesAndTheLastOfAMinute) {
  ASSERT_TRUE(store_->insert(0, Granularity::kMinute, kT + 5, "first").ok());
  ASSERT_TRUE(store_->insert(0, Granularity::kMinute, kT + 50, "second").ok());
  ASSERT_TRUE(store_->insert(0, Granularity::kMinute, kT + 60, "next minute").ok());
  auto m = store_->minuteAt(0, kT + 30);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->value_or("<none>"), "second");
  m = store_->minuteAt(0, kT + 60 + 59);
  EXPECT_EQ(m->value_or("<none>"), "next minute");
  m = store_->minuteAt(0, kT - 1);
  ASSERT_TRUE(m.ok());
  EXPECT_FALSE(m->has_value());
  m = store_->minuteAt(1, kT);  // another interface: its own file, empty
  ASSERT_TRUE(m.ok());
  EXPECT_FALSE(m->has_value());
}

TEST_F(SamplingStoreTest, HourAndDayKeyedToTheMinuteAndReplaced) {
  ASSERT_TRUE(store_->insert(0, Granularity::kHour, kT + 7, "h1").ok());
  ASSERT_TRUE(store_->insert(0, Granularity::kHour, kT + 59, "h2").ok());  // same minute
  ASSERT_TRUE(store_->insert(0, Granularity::kDay, kT + 1, "d1").ok());
  EXPECT_EQ(rows(0, Granularity::kHour, 0, kT + 3600),
            (std::vector<std::pair<time_t, std::string>>{{kT, "h2"}}));
  EXPECT_EQ(rows(0, Granularity::kDay, 0, kT + 3600),
            (std::vector<std::pair<time_t, std::string>>{{kT, "d1"}}));
  EXPECT_TRUE(rows(0, Granularity::kMinute, 0, kT + 3600).empty());
}

TEST_F(SamplingStoreTest, RangesAreInclusiveAndOrdered) {
  for (int i = 4; i >= 0; --i) {
    ASSERT_TRUE(store_->insert(0, Granularity::kMinute, kT + 60 * i, "m" + std::to_string(i)).ok());
  }
  EXPECT_EQ(rows(0, Granularity::kMinute, kT + 60, kT + 180),
            (std::vector<std::pair<time_t, std::string>>{
                {kT + 60, "m1"}, {kT + 120, "m2"}, {kT + 180, "m3"}}));
  EXPECT_TRUE(rows(0, Granularity::kMinute, kT + 181, kT + 239).empty());
}

TEST_F(SamplingStoreTest, DeleteBeforeCutoff) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(store_->insert(0, Granularity::kDay, kT + 86400 * i, "d").ok());
  }
  auto n = store_->deleteBefore(0, Granularity::kDay, kT + 86400 * 2);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 2);
  EXPECT_EQ(rows(0, Granularity::kDay, 0, kT * 2).size(), 3u);
  EXPECT_EQ(*store_->deleteBefore(0, Granularity::kMinute, kT * 2), 0);
}

TEST_F(SamplingStoreTest, SamplesSurviveReopening) {
  ASSERT_TRUE(store_->insert(2, Granularity::kMinute, kT, "kept").ok());
  store_ = std::make_unique<SamplingStore>(dir_.string());
  EXPECT_EQ(store_->minuteAt(2, kT)->value_or("<none>"), "kept");
}

TEST_F(SamplingStoreTest, LimitsAndErrors) {
  EXPECT_FALSE(store_->insert(0, Granularity::kMinute, kT,
                              std::string(SamplingStore::kMaxSampleBytes + 1, 'x'))
                   .ok());
  // A directory that cannot be made: a file stands where it should be.
  fsys::create_directories(dir_);
  { std::ofstream(dir_ / "7") << "file"; }
  Status st = store_->insert(7, Granularity::kMinute, kT, "x");
  EXPECT_FALSE(st.ok());
  EXPECT_FALSE(store_->range(7, Granularity::kMinute, 0, kT).ok());
}

TEST_F(SamplingStoreTest, ConcurrentWritersAndReaders) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([this, t] {
      for (int i = 0; i < 50; ++i) {
        const time_t when = kT + 60 * (t * 50 + i);
        EXPECT_TRUE(store_->insert(t % 2, Granularity::kMinute, when, "x").ok());
        EXPECT_TRUE(store_->range(t % 2, Granularity::kMinute, kT, when).ok());
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(rows(0, Granularity::kMinute, 0, kT * 2).size(), 100u);
  EXPECT_EQ(rows(1, Granularity::kMinute, 0, kT * 2).size(), 100u);
}

}  // namespace
}  // namespace flowlens::store
