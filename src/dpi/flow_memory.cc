#include "dpi/flow_memory.h"

#include <cstdlib>
#include <mutex>

extern "C" {
#include <ndpi/ndpi_api.h>
}

namespace flowlens::dpi {
namespace {

thread_local util::BlockArena* t_arena = nullptr;

void* hookMalloc(size_t bytes) {
  return t_arena != nullptr ? t_arena->allocate(bytes) : std::malloc(bytes);
}

// Frees arena chunks and malloc's memory alike.
void hookFree(void* p) { util::BlockArena::deallocate(p); }

}  // namespace

void FlowMemory::install() {
  static std::once_flag once;
  std::call_once(once, [] {
    set_ndpi_malloc(hookMalloc);
    set_ndpi_free(hookFree);
  });
}

FlowMemory::Scope::Scope(util::BlockArena* arena) : previous_(t_arena) { t_arena = arena; }
FlowMemory::Scope::~Scope() { t_arena = previous_; }

}  // namespace flowlens::dpi
