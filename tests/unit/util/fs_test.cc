#include "util/fs.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace flowlens::util::fs {
namespace {

class FsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/flowlens-fs-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  std::string path(const std::string& rel) const { return root_ + "/" + rel; }
  void write(const std::string& rel, const std::string& data) {
    std::ofstream(path(rel), std::ios::binary) << data;
  }

  std::string root_;
};

TEST_F(FsTest, ExistsIsDirAndNotEmptyFile) {
  write("full", "x");
  write("empty", "");
  EXPECT_TRUE(exists(root_));
  EXPECT_TRUE(isDir(root_));
  EXPECT_TRUE(exists(path("full")));
  EXPECT_FALSE(isDir(path("full")));
  EXPECT_TRUE(notEmptyFile(path("full")));
  EXPECT_FALSE(notEmptyFile(path("empty")));
  EXPECT_FALSE(notEmptyFile(root_));  // a directory is not a file
  EXPECT_FALSE(exists(path("missing")));
  EXPECT_FALSE(isDir(path("missing")));
  EXPECT_FALSE(notEmptyFile(path("missing")));
}

TEST_F(FsTest, MkdirsCreatesNestedDirectories) {
  const std::string deep = path("a/b/c/d");
  ASSERT_TRUE(mkdirs(deep).ok());
  EXPECT_TRUE(isDir(deep));
  EXPECT_TRUE(mkdirs(deep).ok());  // already there: fine, like mkdir -p
}

TEST_F(FsTest, MkdirsFailsOverAFile) {
  write("file", "x");
  Status st = mkdirs(path("file"));
  EXPECT_FALSE(st.ok());
  EXPECT_FALSE(mkdirs(path("file/sub")).ok());
  EXPECT_NE(st.error().find("file"), std::string::npos) << st.error();
}

TEST_F(FsTest, ReadDirIsSortedWithoutDotEntries) {
  write("zeta", "");
  write("alpha", "");
  write("Beta", "");
  ASSERT_TRUE(mkdirs(path("mid")).ok());
  auto names = readDir(root_);
  ASSERT_TRUE(names.ok()) << names.error();
  EXPECT_EQ(*names, (std::vector<std::string>{"Beta", "alpha", "mid", "zeta"}));
}

TEST_F(FsTest, ReadDirOfEmptyMissingAndFile) {
  auto empty = readDir(root_);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  EXPECT_FALSE(readDir(path("missing")).ok());
  write("file", "x");
  EXPECT_FALSE(readDir(path("file")).ok());
}

TEST_F(FsTest, RemoveTreeRemovesDirectoryRecursively) {
  ASSERT_TRUE(mkdirs(path("t/a/b")).ok());
  write("t/a/b/f", "data");
  write("t/g", "data");
  ASSERT_TRUE(removeTree(path("t")).ok());
  EXPECT_FALSE(exists(path("t")));
  EXPECT_TRUE(isDir(root_));
}

TEST_F(FsTest, RemoveTreeRefusesAFile) {
  write("file", "keep me");
  Status st = removeTree(path("file"));
  EXPECT_FALSE(st.ok());
  EXPECT_TRUE(exists(path("file")));
  EXPECT_FALSE(removeTree(path("missing")).ok());
}

TEST_F(FsTest, RemoveTreeDoesNotFollowASymlink) {
  ASSERT_TRUE(mkdirs(path("target")).ok());
  write("target/precious", "x");
  ASSERT_EQ(symlink(path("target").c_str(), path("link").c_str()), 0);
  EXPECT_FALSE(removeTree(path("link")).ok());
  EXPECT_TRUE(exists(path("target/precious")));
}

TEST_F(FsTest, RemoveFile) {
  write("file", "x");
  ASSERT_TRUE(removeFile(path("file")).ok());
  EXPECT_FALSE(exists(path("file")));
  EXPECT_FALSE(removeFile(path("file")).ok());  // already gone
}

TEST_F(FsTest, RemoveFileRefusesADirectory) {
  ASSERT_TRUE(mkdirs(path("dir")).ok());
  Status st = removeFile(path("dir"));
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.error().find("directory"), std::string::npos) << st.error();
  EXPECT_TRUE(isDir(path("dir")));
}

TEST_F(FsTest, ReadFileWithinCap) {
  const std::string data("bin\0ary\xff", 8);
  write("f", data);
  auto r = readFile(path("f"), 8);
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(*r, data);
  write("empty", "");
  auto e = readFile(path("empty"), 0);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(*e, "");
}

TEST_F(FsTest, ReadFileRefusesOverCapDirectoriesAndMissing) {
  write("f", "123456789");
  auto over = readFile(path("f"), 8);
  EXPECT_FALSE(over.ok());
  EXPECT_FALSE(readFile(root_, 1 << 20).ok());
  EXPECT_FALSE(readFile(path("missing"), 1 << 20).ok());
}

TEST_F(FsTest, AllFilesRecursiveRelativePaths) {
  ASSERT_TRUE(mkdirs(path("tree/sub/deeper")).ok());
  ASSERT_TRUE(mkdirs(path("tree/emptydir")).ok());
  write("tree/top.txt", "");
  write("tree/sub/mid.lua", "");
  write("tree/sub/deeper/leaf", "");
  auto files = allFiles(path("tree"));
  ASSERT_TRUE(files.ok()) << files.error();
  EXPECT_EQ(*files, (std::vector<std::string>{"sub/deeper/leaf", "sub/mid.lua", "top.txt"}));
  EXPECT_FALSE(allFiles(path("missing")).ok());
}

TEST_F(FsTest, LastChange) {
  EXPECT_EQ(lastChange(path("missing")), -1);
  write("f", "x");
  const int64_t now = std::time(nullptr);
  const int64_t t = lastChange(path("f"));
  EXPECT_GE(t, now - 5);
  EXPECT_LE(t, now + 5);
  struct timespec times[2] = {{1000000000, 0}, {1000000000, 0}};
  ASSERT_EQ(utimensat(AT_FDCWD, path("f").c_str(), times, 0), 0);
  EXPECT_EQ(lastChange(path("f")), 1000000000);
}

TEST_F(FsTest, SetDefaultPermissions) {
  ASSERT_TRUE(mkdirs(path("d")).ok());
  write("f", "x");
  ASSERT_EQ(chmod(path("d").c_str(), 0700), 0);
  ASSERT_EQ(chmod(path("f").c_str(), 0600), 0);
  ASSERT_TRUE(setDefaultPermissions(path("d")).ok());
  ASSERT_TRUE(setDefaultPermissions(path("f")).ok());
  struct stat st;
  ASSERT_EQ(stat(path("d").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0755u);
  ASSERT_EQ(stat(path("f").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0644u);
  EXPECT_FALSE(setDefaultPermissions(path("missing")).ok());
}

}  // namespace
}  // namespace flowlens::util::fs
