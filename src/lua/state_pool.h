#pragma once
// A bounded pool of warm LuaStates shared by the HTTP worker threads. States are created on
// demand up to `max_states`; a caller waits for a free one up to a timeout. A state that hit its
// time or memory limit, or has served many runs, is replaced rather than reused.
// Thread-safe.

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include "core/result.h"
#include "lua/state.h"

namespace flowlens::lua {

class StatePool {
 public:
  static constexpr uint64_t kMaxRunsPerState = 100000;

  StatePool(Services* services, EngineConfig config, size_t max_states);

  class Lease {
   public:
    Lease(StatePool* pool, std::unique_ptr<LuaState> state)
        : pool_(pool), state_(std::move(state)) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&& other) noexcept;  // gives back the state it held
    ~Lease();
    LuaState* operator->() const { return state_.get(); }
    LuaState& operator*() const { return *state_; }

   private:
    StatePool* pool_;
    std::unique_ptr<LuaState> state_;
  };

  // Creates `n` states now so that the first requests find them warm.
  Status warm(size_t n);
  Result<Lease> acquire(std::chrono::milliseconds wait);

  size_t maxStates() const { return max_states_; }
  size_t liveStates() const;

 private:
  void release(std::unique_ptr<LuaState> state);

  Services* services_;
  EngineConfig config_;
  size_t max_states_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<LuaState>> idle_;
  size_t live_ = 0;  // idle + leased + being created
};

}  // namespace flowlens::lua
