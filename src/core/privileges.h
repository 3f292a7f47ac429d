#pragma once
// Privilege drop: after the ports are bound and captures opened, flowlens runs as an unprivileged
// user (-U; default "flowlens" where that user exists, else "nobody"), keeping only the
// capabilities it needs: CAP_NET_RAW and CAP_NET_ADMIN effective (captures), CAP_DAC_OVERRIDE
// permitted but not effective, raised only between ntop.gainWriteCapabilities() and
// ntop.dropWriteCapabilities(). Capabilities are per thread: those two calls affect the calling
// thread only.

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
