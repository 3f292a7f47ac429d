// util::rrd on real RRD files; rrdtool (Debian's CLI, a separate reader of the same format)
// checks what was written.

#include "util/rrd.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <utime.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace flowlens::util::rrd {
namespace {

namespace fsys = std::filesystem;

std::string run(const std::string& cmd) {
  std::string out;
  std::unique_ptr<FILE, int (*)(FILE*)> p(popen(cmd.c_str(), "r"), pclose);
  if (!p) return out;
  std::array<char, 4096> buf{};
  for (size_t n; (n = fread(buf.data(), 1, buf.size(), p.get())) > 0;) out.append(buf.data(), n);
  return out;
}

class RrdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fsys::temp_directory_path() / ("flowlens_rrd_" + std::to_string(::getpid()) + "_" +
                                          ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fsys::remove_all(dir_);
  }
  void TearDown() override { fsys::remove_all(dir_); }
  std::string path(const std::string& rel) const { return (dir_ / rel).string(); }

  // A 60 s step file with a byte counter and a gauge, one day of minute averages and maxima.
  std::string makeFile(const std::string& rel, time_t start) {
    const std::string p = path(rel);
    EXPECT_TRUE(create(p, 60, start,
                       {"DS:bytes:DERIVE:120:0:U", "DS:hosts:GAUGE:120:0:U",
                        "RRA:AVERAGE:0.5:1:1440", "RRA:MAX:0.5:1:1440"})
                    .ok());
    return p;
  }

  fsys::path dir_;
};

constexpr time_t kT0 = 1700000000 - 1700000000 % 60;  // a step boundary

TEST_F(RrdTest, CreateMakesParentsAndRrdtoolReadsTheDefinitions) {
  const std::string p = makeFile("0/iface/bytes.rrd", kT0);
  ASSERT_TRUE(fsys::exists(p));
  const std::string info = run("rrdtool info " + p);
  EXPECT_NE(info.find("step = 60"), std::string::npos) << info;
  EXPECT_NE(info.find("ds[bytes].type = \"DERIVE\""), std::string::npos);
  EXPECT_NE(info.find("ds[hosts].type = \"GAUGE\""), std::string::npos);
  EXPECT_NE(info.find("rra[1].cf = \"MAX\""), std::string::npos);
  EXPECT_NE(info.find("last_update = " + std::to_string(kT0)), std::string::npos);

  auto last = lastUpdate(p);
  ASSERT_TRUE(last.ok()) << last.error();
  EXPECT_EQ(last->when, kT0);
  EXPECT_EQ(last->names, (std::vector<std::string>{"bytes", "hosts"}));
}

TEST_F(RrdTest, BadDefinitionsAreErrors) {
  Status st = create(path("x.rrd"), 60, kT0, {"DS:bytes:NOSUCHTYPE:120:0:U", "RRA:AVERAGE:0.5:1:10"});
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.error().find("cannot create"), std::string::npos) << st.error();
  EXPECT_FALSE(create(path("y.rrd"), 60, kT0, {}).ok());
  EXPECT_FALSE(create(path("z.rrd"), 0, kT0, {"DS:a:GAUGE:120:0:U", "RRA:AVERAGE:0.5:1:10"}).ok());
}

