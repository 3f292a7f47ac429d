#pragma once
// Memory for what nDPI allocates while a packet thread runs detection: TLS reassembly buffers,
// the strings it keeps per flow, the caches it creates on first use. nDPI takes one malloc/free
// pair for the whole process (set_ndpi_malloc); these hooks route the allocations made inside a
// FlowMemory::Scope to that thread's FlowMemory and every other one to malloc.
//
// Why: from malloc, these buffers (freed with the flow's state, in sizes that grow by realloc)
// fragment the thread's heap between longer-lived objects, so it keeps growing: about 5,600 of
// the packet thread's 8,200 page faults on the benchmark capture, and page faults are dear on a
// virtual machine. Here they are carved from huge blocks in size classes (at most 12.5% rounding)
// and reused through per-class free lists; the memory stays with the FlowMemory until it goes.

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace flowlens::dpi {

class FlowMemory {
 public:
  FlowMemory() = default;
  // Frees the blocks: everything allocated here must have been freed (nDPI's module and flow
  // states released) before.
  ~FlowMemory();
  FlowMemory(const FlowMemory&) = delete;
  FlowMemory& operator=(const FlowMemory&) = delete;

  // Installs the hooks in nDPI (once per process; idempotent). Before any nDPI module opens.
  static void install();

  // While one lives, nDPI's allocations on this thread come from `memory`.
  class Scope {
   public:
    explicit Scope(FlowMemory* memory);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    FlowMemory* previous_;
  };

  // `bytes` of 16-byte aligned memory, or nullptr when memory runs out. Sizes above kMaxPooled
  // come from malloc.
  void* allocate(size_t bytes);
  // Frees memory from allocate() of any FlowMemory, or from malloc. Memory of a FlowMemory is
  // freed on the thread that uses it (or once that thread has stopped).
  static void deallocate(void* p);

  static constexpr size_t kMaxPooled = size_t(64) << 10;
  size_t bytesInUse() const { return in_use_; }  // allocated and not freed, with rounding
  size_t blocks() const { return blocks_.size(); }

 private:
  static constexpr size_t kClasses = 80;  // 16..256 by 16, then eight per doubling to 64 KiB
  struct Header;
  void* carve(size_t bytes);

  std::array<void*, kClasses> free_{};  // per class: freed chunks, linked through themselves
  std::vector<void*> blocks_;
  size_t carved_ = 0;                   // bytes of the last block handed out
  size_t in_use_ = 0;
};

}  // namespace flowlens::dpi
