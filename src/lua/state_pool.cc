#include "lua/state_pool.h"

#include "core/log.h"

namespace flowlens::lua {

StatePool::StatePool(Services* services, EngineConfig config, size_t max_states)
    : services_(services), config_(std::move(config)), max_states_(max_states) {}

StatePool::Lease::~Lease() {
  if (state_) pool_->release(std::move(state_));
}

StatePool::Lease& StatePool::Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    if (state_) pool_->release(std::move(state_));
    pool_ = other.pool_;
    state_ = std::move(other.state_);
  }
  return *this;
}

Status StatePool::warm(size_t n) {
  std::vector<Lease> leases;
  for (size_t i = 0; i < n && i < max_states_; ++i) {
    auto lease = acquire(std::chrono::milliseconds(0));
    if (!lease) return Error{lease.error()};
    leases.push_back(std::move(lease.value()));
  }
  return Status::Ok();
}

Result<StatePool::Lease> StatePool::acquire(std::chrono::milliseconds wait) {
  std::unique_lock<std::mutex> lock(mu_);
  const auto until = std::chrono::steady_clock::now() + wait;
  for (;;) {
    if (!idle_.empty()) {
      auto s = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(s));
    }
    if (live_ < max_states_) {
      ++live_;
      lock.unlock();
      auto created = LuaState::create(services_, config_);
      if (!created) {
        lock.lock();
        --live_;
        cv_.notify_one();
        return Error{created.error()};
      }
      return Lease(this, std::move(created.value()));
    }
    if (cv_.wait_until(lock, until) == std::cv_status::timeout && idle_.empty() &&
        live_ >= max_states_) {
      return Error{"all " + std::to_string(max_states_) + " Lua states are busy"};
    }
  }
}

void StatePool::release(std::unique_ptr<LuaState> state) {
  const bool replace = state->poisoned() || state->runs() >= kMaxRunsPerState;
  if (replace) {
    log::debug("Replacing a Lua state after {} runs{}", state->runs(),
               state->poisoned() ? " (stopped by a limit)" : "");
    state.reset();
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (replace) --live_;
  else idle_.push_back(std::move(state));
  cv_.notify_one();
}

size_t StatePool::liveStates() const {
  std::lock_guard<std::mutex> lock(mu_);
  return live_;
}

}  // namespace flowlens::lua
