#pragma once
// What scripts may not do inside the daemon: end the process (os.exit), run commands without
// --allow-exec (io.popen, os.execute follow ntop.execCmd's rule), load binary chunks (load,
// loadfile and dofile take text only: crafted bytecode can corrupt the VM), switch off the time
// limit (debug.sethook) or wait on the daemon's stdin (debug.debug). Scripts are installed by
// the administrator: this stops accidents, it is not a jail for hostile code.

#include <lua.hpp>

namespace flowlens::lua {

void applySandbox(lua_State* L);

}  // namespace flowlens::lua
