#pragma once
// Privilege drop: early at start-up, before any thread exists, flowlens becomes an unprivileged
// user (-U; default "flowlens" where that user exists, else "nobody"), keeping only the
// capabilities it needs: CAP_NET_RAW and CAP_NET_ADMIN (captures) and CAP_NET_BIND_SERVICE
// (ports below 1024) effective, CAP_DAC_OVERRIDE permitted but not effective, raised only between
// ntop.gainWriteCapabilities() and ntop.dropWriteCapabilities(). Threads started later inherit
// these sets; the two calls affect the calling thread only.

#include <string>
#include <vector>

#include "core/result.h"

namespace flowlens::privileges {

std::string defaultUser();
// chowns `owned_paths` (recursively) to the user first, so that it can write its data.
Status dropTo(const std::string& user, const std::vector<std::string>& owned_paths);
bool dropped();
bool gainWriteCapabilities();
bool dropWriteCapabilities();

}  // namespace flowlens::privileges