TEST_F(RrdTest, UpdatesFetchAsRatesAndGauges) {
  const std::string p = makeFile("if.rrd", kT0);
  // 6000 bytes a minute (100 B/s); hosts 5, 7, unknown, 9.
  const char* hosts[] = {"5", "7", "U", "9"};
  for (int i = 1; i <= 4; ++i) {
    ASSERT_TRUE(update(p, std::to_string(kT0 + 60 * i), {std::to_string(6000 * i), hosts[i - 1]})
                    .ok());
  }
  auto last = lastUpdate(p);
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last->when, kT0 + 240);
  EXPECT_EQ(last->values, (std::vector<std::string>{"24000", "9"}));

  auto s = fetch(p, "AVERAGE", kT0, kT0 + 240);
  ASSERT_TRUE(s.ok()) << s.error();
  EXPECT_EQ(s->step, 60u);
  EXPECT_EQ(s->names, (std::vector<std::string>{"bytes", "hosts"}));
  ASSERT_GE(s->rows(), 4u);
  // Row r covers (start + r*step, start + (r+1)*step].
  EXPECT_EQ(s->start, kT0);
  EXPECT_TRUE(std::isnan(s->at(0, 0)));  // the first update has no rate yet
  EXPECT_DOUBLE_EQ(s->at(1, 0), 100.0);
  EXPECT_DOUBLE_EQ(s->at(3, 0), 100.0);
  EXPECT_DOUBLE_EQ(s->at(0, 1), 5.0);
  EXPECT_DOUBLE_EQ(s->at(1, 1), 7.0);
  EXPECT_TRUE(std::isnan(s->at(2, 1)));
  EXPECT_DOUBLE_EQ(s->at(3, 1), 9.0);

  // rrdtool reads the same values from the file.
  const std::string out = run("rrdtool fetch " + p + " AVERAGE -s " + std::to_string(kT0) +
                              " -e " + std::to_string(kT0 + 240));
  EXPECT_NE(out.find(std::to_string(kT0 + 120) + ": 1.0000000000e+02 7.0000000000e+00"),
            std::string::npos)
      << out;
}

TEST_F(RrdTest, UpdateRefusesBadSamples) {
  const std::string p = makeFile("if.rrd", kT0);
  EXPECT_FALSE(update(p, std::to_string(kT0), {"1", "2"}).ok());  // not after the last update
  EXPECT_FALSE(update(p, "soon", {"1", "2"}).ok());
  EXPECT_FALSE(update(p, "N", {"1:2", "3"}).ok());  // no smuggled fields
  EXPECT_FALSE(update(p, "N", {"abc", "3"}).ok());
  EXPECT_FALSE(update(p, "N", {"1"}).ok());  // two data sources
  EXPECT_FALSE(update(p, "N", {}).ok());
  Status st = update(path("missing.rrd"), "N", {"1", "2"});
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.error().find("missing.rrd"), std::string::npos);
  EXPECT_TRUE(update(p, "N", {"1.5e3", "U"}).ok());
}

TEST_F(RrdTest, RangesInRrdtoolsTimeSyntax) {
  auto r = parseRange("1700000000", "1700003600");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->first, 1700000000);
  EXPECT_EQ(r->second, 1700003600);
  r = parseRange("end-1h", "1700003600");
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->first, 1700000000);
  r = parseRange("now-86400", "now");
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->second - r->first, 86400);
  EXPECT_FALSE(parseRange("yesterday-ish", "now").ok());
  EXPECT_FALSE(parseRange("1700003600", "1700000000").ok());  // backwards
}

TEST_F(RrdTest, HugeRangesAreRefusedBeforeLibrrdAllocates) {
  const std::string p = makeFile("if.rrd", kT0);
  auto s = fetch(p, "AVERAGE", 0, kT0);  // 28 million minutes since 1970
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.error().find("shorter"), std::string::npos) << s.error();
  EXPECT_TRUE(fetch(p, "AVERAGE", kT0 - 86400 * 7, kT0).ok());  // a week of minutes is fine
}

TEST_F(RrdTest, DeleteOlderThanStopsWhenCancelled) {
  const std::string a = makeFile("a.rrd", kT0);
  const std::string b = makeFile("b.rrd", kT0);
  auto removed = deleteOlderThan(dir_.string(), 0, kT0 + 86400, [] { return true; });
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, 0u);
  EXPECT_TRUE(fsys::exists(a) && fsys::exists(b));
}

