#pragma once
// File-system service behind spec section 4. Paths are used as given; callers decide policy.
// Stateless and thread-safe.

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace flowlens::util::fs {

bool isDir(const std::string& path);
bool exists(const std::string& path);
bool notEmptyFile(const std::string& path);
int64_t lastChange(const std::string& path);  // mtime epoch, -1 when missing
Status mkdirs(const std::string& path);       // like mkdir -p
Result<std::vector<std::string>> readDir(const std::string& path);  // names, no "." / ".."
Status removeTree(const std::string& path);   // like rm -rf on a directory
Status removeFile(const std::string& path);
Result<std::string> readFile(const std::string& path, uint64_t max_bytes);
// Every regular file below `root`, recursively, as paths relative to `root`.
Result<std::vector<std::string>> allFiles(const std::string& root);
// Directories 0755, files 0644 (ntopng's defaults for what it writes).
Status setDefaultPermissions(const std::string& path);

}  // namespace flowlens::util::fs
