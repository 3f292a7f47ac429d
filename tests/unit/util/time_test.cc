#include "util/time.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <limits>
#include <string>

namespace flowlens::util {
namespace {

// 2023-07-15 12:34:56 UTC (summer: Rome is UTC+2, New York UTC-4).
constexpr int64_t kSummer = 1689424496;
// 2023-01-15 12:34:56 UTC (winter: Rome is UTC+1).
constexpr int64_t kWinter = 1673786096;

TEST(TimeTest, RoundDownToMinuteHourDay) {
  EXPECT_EQ(roundTimeDown(kSummer, 60), 1689424440);     // 12:34:00
  EXPECT_EQ(roundTimeDown(kSummer, 300), 1689424200);    // 12:30:00
  EXPECT_EQ(roundTimeDown(kSummer, 3600), 1689422400);   // 12:00:00
  EXPECT_EQ(roundTimeDown(kSummer, 86400), 1689379200);  // 2023-07-15 00:00:00
}

TEST(TimeTest, RoundDownKeepsExactMultiples) {
  EXPECT_EQ(roundTimeDown(1689379200, 86400), 1689379200);
  EXPECT_EQ(roundTimeDown(1689422400, 3600), 1689422400);
  EXPECT_EQ(roundTimeDown(0, 60), 0);
  EXPECT_EQ(roundTimeDown(59, 60), 0);
  EXPECT_EQ(roundTimeDown(60, 60), 60);
}

TEST(TimeTest, RoundDownFloorsNegativeEpochs) {
  EXPECT_EQ(roundTimeDown(-1, 60), -60);
  EXPECT_EQ(roundTimeDown(-60, 60), -60);
  EXPECT_EQ(roundTimeDown(-61, 60), -120);
  EXPECT_EQ(roundTimeDown(-1, 86400), -86400);
  EXPECT_EQ(roundTimeDown(-3599, 3600), -3600);
}

TEST(TimeTest, RoundDownWithNonPositiveStepIsIdentity) {
  EXPECT_EQ(roundTimeDown(kSummer, 0), kSummer);
  EXPECT_EQ(roundTimeDown(kSummer, -60), kSummer);
}

TEST(TimeTest, RoundDownAtTheEdgesOfTheRangeDoesNotOverflow) {
  // Epochs come from Lua (math.maxinteger / math.mininteger): no signed overflow, and a time
  // that cannot be rounded inside the range comes back unchanged.
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  EXPECT_EQ(roundTimeDown(kMax, 60, 3600), kMax);
  EXPECT_EQ(roundTimeDown(kMax, 60), kMax - kMax % 60);
  EXPECT_EQ(roundTimeDown(kMin, 60), kMin);
  EXPECT_EQ(roundTimeDown(kMin + 10, 86400, -3600), kMin + 10);
}

TEST(TimeTest, RoundDownAlignsDaysToLocalMidnight) {
  // Rome in summer (UTC+2): local 14:34 on 2023-07-15, local midnight is 22:00 UTC the day before.
  EXPECT_EQ(roundTimeDown(kSummer, 86400, 7200), 1689372000);
  // New York in summer (UTC-4): local 08:34; local midnight is 04:00 UTC.
  EXPECT_EQ(roundTimeDown(kSummer, 86400, -14400), 1689393600);
  // Shortly after UTC midnight it is still the previous local day in New York.
  EXPECT_EQ(roundTimeDown(1689379200 + 600, 86400, -14400), 1689307200);
  // Half-hour zone (India, UTC+5:30): hours align to local :00, i.e. UTC :30.
  EXPECT_EQ(roundTimeDown(kSummer, 3600, 19800), 1689424200);
  // A minute step is unaffected by whole-minute offsets.
  EXPECT_EQ(roundTimeDown(kSummer, 60, 7200), roundTimeDown(kSummer, 60));
}

TEST(TimeTest, UtcOffsetOfNamedZones) {
  EXPECT_EQ(utcOffset("Europe/Rome", kSummer), 7200);
  EXPECT_EQ(utcOffset("Europe/Rome", kWinter), 3600);
  EXPECT_EQ(utcOffset("America/New_York", kSummer), -14400);
  EXPECT_EQ(utcOffset("America/New_York", kWinter), -18000);
  EXPECT_EQ(utcOffset("Asia/Kolkata", kSummer), 19800);
  EXPECT_EQ(utcOffset("UTC", kSummer), 0);
}

TEST(TimeTest, UtcOffsetOfUnknownZone) {
  EXPECT_FALSE(utcOffset("Mars/Olympus_Mons", kSummer).has_value());
  EXPECT_FALSE(utcOffset("../../../etc/passwd", kSummer).has_value());
  EXPECT_FALSE(utcOffset("Europe/../Europe/Rome", kSummer).has_value());
}

TEST(TimeTest, UtcOffsetOfAZoneDirectoryIsUnknown) {
  // "Europe" exists under /usr/share/zoneinfo but is a directory, not a zone.
  EXPECT_FALSE(utcOffset("Europe", kSummer).has_value());
  EXPECT_FALSE(utcOffset("", kSummer) == std::nullopt);
}

TEST(TimeTest, UtcOffsetRestoresTheProcessZone) {
  const char* old = std::getenv("TZ");
  const std::string saved = old ? old : "";
  setenv("TZ", "UTC", 1);
  tzset();
  ASSERT_EQ(utcOffset("Europe/Rome", kSummer), 7200);
  const char* after = std::getenv("TZ");
  ASSERT_NE(after, nullptr);
  EXPECT_STREQ(after, "UTC");
  EXPECT_EQ(utcOffset("", kSummer), 0);  // the process's zone, unchanged
  if (old)
    setenv("TZ", saved.c_str(), 1);
  else
    unsetenv("TZ");
  tzset();
}

TEST(TimeTest, ClocksMoveForward) {
  const double wall = nowMillis();
  const double sys = static_cast<double>(std::time(nullptr)) * 1000.0;
  EXPECT_NEAR(wall, sys, 5000.0);
  const uint64_t a = monotonicTicks();
  const uint64_t b = monotonicTicks();
  EXPECT_LE(a, b);
  EXPECT_EQ(kTicksPerSecond, 1000000000ull);
}

}  // namespace
}  // namespace flowlens::util
