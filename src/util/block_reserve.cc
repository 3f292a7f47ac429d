#include "util/block_reserve.h"

#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <system_error>

#include "util/adaptive_mutex.h"
#include "util/huge_block.h"

namespace flowlens::util {
namespace {

std::atomic<BlockReserve*> g_installed{nullptr};

// Maps a block and has the kernel fault all of it in now, in this thread.
void* faultedBlock() {
  void* block = allocateHuge(kHugeBlockBytes);
  if (block == nullptr) return nullptr;
#ifdef MADV_POPULATE_WRITE
  if (madvise(block, kHugeBlockBytes, MADV_POPULATE_WRITE) == 0) return block;
  if (errno == ENOMEM || errno == EFAULT || errno == EHWPOISON) {  // takers map their own
    freeHugeBlock(block);
    return nullptr;
  }
#endif
  // Kernels before 5.14 (EINVAL), sandboxes without the call: a write to every page.
  auto* bytes = static_cast<volatile unsigned char*>(block);
  const size_t page = size_t(sysconf(_SC_PAGESIZE));
  for (size_t i = 0; i < kHugeBlockBytes; i += page) bytes[i] = 0;
  return block;
}

}  // namespace

BlockReserve::BlockReserve(size_t target) : target_(target) { spare_.reserve(target); }

BlockReserve::~BlockReserve() {
  BlockReserve* self = this;
  g_installed.compare_exchange_strong(self, nullptr);
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (filler_.joinable()) filler_.join();
  for (void* block : spare_) freeHugeBlock(block);
}

bool BlockReserve::start(std::function<void()> first) {
  if (filler_.joinable()) return true;
  if (target_ == 0) return false;
  try {
    filler_ = std::thread([this, first = std::move(first)] {
      pthread_setname_np(pthread_self(), "flowlens-mem");
      if (first) first();
      fill();
    });
  } catch (const std::system_error&) {  // no thread to be had (RLIMIT_NPROC): no reserve
    return false;
  }
  return true;
}

void BlockReserve::fill() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return stop_ || spare_.size() < target_; });
    if (stop_) return;
    lock.unlock();  // faulting takes milliseconds: takers must not wait for it
    void* block = faultedBlock();
    lock.lock();
    if (block == nullptr) {  // out of memory: takers map their own meanwhile
      wake_.wait_for(lock, std::chrono::seconds(1), [this] { return stop_; });
      continue;
    }
    spare_.push_back(block);
  }
}

void* BlockReserve::take() {
  // A packet thread never sleeps here: the lock's holders (the filler, another taker) keep it a
  // few instructions, so a few tries get it; if not (a holder was preempted there), it maps its
  // own block as it would without a reserve.
  std::unique_lock lock(mutex_, std::defer_lock);
  for (int tries = 0; !lock.try_lock(); ++tries) {
    if (tries == 64) {
      missed_busy_.fetch_add(1, std::memory_order_relaxed);
      return nullptr;
    }
    cpuRelax();
  }
  if (spare_.empty()) {
    ++missed_;
    return nullptr;
  }
  void* block = spare_.back();
  spare_.pop_back();
  ++taken_;
  lock.unlock();
  wake_.notify_one();
  return block;
}

BlockReserve::Stats BlockReserve::stats() const {
  std::lock_guard lock(mutex_);
  Stats s;
  s.taken = taken_;
  s.missed = missed_;
  s.busy = missed_busy_.load(std::memory_order_relaxed);
  s.spare = spare_.size();
  return s;
}

void BlockReserve::install(BlockReserve* reserve) {
  g_installed.store(reserve, std::memory_order_release);
}

BlockReserve* BlockReserve::installed() { return g_installed.load(std::memory_order_acquire); }

}  // namespace flowlens::util
