#pragma once
// A mutex whose waiter spins, then yields, for a bounded time before it sleeps in the kernel.
//
// The packet threads and the Lua/HTTP readers hand an interface's locks back and forth hundreds
// of times a second, for holds of a few microseconds (a reader's page) up to a batch of packets
// (a fraction of a millisecond). With a plain mutex a waiter sleeps at once, and the holder's
// unlock then becomes a futex wake-up: a system call and an interrupt to the other core, which
// on a virtual machine cost the packet thread tens of microseconds each time. A waiter here
// stays awake (pausing, then yielding) through holds that short, so the holder's unlock wakes
// nobody; a long hold (the housekeeping pass at the end of a file) still puts the waiter to
// sleep after kSpinFor.
//
// BasicLockable and Lockable: std::lock_guard and std::unique_lock work with it.

#include <chrono>
#include <mutex>
#include <thread>

namespace flowlens::util {

// A short pause in a spin loop: less traffic on the awaited cache line, and the core's sibling
// (if any) runs meanwhile.
inline void cpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// One wait of a spin loop: a pause for the first `pauses` rounds, then a yield (another thread
// of this core may be the one awaited).
class Backoff {
 public:
  explicit Backoff(unsigned pauses) : pauses_(pauses) {}
  void wait() {
    if (rounds_++ < pauses_) {
      cpuRelax();
    } else {
      std::this_thread::yield();
    }
  }
  unsigned rounds() const { return rounds_; }

 private:
  unsigned pauses_;
  unsigned rounds_ = 0;
};

class AdaptiveMutex {
 public:
  static constexpr std::chrono::microseconds kSpinFor{2000};

  void lock() {
    if (!mutex_.try_lock()) wait();
  }
  bool try_lock() { return mutex_.try_lock(); }
  void unlock() { mutex_.unlock(); }

 private:
  void wait();
  std::mutex mutex_;
};

}  // namespace flowlens::util
