#pragma once
// Process control: daemon mode, pid file, and signals turned into flags the main loop polls.
// Signal handlers only set atomics; the main thread acts on them.

#include <string>

#include "core/result.h"

namespace flowlens::process {

// Installs SIGTERM/SIGINT (stop), SIGHUP (reload) handlers and ignores SIGPIPE.
void installSignalHandlers();
bool stopRequested();
void requestStop();
// Returns true once per SIGHUP received.
bool takeReloadRequest();

// Forks into the background, detaches from the terminal, keeps the working directory.
Status daemonize();

// Writes the pid; the file is removed by removePidFile().
Status writePidFile(const std::string& path);
void removePidFile(const std::string& path);

}  // namespace flowlens::process
