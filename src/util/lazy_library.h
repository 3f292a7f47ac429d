#pragma once
// A shared library loaded on first use (dlopen), for the optional services whose libraries cost
// resident memory for every process even when no script uses them: librrd (with its graphing
// stack), libcurl, libzmq. Each user declares a struct of function pointers and fills it with
// resolve(); the struct is made once, thread-safely, by the user's function-local static.

#include <dlfcn.h>

#include <string>
#include <type_traits>

namespace flowlens::util {

class LazyLibrary {
 public:
  // Loads `soname` (RTLD_NOW | RTLD_LOCAL); ok() tells whether it loaded. Never unloaded.
  explicit LazyLibrary(const char* soname) : handle_(::dlopen(soname, RTLD_NOW | RTLD_LOCAL)) {}
  bool ok() const { return handle_ != nullptr && complete_; }

  // Sets `fn` to the library's `name`; a missing symbol makes ok() false.
  template <typename Fn>
  void resolve(Fn& fn, const char* name) {
    static_assert(std::is_pointer_v<Fn>, "a function pointer");
    fn = handle_ ? reinterpret_cast<Fn>(::dlsym(handle_, name)) : nullptr;
    complete_ = complete_ && fn != nullptr;
  }

 private:
  void* handle_;
  bool complete_ = true;
};

}  // namespace flowlens::util
