#include "util/adaptive_mutex.h"

#include <thread>

namespace flowlens::util {

void AdaptiveMutex::wait() {
  using Clock = std::chrono::steady_clock;
  constexpr unsigned kPauses = 256;  // a few microseconds of pauses, then yields
  const Clock::time_point deadline = Clock::now() + kSpinFor;
  for (unsigned i = 1;; ++i) {
    if (i < kPauses) {
      cpuRelax();
    } else {
      std::this_thread::yield();  // another thread of this core may be the holder
    }
    if (mutex_.try_lock()) return;
    if (i % 64 == 0 && Clock::now() >= deadline) break;
  }
  mutex_.lock();
}

}  // namespace flowlens::util
