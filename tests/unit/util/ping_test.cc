// util::Pinger: echo requests to the loopback addresses are answered and timed, through any
// interface or bound to lo; replies are collected once. Only loopback addresses are pinged: a
// test machine's own networks are not the tests' to probe. Needs CAP_NET_RAW (root, as make
// test runs): without it the tests are skipped, with the reason.

#include "util/ping.h"

#include <gtest/gtest.h>

#include <thread>

namespace flowlens::util {
namespace {

std::unique_ptr<Pinger> openOrSkip(const std::string& ifname, std::string* why) {
  auto p = Pinger::open(ifname);
  if (!p) {
    *why = p.error();
    return nullptr;
  }
  return std::move(*p);
}

// Collects until `host` answered or 3 s passed.
std::map<std::string, double> waitFor(Pinger& p, const std::string& host) {
  std::map<std::string, double> all;
  for (int i = 0; i < 60 && !all.count(host); ++i) {
    for (auto& [h, ms] : p.collect()) all[h] = ms;
    if (!all.count(host)) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return all;
}

TEST(Pinger, LoopbackAnswersAndIsTimed) {
  std::string why;
  auto p = openOrSkip("", &why);
  if (!p) GTEST_SKIP() << "no raw ICMP socket here: " << why;
  ASSERT_TRUE(p->hasV4());
  ASSERT_TRUE(p->ping(*parseIp("127.0.0.1")).ok());
  auto got = waitFor(*p, "127.0.0.1");
  ASSERT_EQ(got.count("127.0.0.1"), 1u) << "no echo reply from 127.0.0.1";
  EXPECT_GE(got["127.0.0.1"], 0.0);
  EXPECT_LT(got["127.0.0.1"], 3000.0);
  EXPECT_TRUE(p->collect().empty()) << "collected once";
  if (p->hasV6()) {
    ASSERT_TRUE(p->ping(*parseIp("::1")).ok());
    EXPECT_EQ(waitFor(*p, "::1").count("::1"), 1u);
  }
}

TEST(Pinger, BoundToAnInterface) {
  std::string why;
  auto lo = openOrSkip("lo", &why);
  if (!lo) GTEST_SKIP() << "no raw ICMP socket here: " << why;
  ASSERT_TRUE(lo->ping(*parseIp("127.0.0.1")).ok());
  EXPECT_EQ(waitFor(*lo, "127.0.0.1").count("127.0.0.1"), 1u);
  EXPECT_FALSE(Pinger::open("no-such-if0").ok());
}

}  // namespace
}  // namespace flowlens::util
