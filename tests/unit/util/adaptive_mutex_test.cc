#include "util/adaptive_mutex.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <time.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

namespace flowlens::util {
namespace {

using namespace std::chrono_literals;

double threadCpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) + double(t.tv_nsec) / 1e9;
}

TEST(AdaptiveMutexTest, ExcludesUnderContention) {
  AdaptiveMutex m;
  uint64_t counter = 0;  // not atomic: only the lock keeps the increments whole
  constexpr int kThreads = 4, kRounds = 100'000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kRounds; ++i) {
        std::lock_guard g(m);
        const uint64_t v = counter;
        if (i % 1000 == 0) std::this_thread::yield();  // a holder that gets descheduled
        counter = v + 1;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(counter, uint64_t(kThreads) * kRounds);
}

TEST(AdaptiveMutexTest, TryLockFailsWhileHeld) {
  AdaptiveMutex m;
  std::unique_lock g(m);
  std::thread other([&] { EXPECT_FALSE(m.try_lock()); });
  other.join();
  g.unlock();
  EXPECT_TRUE(m.try_lock());
  m.unlock();
}

// A waiter behind a long hold spins only kSpinFor, then sleeps: it burns little of its core.
TEST(AdaptiveMutexTest, LongHoldPutsTheWaiterToSleep) {
  AdaptiveMutex m;
  std::atomic<bool> held{false};
  std::chrono::steady_clock::time_point held_at;  // written before `held`, read after it
  std::thread holder([&] {
    std::lock_guard g(m);
    held_at = std::chrono::steady_clock::now();
    held = true;
    std::this_thread::sleep_for(300ms);
  });
  while (!held) std::this_thread::yield();
  const double cpu_before = threadCpuSeconds();
  m.lock();
  // From the holder's lock: however late this thread got here, it got the lock after the hold.
  const auto waited = std::chrono::steady_clock::now() - held_at;
  const double cpu = threadCpuSeconds() - cpu_before;
  m.unlock();
  holder.join();
  EXPECT_GE(waited, 300ms);  // it did wait for the holder
  EXPECT_LT(cpu, 0.1) << "the waiter spun for the whole hold";
}

// A short hold is waited out without sleeping, so the holder's unlock needs no wake-up. On a
// busy machine the holder may lose its core past kSpinFor now and then; a plain mutex sleeps
// every time it finds the lock held.
TEST(AdaptiveMutexTest, ShortHoldIsWaitedOutAwake) {
  int contended = 0, awake = 0;
  for (int attempt = 0; attempt < 20 && awake == 0; ++attempt) {
    AdaptiveMutex m;
    std::atomic<bool> held{false};
    std::thread holder([&] {
      std::lock_guard g(m);
      held = true;
      const auto until = std::chrono::steady_clock::now() + 1ms;
      while (std::chrono::steady_clock::now() < until) {
      }
    });
    while (!held) std::this_thread::yield();
    rusage before{};
    getrusage(RUSAGE_THREAD, &before);
    if (m.try_lock()) {  // the hold ended before this thread got back: no test this time
      m.unlock();
      holder.join();
      continue;
    }
    ++contended;
    m.lock();
    rusage after{};
    getrusage(RUSAGE_THREAD, &after);
    m.unlock();
    holder.join();
    // A yield is an involuntary switch; blocking in the kernel is a voluntary one.
    if (after.ru_nvcsw == before.ru_nvcsw) ++awake;
  }
  if (contended == 0) GTEST_SKIP() << "the lock was never found held (a busy machine)";
  EXPECT_GT(awake, 0) << "every wait for a 1 ms hold slept in the kernel";
}

}  // namespace
}  // namespace flowlens::util
