// Spec section 4: File System. Thin wrappers over util::fs.

#include <filesystem>

#include "core/log.h"
#include "lua/args.h"
#include "lua/registry.h"
#include "lua/state.h"
#include "util/fs.h"

namespace flowlens::lua::ntop {
namespace {

constexpr uint64_t kMaxDumpBytes = 256ull << 20;

// Refuses to delete the install or data directory, or any directory that contains one of them.
bool protectedPath(lua_State* L, const std::string& path) {
  std::error_code ec;
  const auto c = std::filesystem::weakly_canonical(path, ec).string();
  if (ec || c.empty() || c == "/") return true;
  const Dirs& d = *LuaState::from(L)->services().dirs;
  for (const std::string& keep : {d.installdir, d.workingdir}) {
    if (keep == c || keep.rfind(c + "/", 0) == 0) return true;
  }
  return false;
}

int isdir(lua_State* L) {
  lua_pushboolean(L, util::fs::isDir(std::string(Args(L, "ntop.isdir").string(1, "path"))));
  return 1;
}

int mkdir(lua_State* L) {
  const std::string path(Args(L, "ntop.mkdir").string(1, "path"));
  if (Status st = util::fs::mkdirs(path); !st) log::warning("ntop.mkdir: {}", st.error());
  return 0;
}

int notEmptyFile(lua_State* L) {
  const std::string path(Args(L, "ntop.notEmptyFile").string(1, "path"));
  lua_pushboolean(L, util::fs::notEmptyFile(path));
  return 1;
}

int exists(lua_State* L) {
  lua_pushboolean(L, util::fs::exists(std::string(Args(L, "ntop.exists").string(1, "path"))));
  return 1;
}

int fileLastChange(lua_State* L) {
  const std::string path(Args(L, "ntop.fileLastChange").string(1, "path"));
  lua_pushinteger(L, util::fs::lastChange(path));
  return 1;
}

int readdir(lua_State* L) {
  const std::string path(Args(L, "ntop.readdir").string(1, "path"));
  auto names = util::fs::readDir(path);
  if (!names) return failWithNil(L, "ntop.readdir", names.error());
  lua_createtable(L, 0, static_cast<int>(names->size()));
  for (const auto& n : *names) setField(L, n.c_str(), n);  // ntopng: name -> name
  return 1;
}

int rmdir(lua_State* L) {
  const std::string path(Args(L, "ntop.rmdir").string(1, "path"));
  Status st = protectedPath(L, path) ? Status(Error{"refusing to remove '" + path + "'"})
                                     : util::fs::removeTree(path);
  if (!st) log::warning("ntop.rmdir: {}", st.error());
  lua_pushboolean(L, st.ok());
  return 1;
}

int unlink(lua_State* L) {
  const std::string path(Args(L, "ntop.unlink").string(1, "path"));
  Status st = util::fs::removeFile(path);
  if (!st) log::info("ntop.unlink: {}", st.error());
  lua_pushboolean(L, st.ok());
  return 1;
}

int dump(lua_State* L, const char* fn) {
  const std::string path(Args(L, fn).string(1, "path"));
  auto data = util::fs::readFile(path, kMaxDumpBytes);
  if (!data) {
    log::warning("{}: {}", fn, data.error());
    return 0;
  }
  if (auto* r = LuaState::from(L)->context().response) {
    r->body += *data;
  } else {
    log::normal("{}", *data);
  }
  return 0;
}

int dumpFile(lua_State* L) { return dump(L, "ntop.dumpFile"); }
int dumpBinaryFile(lua_State* L) { return dump(L, "ntop.dumpBinaryFile"); }

int listReports(lua_State* L) {
  // Report files live in <data dir>/reports: name -> {size, epoch}.
  const std::string dir = LuaState::from(L)->services().dirs->workingdir + "/reports";
  lua_newtable(L);
  auto names = util::fs::readDir(dir);
  if (!names) return 1;
  for (const auto& n : *names) {
    const std::string full = dir + "/" + n;
    if (!util::fs::exists(full) || util::fs::isDir(full)) continue;
    std::error_code ec;
    lua_createtable(L, 0, 3);
    setField(L, "name", n);
    setField(L, "size", static_cast<uint64_t>(std::filesystem::file_size(full, ec)));
    setField(L, "epoch", util::fs::lastChange(full));
    lua_setfield(L, -2, n.c_str());
  }
  return 1;
}

int setDefaultFilePermissions(lua_State* L) {
  const std::string path(Args(L, "ntop.setDefaultFilePermissions").string(1, "path"));
  if (Status st = util::fs::setDefaultPermissions(path); !st) {
    log::warning("ntop.setDefaultFilePermissions: {}", st.error());
  }
  return 0;
}

}  // namespace

const luaL_Reg kFileSystem[] = {
    {"isdir", isdir},
    {"mkdir", mkdir},
    {"notEmptyFile", notEmptyFile},
    {"exists", exists},
    {"fileLastChange", fileLastChange},
    {"readdir", readdir},
    {"rmdir", rmdir},
    {"unlink", unlink},
    {"dumpFile", dumpFile},
    {"dumpBinaryFile", dumpBinaryFile},
    {"listReports", listReports},
    {"setDefaultFilePermissions", setDefaultFilePermissions},
    {nullptr, nullptr},
};

}  // namespace flowlens::lua::ntop
