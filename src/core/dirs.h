#pragma once
// The directories of spec section 3's ntop.getDirs(), resolved once at start-up.

#include <string>

#include "core/options.h"
#include "core/result.h"

namespace flowlens {

struct Dirs {
  std::string installdir;    // holds scripts/ and httpdocs/
  std::string scriptdir;     // installdir/scripts
  std::string httpdocsdir;   // installdir/httpdocs
  std::string workingdir;    // the data directory (-d)
  std::string bindir;        // where the flowlens executable lives
  std::string callbacksdir;  // scriptdir/callbacks
  std::string pcapdir;       // workingdir/pcap
  std::string dbarchivedir;  // workingdir/db
  std::string etcdir;        // /etc/flowlens
  std::string sharedir;      // installdir/share
};

// Finds the install directory (option, next to the executable, or the source tree this binary
// was built from) and creates the data directory when missing.
Result<Dirs> resolveDirs(const Options& options);

// True when `dir` looks like an install directory (has scripts/lua/modules/lua_utils.lua).
bool isInstallDir(const std::string& dir);

}  // namespace flowlens
