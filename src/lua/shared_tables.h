#pragma once
// Guards the tables every run of a state shares: the standard libraries, ntop, interface,
// flowlens, and every module table require() returns. Each is replaced by an empty proxy whose
// reads fall through to the real table (__index is a table: the VM's fast path) and whose writes
// go through a metamethod that writes the real table and marks the state dirty. Writes made
// while a module loads (inside require) are the module's own set-up and do not count, nor do
// package.path / package.cpath, which every script prepends to and the state restores.
// A dirty state is replaced after its run, so a script's monkey-patching never reaches the next
// request (ntopng gets this from a VM per request) at the cost of one flag test per run.

#include <lua.hpp>

namespace flowlens::lua {

// Installs the proxies and the require() wrapper; call once the preloaded modules are in.
void protectSharedTables(lua_State* L);

}  // namespace flowlens::lua
