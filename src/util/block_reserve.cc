#include "util/block_reserve.h"

#include <pthread.h>
#include <sys/mman.h>

#include <atomic>
#include <chrono>

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
#endif
  auto* bytes = static_cast<volatile unsigned char*>(block);  // kernels before 5.14
  for (size_t i = 0; i < kHugeBlockBytes; i += 4096) bytes[i] = 0;
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

void BlockReserve::start() {
  if (filler_.joinable() || target_ == 0) return;
  filler_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "flowlens-mem");
    fill();
  });
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
  std::unique_lock lock(mutex_);
  if (spare_.empty()) {
    ++stats_.missed;
    return nullptr;
  }
  void* block = spare_.back();
  spare_.pop_back();
  ++stats_.taken;
  lock.unlock();
  wake_.notify_one();
  return block;
}

BlockReserve::Stats BlockReserve::stats() const {
  std::lock_guard lock(mutex_);
  Stats s = stats_;
  s.spare = spare_.size();
  return s;
}

void BlockReserve::install(BlockReserve* reserve) {
  g_installed.store(reserve, std::memory_order_release);
}

BlockReserve* BlockReserve::installed() { return g_installed.load(std::memory_order_acquire); }

}  // namespace flowlens::util
