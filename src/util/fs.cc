#include "util/fs.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <system_error>

namespace flowlens::util::fs {
namespace stdfs = std::filesystem;

bool isDir(const std::string& path) {
  std::error_code ec;
  return stdfs::is_directory(path, ec);
}

bool exists(const std::string& path) {
  std::error_code ec;
  return stdfs::exists(path, ec);
}

bool notEmptyFile(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
}

int64_t lastChange(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_mtime) : -1;
}

Status mkdirs(const std::string& path) {
  std::error_code ec;
  stdfs::create_directories(path, ec);
  if (ec || !stdfs::is_directory(path)) {
    return Error{"cannot create '" + path + "': " + (ec ? ec.message() : "not a directory")};
  }
  return Status::Ok();
}

Result<std::vector<std::string>> readDir(const std::string& path) {
  std::error_code ec;
  std::vector<std::string> names;
  for (auto it = stdfs::directory_iterator(path, ec); !ec && it != stdfs::directory_iterator();
       it.increment(ec)) {
    names.push_back(it->path().filename().string());
  }
  if (ec) return Error{"cannot read directory '" + path + "': " + ec.message()};
  std::sort(names.begin(), names.end());
  return names;
}

Status removeTree(const std::string& path) {
  std::error_code ec;
  if (!stdfs::is_directory(stdfs::symlink_status(path, ec))) {
    return Error{"'" + path + "' is not a directory"};
  }
  stdfs::remove_all(path, ec);
  if (ec) return Error{"cannot remove '" + path + "': " + ec.message()};
  return Status::Ok();
}

Status removeFile(const std::string& path) {
  std::error_code ec;
  if (stdfs::is_directory(stdfs::symlink_status(path, ec))) {
    return Error{"'" + path + "' is a directory"};
  }
  if (!stdfs::remove(path, ec) || ec) {
    return Error{"cannot remove '" + path + "': " + (ec ? ec.message() : "no such file")};
  }
  return Status::Ok();
}

Result<std::string> readFile(const std::string& path, uint64_t max_bytes) {
  std::error_code ec;
  if (!stdfs::is_regular_file(path, ec)) return Error{"'" + path + "' is not a regular file"};
  const auto size = stdfs::file_size(path, ec);
  if (ec) return Error{"cannot stat '" + path + "': " + ec.message()};
  if (size > max_bytes) return Error{"'" + path + "' is larger than " + std::to_string(max_bytes)};
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{"cannot open '" + path + "'"};
  std::string data(size, '\0');
  in.read(data.data(), static_cast<std::streamsize>(size));
  data.resize(static_cast<size_t>(in.gcount()));
  return data;
}

Result<std::vector<std::string>> allFiles(const std::string& root) {
  std::error_code ec;
  std::vector<std::string> out;
  auto it = stdfs::recursive_directory_iterator(
      root, stdfs::directory_options::skip_permission_denied, ec);
  if (ec) return Error{"cannot read directory '" + root + "': " + ec.message()};
  for (; it != stdfs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    if (it->is_regular_file(ec)) out.push_back(stdfs::relative(it->path(), root, ec).string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

Status setDefaultPermissions(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return Error{"'" + path + "' does not exist"};
  const mode_t mode = S_ISDIR(st.st_mode) ? 0755 : 0644;
  if (::chmod(path.c_str(), mode) != 0) return Error{"cannot chmod '" + path + "'"};
  return Status::Ok();
}

}  // namespace flowlens::util::fs
