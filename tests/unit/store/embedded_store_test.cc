// EmbeddedStore's own promises, beyond the shared conformance suite: persistence in the SQLite
// file across a reopen, flushToDisk and the background flush, expired keys not loaded, one
// process per file, and a damaged file reported as an Error.

#include "store/embedded_store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "store_test_util.h"

namespace flowlens::store {
namespace {

using namespace std::string_literals;  // NOLINT(build/namespaces)
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// The rows of the store's SQLite file as another reader sees them: key -> value blob.
std::map<std::string, std::string> rowsOnDisk(const std::string& path) {
  std::map<std::string, std::string> out;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "cannot open " << path << ": " << sqlite3_errmsg(db);
    sqlite3_close(db);
    return out;
  }
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT key, value FROM kv", -1, &st, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "cannot read " << path << ": " << sqlite3_errmsg(db);
  } else {
    while (sqlite3_step(st) == SQLITE_ROW) {
      auto blob = [&](int col) {
        const auto* p = static_cast<const char*>(sqlite3_column_blob(st, col));
        return std::string(p ? p : "", static_cast<size_t>(sqlite3_column_bytes(st, col)));
      };
      out[blob(0)] = blob(1);
    }
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

// Runs one SQL statement on the file (to prepare damaged content).
void execSql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
  sqlite3_free(err);
  sqlite3_close(db);
}

class EmbeddedStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<EmbeddedStore> open(milliseconds flush = milliseconds(1000)) {
    auto s = EmbeddedStore::open({path_, flush});
    EXPECT_TRUE(s.ok()) << s.error();
    return s.ok() ? std::move(s.value()) : nullptr;
  }
  // Fills `kv` with one key of each type, with awkward content.
  static void fill(KvStore& kv) {
    EXPECT_STATUS_OK(kv.set("s", "v\0al"s, 0));
    EXPECT_STATUS_OK(kv.set("", "", 0));
    EXPECT_STATUS_OK(kv.set("clé", std::string(200'000, 'x'), 3600));
    EXPECT_STATUS_OK(kv.hset("h", "f\0"s, "1"));
    EXPECT_STATUS_OK(kv.hset("h", "g", ""));
    EXPECT_STATUS_OK(kv.rpush("l", "a"));
    EXPECT_STATUS_OK(kv.rpush("l", ""));
    EXPECT_STATUS_OK(kv.rpush("l", "a"));
    EXPECT_STATUS_OK(kv.sadd("z", "m\0"s));
    EXPECT_STATUS_OK(kv.sadd("z", "n"));
  }

  testutil::TempDir dir_;
  std::string path_ = dir_.file("store.sqlite");
};

TEST_F(EmbeddedStoreTest, ContentSurvivesAReopen) {
  std::string before;
  {
    auto s = open();
    ASSERT_NE(s, nullptr);
    fill(*s);
    before = testutil::snapshot(*s);
  }  // the destructor writes what is pending
  auto s = open();
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(testutil::snapshot(*s), before);
  EXPECT_EQ(s->info().keys, 6u);
  EXPECT_EQ(s->info().location, path_);
}

TEST_F(EmbeddedStoreTest, ChangesAfterTheFirstFlushArePersistedToo) {
  {
    auto s = open();
    ASSERT_NE(s, nullptr);
    fill(*s);
    ASSERT_TRUE(s->flushToDisk().ok());
    EXPECT_STATUS_OK(s->del("s"));
    EXPECT_STATUS_OK(s->rename("h", "h2"));
    EXPECT_EQ(KV_OK(s->lpop("l")), "a");
    EXPECT_STATUS_OK(s->srem("z", "n"));
    EXPECT_STATUS_OK(s->hdel("h2", "g"));
    EXPECT_EQ(KV_OK(s->incrBy("n", 3)), 3);
  }
  auto s = open();
  ASSERT_NE(s, nullptr);
  EXPECT_FALSE(KV_OK(s->exists("s")));
  EXPECT_FALSE(KV_OK(s->exists("h")));
  EXPECT_EQ(KV_OK(s->hgetall("h2")), (StringMap{{"f\0"s, "1"}}));
  EXPECT_EQ(KV_OK(s->lrange("l", 0, -1)), (StringList{"", "a"}));
  EXPECT_EQ(KV_OK(s->smembers("z")), StringList{"m\0"s});
  EXPECT_EQ(KV_OK(s->get("n")), "3");
}

TEST_F(EmbeddedStoreTest, FlushAllIsPersisted) {
  {
    auto s = open();
    ASSERT_NE(s, nullptr);
    fill(*s);
    ASSERT_TRUE(s->flushToDisk().ok());
    EXPECT_STATUS_OK(s->flushAll());
    EXPECT_STATUS_OK(s->set("after", "1", 0));
  }
  EXPECT_EQ(rowsOnDisk(path_), (std::map<std::string, std::string>{{"after", "1"}}));
  auto s = open();
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(KV_OK(s->keys("*")), StringList{"after"});
}

TEST_F(EmbeddedStoreTest, FlushToDiskWritesPendingChangesNow) {
  auto s = open(std::chrono::hours(1));  // no background flush during the test
  ASSERT_NE(s, nullptr);
  EXPECT_STATUS_OK(s->set("k", "v", 0));
  EXPECT_TRUE(rowsOnDisk(path_).empty());  // pending, in memory only
  ASSERT_TRUE(s->flushToDisk().ok());
  EXPECT_EQ(rowsOnDisk(path_), (std::map<std::string, std::string>{{"k", "v"}}));
  EXPECT_STATUS_OK(s->del("k"));
  ASSERT_TRUE(s->sync().ok());  // sync() is flushToDisk() for this backend
  EXPECT_TRUE(rowsOnDisk(path_).empty());
  EXPECT_TRUE(s->flushToDisk().ok());  // nothing pending: still fine
}

TEST_F(EmbeddedStoreTest, TheBackgroundFlushWritesWithinItsInterval) {
  auto s = open(milliseconds(100));
  ASSERT_NE(s, nullptr);
  EXPECT_STATUS_OK(s->set("k", "v", 0));
  const auto until = Clock::now() + milliseconds(3000);
  while (rowsOnDisk(path_).empty() && Clock::now() < until) {
    std::this_thread::sleep_for(milliseconds(20));
  }
  EXPECT_EQ(rowsOnDisk(path_), (std::map<std::string, std::string>{{"k", "v"}}));
}

TEST_F(EmbeddedStoreTest, ExpiredKeysAreNotLoadedAndLeaveTheFile) {
  {
    auto s = open(std::chrono::hours(1));
    ASSERT_NE(s, nullptr);
    EXPECT_STATUS_OK(s->set("short", "v", 1));
    EXPECT_STATUS_OK(s->set("long", "v", 3600));
    EXPECT_STATUS_OK(s->set("forever", "v", 0));
    ASSERT_TRUE(s->flushToDisk().ok());
  }
  EXPECT_EQ(rowsOnDisk(path_).size(), 3u);
  std::this_thread::sleep_for(milliseconds(1200));
  auto s = open(std::chrono::hours(1));
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(testutil::sorted(KV_OK(s->keys("*"))), (StringList{"forever", "long"}));
  EXPECT_EQ(s->info().keys, 2u);
  EXPECT_EQ(KV_OK(s->get("short")), std::nullopt);
  ASSERT_TRUE(s->flushToDisk().ok());  // the expired row is deleted at the next flush
  EXPECT_EQ(rowsOnDisk(path_).count("short"), 0u);
  EXPECT_EQ(rowsOnDisk(path_).size(), 2u);
}

TEST_F(EmbeddedStoreTest, ASecondOpenOfTheSameFileFailsWhileTheFirstIsOpen) {
  auto first = open();
  ASSERT_NE(first, nullptr);
  EXPECT_STATUS_OK(first->set("k", "v", 0));
  auto second = EmbeddedStore::open({path_});
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().find("in use"), std::string::npos) << second.error();
  EXPECT_EQ(KV_OK(first->get("k")), "v");  // the first one is unaffected
  first.reset();
  auto third = EmbeddedStore::open({path_});
  ASSERT_TRUE(third.ok()) << third.error();
  EXPECT_EQ(KV_OK((*third)->get("k")), "v");
}

TEST_F(EmbeddedStoreTest, AFileOfRandomBytesIsAnErrorNotACrash) {
  std::mt19937 rng(42);
  for (const std::string& header : {std::string(), std::string("SQLite format 3\0", 16)}) {
    std::string junk = header;
    while (junk.size() < 64 * 1024) junk += static_cast<char>(rng());
    {
      std::ofstream out(path_, std::ios::binary | std::ios::trunc);
      out.write(junk.data(), static_cast<std::streamsize>(junk.size()));
    }
    auto s = EmbeddedStore::open({path_});
    ASSERT_FALSE(s.ok()) << "header " << testutil::quote(header);
    EXPECT_FALSE(s.error().empty());
    EXPECT_NE(s.error().find(path_), std::string::npos) << s.error();
  }
  // The failed opens released the file: a fresh store can take its place.
  std::filesystem::remove(path_);
  auto s = EmbeddedStore::open({path_});
  EXPECT_TRUE(s.ok()) << s.error();
}

TEST_F(EmbeddedStoreTest, AForeignSchemaIsAnError) {
  execSql(path_, "CREATE TABLE kv(x INTEGER); INSERT INTO kv VALUES(1);");
  auto s = EmbeddedStore::open({path_});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().find("cannot read store"), std::string::npos) << s.error();
}

TEST_F(EmbeddedStoreTest, UndecodableRowsAreSkippedAndTheRestLoads) {
  {
    auto s = open();
    ASSERT_NE(s, nullptr);
    EXPECT_STATUS_OK(s->set("good", "v", 0));
    EXPECT_STATUS_OK(s->rpush("list", "a"));
  }
  // A list payload cut in the middle of an item, and an unknown type.
  execSql(path_,
          "UPDATE kv SET value = X'05000000616263' WHERE key = CAST('list' AS BLOB);"
          "INSERT INTO kv(key, type, value, expire_ms) VALUES (CAST('odd' AS BLOB), 9, X'00', 0);");
  auto s = open();
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(KV_OK(s->keys("*")), StringList{"good"});
  EXPECT_EQ(KV_OK(s->get("good")), "v");
}

// A process killed without a chance to flush loses at most its unflushed writes; the file
// still opens and the lock dies with the process.
TEST_F(EmbeddedStoreTest, AnUncleanExitKeepsEverythingFlushed) {
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto s = EmbeddedStore::open({path_, std::chrono::hours(1)});
    if (!s) _exit(2);
    if (!(*s)->set("flushed", "1", 0).ok() || !(*s)->flushToDisk().ok()) _exit(3);
    if (!(*s)->set("pending", "1", 0).ok()) _exit(4);
    kill(getpid(), SIGKILL);  // no destructor, no final flush
    _exit(5);
  }
  int status = 0;
  const auto until = Clock::now() + milliseconds(10000);
  pid_t r = 0;
  while ((r = waitpid(child, &status, WNOHANG)) == 0 && Clock::now() < until) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  if (r == 0) {
    kill(child, SIGKILL);
    waitpid(child, &status, 0);
    FAIL() << "the child did not finish within 10 s";
  }
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "child status " << status;
  auto s = open();
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(KV_OK(s->get("flushed")), "1");
  EXPECT_EQ(KV_OK(s->get("pending")), std::nullopt);
}

