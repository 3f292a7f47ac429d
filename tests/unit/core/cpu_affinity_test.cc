// affinity::parseCoreList and bindThisThread: ntopng's -g/-y core lists.

#include "core/cpu_affinity.h"

#include <gtest/gtest.h>
#include <sched.h>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

namespace flowlens::affinity {
namespace {

TEST(CpuAffinityTest, ParsesListsAndRangesOfUsableCores) {
  const std::vector<int> usable = usableCores();
  ASSERT_FALSE(usable.empty());
  const int first = usable.front();
  auto one = parseCoreList(std::to_string(first));
  ASSERT_TRUE(one) << one.error();
  EXPECT_EQ(*one, std::vector<int>{first});
  if (usable.size() >= 2 && usable[1] == first + 1) {
    auto range = parseCoreList(std::to_string(first) + "-" + std::to_string(first + 1));
    ASSERT_TRUE(range) << range.error();
    EXPECT_EQ(*range, (std::vector<int>{first, first + 1}));
    auto list = parseCoreList(std::to_string(first + 1) + ", " + std::to_string(first));
    ASSERT_TRUE(list) << list.error();
    EXPECT_EQ(*list, (std::vector<int>{first + 1, first}));
  }
}

TEST(CpuAffinityTest, RejectsWhatIsNotACoreOfThisProcess) {
  for (const char* bad : {"", "a", "-1", "1,", "0,,1", "3-1", "0-", "1.5", "99999", "0,0"}) {
    auto r = parseCoreList(bad);
    EXPECT_FALSE(r) << "'" << bad << "' accepted";
  }
  // A core outside the affinity mask (CPU_SETSIZE - 1 is in no mask this test runs under).
  const std::vector<int> usable = usableCores();
  if (std::find(usable.begin(), usable.end(), CPU_SETSIZE - 1) == usable.end()) {
    auto r = parseCoreList(std::to_string(CPU_SETSIZE - 1));
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().find("not one flowlens may run on"), std::string::npos) << r.error();
  }
}

// A bound thread runs only on its core, and threads it starts inherit the binding.
TEST(CpuAffinityTest, BindsTheCallingThreadAndItsChildren) {
  const std::vector<int> usable = usableCores();
  const int core = usable.back();
  std::vector<int> seen, child_seen;
  std::thread t([&] {
    ASSERT_TRUE(bindThisThread({core}));
    seen = usableCores();
    for (int i = 0; i < 100; ++i) EXPECT_EQ(sched_getcpu(), core);
    std::thread child([&] { child_seen = usableCores(); });
    child.join();
  });
  t.join();
  EXPECT_EQ(seen, std::vector<int>{core});
  EXPECT_EQ(child_seen, std::vector<int>{core});
  EXPECT_EQ(usableCores(), usable) << "the test's own thread was rebound";
}

}  // namespace
}  // namespace flowlens::affinity
