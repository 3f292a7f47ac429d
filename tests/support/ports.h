#pragma once
// A port the kernel just handed out on 127.0.0.1 for `type` (SOCK_STREAM or SOCK_DGRAM): free
// now; another process may take it before the caller binds it, so callers retry.

#include <sys/socket.h>

namespace flowlens::testing {

int freePort(int type = SOCK_STREAM);

}  // namespace flowlens::testing
