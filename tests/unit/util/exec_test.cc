#include "util/exec.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>

namespace flowlens::util {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

// True while `pid` is a live (not zombie) process.
bool processRunning(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  const auto close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() && line[close + 2] != 'Z';
}

// Polls `take` until the job ends or `limit` passes.
Result<std::optional<std::string>> waitFor(CommandRunner& runner, int handle, seconds limit) {
  const auto until = Clock::now() + limit;
  for (;;) {
    auto r = runner.take(handle);
    if (!r.ok() || r->has_value() || Clock::now() > until) return r;
    std::this_thread::sleep_for(milliseconds(20));
  }
}

TEST(ExecTest, RunCapturesStdout) {
  auto r = CommandRunner::run("echo hello; printf 'a b\\n'", seconds(10));
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(*r, "hello\na b\n");
}

TEST(ExecTest, RunDoesNotCaptureStderrAndReadsNoStdin) {
  auto r = CommandRunner::run("echo err 1>&2; cat; echo out", seconds(10));
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(*r, "out\n");  // cat sees /dev/null and ends at once
}

TEST(ExecTest, RunKeepsBinaryOutput) {
  auto r = CommandRunner::run("printf 'a\\000b'", seconds(10));
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(*r, std::string("a\0b", 3));
}

TEST(ExecTest, TimeoutKillsTheCommand) {
  const auto start = Clock::now();
  auto r = CommandRunner::run("sleep 10", milliseconds(200));
  const auto took = Clock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("timed out"), std::string::npos) << r.error();
  EXPECT_LT(took, seconds(5));  // far below the 10 s the command wanted
}

TEST(ExecTest, TimeoutKillsTheWholeProcessGroup) {
  char tmpl[] = "/tmp/flowlens-exec-XXXXXX";
  const int fd = mkstemp(tmpl);
  ASSERT_GE(fd, 0);
  close(fd);
  const std::string pidfile = tmpl;
  // Time for the shell to write the pid file, even on a loaded machine.
  auto r = CommandRunner::run("sleep 30 & echo $! > " + pidfile + "; wait", milliseconds(1500));
  EXPECT_FALSE(r.ok());
  std::ifstream in(pidfile);
  pid_t child = 0;
  in >> child;
  std::remove(pidfile.c_str());
  ASSERT_GT(child, 0);
  const auto until = Clock::now() + seconds(5);
  while (processRunning(child) && Clock::now() < until)
    std::this_thread::sleep_for(milliseconds(20));
  EXPECT_FALSE(processRunning(child)) << "background child " << child << " survived";
}

TEST(ExecTest, TimeoutAppliesAfterTheCommandClosesStdout) {
  // A command that closes its output but keeps running must still be stopped at the limit.
  const auto start = Clock::now();
  auto r = CommandRunner::run("exec >/dev/null; sleep 3", milliseconds(200));
  const auto took = Clock::now() - start;
  EXPECT_FALSE(r.ok());
  EXPECT_LT(took, milliseconds(2500));
}

TEST(ExecTest, OutputIsCapped) {
  auto r = CommandRunner::run("head -c 5000000 /dev/zero", seconds(30));
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->size(), CommandRunner::kMaxOutput);
}

TEST(ExecTest, EndlessOutputStopsAtTheLimit) {
  auto r = CommandRunner::run("yes", milliseconds(300));
  EXPECT_FALSE(r.ok());
}

TEST(ExecTest, AsyncStartThenTake) {
  CommandRunner runner;
  auto handle = runner.start("sleep 0.5; echo done", seconds(10));
  ASSERT_TRUE(handle.ok()) << handle.error();
  auto early = runner.take(*handle);
  ASSERT_TRUE(early.ok()) << early.error();
  EXPECT_FALSE(early->has_value());  // still running
  auto done = waitFor(runner, *handle, seconds(10));
  ASSERT_TRUE(done.ok()) << done.error();
  ASSERT_TRUE(done->has_value());
  EXPECT_EQ(**done, "done\n");
  // Taken once: the handle is forgotten.
  auto again = runner.take(*handle);
  EXPECT_FALSE(again.ok());
}

TEST(ExecTest, AsyncHandlesAreDistinct) {
  CommandRunner runner;
  auto a = runner.start("echo a", seconds(10));
  auto b = runner.start("echo b", seconds(10));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  auto ra = waitFor(runner, *a, seconds(10));
  auto rb = waitFor(runner, *b, seconds(10));
  ASSERT_TRUE(ra.ok() && ra->has_value());
  ASSERT_TRUE(rb.ok() && rb->has_value());
  EXPECT_EQ(**ra, "a\n");
  EXPECT_EQ(**rb, "b\n");
}

TEST(ExecTest, AsyncTimeoutIsReportedByTake) {
  CommandRunner runner;
  auto handle = runner.start("sleep 10", milliseconds(200));
  ASSERT_TRUE(handle.ok());
  auto r = waitFor(runner, *handle, seconds(5));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("timed out"), std::string::npos) << r.error();
}

TEST(ExecTest, UnknownHandleIsAnError) {
  CommandRunner runner;
  auto r = runner.take(12345);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("unknown"), std::string::npos) << r.error();
  EXPECT_FALSE(runner.take(0).ok());
  EXPECT_FALSE(runner.take(-1).ok());
}

TEST(ExecTest, TooManyJobs) {
  CommandRunner runner;
  for (int i = 0; i < CommandRunner::kMaxJobs; ++i) {
    // Long enough that none ends while the 16 start on a loaded machine; killed after 2 s.
    ASSERT_TRUE(runner.start("sleep 30", seconds(2)).ok()) << i;
  }
  auto extra = runner.start("echo no", seconds(10));
  ASSERT_FALSE(extra.ok());
  EXPECT_NE(extra.error().find("too many"), std::string::npos) << extra.error();
}

}  // namespace
}  // namespace flowlens::util