TEST_F(RrdTest, ConcurrentUpdatesAndFetchesOnSeveralFiles) {
  std::vector<std::string> files;
  for (int f = 0; f < 4; ++f) files.push_back(makeFile("c" + std::to_string(f) + ".rrd", kT0));
  std::vector<std::thread> threads;
  for (int f = 0; f < 4; ++f) {
    threads.emplace_back([&files, f] {
      for (int i = 1; i <= 200; ++i) {
        EXPECT_TRUE(update(files[f], std::to_string(kT0 + 60 * i), {std::to_string(i * 60), "1"})
                        .ok());
        EXPECT_TRUE(fetch(files[f], "AVERAGE", kT0, kT0 + 60 * i).ok());
        EXPECT_FALSE(update(files[f], "soon", {"1", "1"}).ok());  // errors stay per thread
      }
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& f : files) EXPECT_EQ(lastUpdate(f)->when, kT0 + 60 * 200);
}

TEST_F(RrdTest, FetchErrors) {
  const std::string p = makeFile("if.rrd", kT0);
  EXPECT_FALSE(fetch(p, "MEDIAN", kT0, kT0 + 60).ok());
  EXPECT_FALSE(fetch(path("missing.rrd"), "AVERAGE", kT0, kT0 + 60).ok());
  {
    std::ofstream(path("junk.rrd")) << "not an rrd";
  }
  EXPECT_FALSE(fetch(path("junk.rrd"), "AVERAGE", kT0, kT0 + 60).ok());
  EXPECT_FALSE(lastUpdate(path("junk.rrd")).ok());
}

TEST_F(RrdTest, TuneChangesTheFile) {
  const std::string p = makeFile("if.rrd", kT0);
  ASSERT_TRUE(tune(p, {"--heartbeat", "bytes:600", "--maximum", "hosts:1000"}).ok());
  const std::string info = run("rrdtool info " + p);
  EXPECT_NE(info.find("ds[bytes].minimal_heartbeat = 600"), std::string::npos) << info;
  EXPECT_NE(info.find("ds[hosts].max = 1.0000000000e+03"), std::string::npos) << info;
  Status st = tune(p, {"--heartbeat", "nosuchds:600"});
  EXPECT_FALSE(st.ok());
  EXPECT_FALSE(tune(p, {}).ok());
}

TEST_F(RrdTest, DeleteOlderThanRemovesOnlyStaleRrds) {
  const time_t now = kT0 + 100 * 86400;
  const std::string stale = makeFile("0/a/stale.rrd", kT0);           // 100 days old
  const std::string fresh = makeFile("0/b/fresh.rrd", now - 86400);   // 1 day old
  const std::string alone = makeFile("1/c/d/alone.rrd", kT0);         // its dirs empty after
  fsys::create_directories(dir_ / "0" / "empty");
  {
    std::ofstream(path("0/a/notes.txt")) << "keep me";  // not an RRD, however old
  }
  fsys::create_symlink(stale, dir_ / "0" / "link.rrd");

  auto removed = deleteOlderThan(dir_.string(), 30 * 86400, now);
  ASSERT_TRUE(removed.ok()) << removed.error();
  EXPECT_EQ(*removed, 2u);
  EXPECT_FALSE(fsys::exists(stale));
  EXPECT_FALSE(fsys::exists(alone));
  EXPECT_TRUE(fsys::exists(fresh));
  EXPECT_TRUE(fsys::exists(path("0/a/notes.txt")));
  EXPECT_TRUE(fsys::is_symlink(dir_ / "0" / "link.rrd"));  // links are not followed
  EXPECT_FALSE(fsys::exists(dir_ / "1"));                  // emptied parents go
  EXPECT_TRUE(fsys::exists(dir_ / "0" / "empty"));         // others are not its business
  EXPECT_TRUE(fsys::exists(dir_ / "0" / "a"));             // notes.txt is still there
  EXPECT_TRUE(fsys::exists(dir_));                         // the root stays

  EXPECT_FALSE(deleteOlderThan(path("nope"), 0, now).ok());
}

}  // namespace
}  // namespace flowlens::util::rrd
