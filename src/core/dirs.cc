#include "core/dirs.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "core/build_info.h"

namespace flowlens {
namespace fs = std::filesystem;

bool isInstallDir(const std::string& dir) {
  std::error_code ec;
  return fs::is_regular_file(fs::path(dir) / "scripts/lua/modules/lua_utils.lua", ec);
}

namespace {

std::string executableDir() {
  std::error_code ec;
  auto exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(".") : exe.parent_path().string();
}

std::string canonical(const std::string& p) {
  std::error_code ec;
  auto c = fs::weakly_canonical(p, ec);
  return ec ? p : c.string();
}

std::string defaultDataDir() {
  if (geteuid() == 0) return "/var/lib/flowlens";
  const char* state = std::getenv("XDG_STATE_HOME");
  if (state && *state) return std::string(state) + "/flowlens";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : "/tmp") + "/.local/state/flowlens";
}

}  // namespace

Result<Dirs> resolveDirs(const Options& options) {
  Dirs d;
  d.bindir = executableDir();
  if (!options.install_dir.empty()) {
    if (!isInstallDir(options.install_dir)) {
      return Error{"--install-dir '" + options.install_dir +
                   "' has no scripts/lua/modules/lua_utils.lua"};
    }
    d.installdir = canonical(options.install_dir);
  } else {
    for (const std::string& candidate :
         {d.bindir + "/..", d.bindir + "/../share/flowlens", std::string(build::kSourceDir)}) {
      if (isInstallDir(candidate)) {
        d.installdir = canonical(candidate);
        break;
      }
    }
    if (d.installdir.empty()) return Error{"cannot find the scripts directory; use --install-dir"};
  }
  d.scriptdir = d.installdir + "/scripts";
  d.httpdocsdir = d.installdir + "/httpdocs";
  d.callbacksdir = d.scriptdir + "/callbacks";
  d.sharedir = d.installdir + "/share";
  d.etcdir = "/etc/flowlens";

  d.workingdir = options.data_dir.empty() ? defaultDataDir() : options.data_dir;
  std::error_code ec;
  fs::create_directories(d.workingdir, ec);
  if (ec || !fs::is_directory(d.workingdir)) {
    return Error{"cannot create data directory '" + d.workingdir + "': " + ec.message()};
  }
  if (access(d.workingdir.c_str(), W_OK) != 0) {
    return Error{"data directory '" + d.workingdir + "' is not writable"};
  }
  d.workingdir = canonical(d.workingdir);
  d.pcapdir = d.workingdir + "/pcap";
  d.dbarchivedir = d.workingdir + "/db";
  return d;
}

}  // namespace flowlens
