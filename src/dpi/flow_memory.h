#pragma once
// Where nDPI's allocations go. nDPI takes one malloc/free pair for the whole process
// (set_ndpi_malloc); these hooks route the allocations made inside a FlowMemory::Scope to that
// scope's arena and every other one (the modules' start-up tables) to malloc. A
// DpiEngine opens a scope around its nDPI calls, so what nDPI allocates while it inspects a
// flow (TLS reassembly buffers, the strings it keeps, caches made on first use) comes from the
// engine's util::BlockArena. From malloc, these buffers (freed with the flow's state, in sizes
// that grow by realloc) fragmented the thread's heap between longer-lived objects, so it kept
// growing: 5,600 of the packet thread's 8,200 page faults on the benchmark capture.

#include "util/block_arena.h"

namespace flowlens::dpi {

struct FlowMemory {
  // Installs the hooks in nDPI (once per process; idempotent). Before any nDPI module opens.
  static void install();

  // While one lives, nDPI's allocations on this thread come from `arena`.
  class Scope {
   public:
    explicit Scope(util::BlockArena* arena);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    util::BlockArena* previous_;
  };
};

}  // namespace flowlens::dpi
