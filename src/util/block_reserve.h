#pragma once
// A few huge blocks faulted in ahead of need by a background thread, so that a packet thread
// whose flow table or arena grows takes memory that is already mapped instead of waiting for
// the kernel to fault and zero it (Suricata's flow manager keeps its spare flows the same way).
// First touch is the dear part: a fresh 2 MiB block costs the toucher ~3 ms on this project's
// VMs (the host backs the page on demand), 0.1 ms once mapped.
//
// Installed, it serves util::allocateHugeBlock(); empty, the caller maps its own block as
// before. Thread-safe. Blocks handed out are the taker's; free them with freeHugeBlock().

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace flowlens::util {

class BlockReserve {
 public:
  // Keeps `target` blocks mapped and faulted once start() runs (the thread starts there).
  explicit BlockReserve(size_t target);
  ~BlockReserve();  // uninstalls itself, stops the thread, unmaps the spare blocks
  BlockReserve(const BlockReserve&) = delete;
  BlockReserve& operator=(const BlockReserve&) = delete;

  // Starts the thread, which runs `first` (e.g. binding itself to a core) before it fills the
  // reserve. False when it cannot be started (or the target is 0): the reserve stays empty.
  bool start(std::function<void()> first = {});
  // A faulted, zero-filled, 2 MiB-aligned block, or nullptr when none is ready (or the lock
  // stays held through 64 tries). Never sleeps.
  void* take();

  struct Stats {
    uint64_t taken = 0;   // blocks handed out
    uint64_t missed = 0;  // take() found none ready
    uint64_t busy = 0;    // take() found the lock held, a few tries running
    size_t spare = 0;     // ready now
  };
  Stats stats() const;

  // Makes `reserve` the source of allocateHugeBlock() (nullptr: none). The reserve must outlive
  // every thread that may allocate while it is installed.
  static void install(BlockReserve* reserve);
  static BlockReserve* installed();

 private:
  void fill();

  const size_t target_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<void*> spare_;  // guarded by mutex_
  uint64_t taken_ = 0, missed_ = 0;   // guarded by mutex_
  std::atomic<uint64_t> missed_busy_{0};  // take() found the lock held
  bool stop_ = false;         // guarded by mutex_
  std::thread filler_;
};

}  // namespace flowlens::util
