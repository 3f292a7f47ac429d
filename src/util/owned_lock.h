#pragma once
// A lock with an owner: one owner (say, a script run) holds it at a time, others wait for it
// up to a timeout, only its owner releases it, and taking it again while holding it succeeds.
// `Hold` ties it to a lifetime: released when the Hold goes (a run that ends without
// releasing). For ntop.poolsLock/poolsUnlock. Thread-safe.

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace flowlens::util {

class OwnedLock {
 public:
  // True when `owner` holds the lock: it did already, or it was free within `wait`.
  bool lock(const void* owner, std::chrono::milliseconds wait) {
    if (owner == nullptr) return false;
    std::unique_lock l(mu_);
    if (owner_ == owner) return true;
    if (!free_.wait_for(l, wait, [this] { return owner_ == nullptr; })) return false;
    owner_ = owner;
    return true;
  }
  // False when `owner` does not hold it (nothing changes).
  bool unlock(const void* owner) {
    {
      std::lock_guard l(mu_);
      if (owner_ != owner || owner == nullptr) return false;
      owner_ = nullptr;
    }
    free_.notify_one();
    return true;
  }
  bool heldBy(const void* owner) const {
    std::lock_guard l(mu_);
    return owner != nullptr && owner_ == owner;
  }

  // Releases `lock` for `owner` when destroyed, if `owner` still holds it.
  class Hold {
   public:
    Hold(OwnedLock* lock, const void* owner) : lock_(lock), owner_(owner) {}
    ~Hold() { lock_->unlock(owner_); }
    Hold(const Hold&) = delete;
    Hold& operator=(const Hold&) = delete;

   private:
    OwnedLock* lock_;
    const void* owner_;
  };

 private:
  mutable std::mutex mu_;
  std::condition_variable free_;
  const void* owner_ = nullptr;  // guarded by mu_
};

}  // namespace flowlens::util