TEST_F(EmbeddedStoreTest, ConcurrentWritersWhileFlushingLoseNothing) {
  {
    auto s = open(milliseconds(5));  // flushes constantly while the writers run
    ASSERT_NE(s, nullptr);
    std::vector<std::thread> writers;
    for (int t = 0; t < 4; ++t) {
      writers.emplace_back([&s, t] {
        for (int i = 0; i < 500; ++i) {
          const std::string n = std::to_string(t) + "." + std::to_string(i);
          (void)s->set("s" + n, n, 0);
          (void)s->hset("h" + std::to_string(t), std::to_string(i), n);
          (void)s->rpush("l" + std::to_string(t), n);
          (void)s->incrBy("counter", 1);
        }
      });
    }
    for (auto& w : writers) w.join();
    EXPECT_EQ(KV_OK(s->get("counter")), "2000");
  }
  auto s = open();
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(KV_OK(s->get("counter")), "2000");
  EXPECT_EQ(KV_OK(s->keys("s*")).size(), 2000u);
  for (int t = 0; t < 4; ++t) {
    EXPECT_EQ(KV_OK(s->hkeys("h" + std::to_string(t))).size(), 500u);
    const auto list = KV_OK(s->lrange("l" + std::to_string(t), 0, -1));
    ASSERT_EQ(list.size(), 500u);
    EXPECT_EQ(list.back(), std::to_string(t) + ".499");
  }
}

TEST_F(EmbeddedStoreTest, EncodeDecodeRoundTripAndRejectTruncation) {
  EmbeddedStore::Entry e;
  e.type = EmbeddedStore::Type::kHash;
  e.hash["a"] = "1";
  e.hash["b\0"s] = std::string(1000, 'z');
  const std::string blob = EmbeddedStore::encode(e);
  auto back = EmbeddedStore::decode(EmbeddedStore::Type::kHash, blob);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->hash.size(), 2u);
  EXPECT_EQ(back->hash.at("b\0"s), std::string(1000, 'z'));
  for (size_t cut : {size_t{1}, size_t{4}, blob.size() / 2, blob.size() - 1}) {
    EXPECT_FALSE(EmbeddedStore::decode(EmbeddedStore::Type::kHash, blob.substr(0, cut)))
        << "cut at " << cut;
  }
  EmbeddedStore::Entry l;
  l.type = EmbeddedStore::Type::kList;
  l.list = {"x", "", "y"};
  auto lb = EmbeddedStore::decode(EmbeddedStore::Type::kList, EmbeddedStore::encode(l));
  ASSERT_TRUE(lb.has_value());
  EXPECT_EQ(lb->list, l.list);
}

}  // namespace
}  // namespace flowlens::store
