#include "util/adaptive_mutex.h"

namespace flowlens::util {

void AdaptiveMutex::wait() {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point deadline = Clock::now() + kSpinFor;
  Backoff backoff(256);  // a few microseconds of pauses, then yields
  for (;;) {
    backoff.wait();
    if (mutex_.try_lock()) return;
    if (backoff.rounds() % 64 == 0 && Clock::now() >= deadline) break;
  }
  mutex_.lock();
}

}  // namespace flowlens::util
