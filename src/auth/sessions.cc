#include "auth/sessions.h"

#include "auth/crypto.h"

namespace flowlens::auth {
namespace {

bool isHex(std::string_view s, size_t len) {
  if (s.size() != len) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

Result<Session> SessionService::create(std::string_view user,
                                       std::optional<std::chrono::seconds> duration) {
  auto u = users_.get(user);
  if (!u) return Error{u.error(), u.unavailable()};
  if (!*u) return Error{"no user '" + std::string(user) + "'"};
  Session s{randomHex(32), (*u)->name, (*u)->group, randomHex(16), true};
  const auto ttl = duration.value_or(duration_).count();
  if (ttl <= 0) return Error{"session duration must be positive"};
  const std::string value = s.user + "|" + s.group + "|" + s.csrf + "|1";
  if (Status st = kv_.set("sessions." + s.id, value, ttl); !st) return Error{st.error()};
  return s;
}

Result<std::optional<Session>> SessionService::lookup(std::string_view id) {
  if (!isHex(id, 64)) return std::optional<Session>();
  const std::string key = "sessions." + std::string(id);
  auto v = kv_.get(key);
  if (!v) return Error{v.error(), v.unavailable()};
  if (!*v) return std::optional<Session>();
  // Exactly four fields; the user must be a valid name that still exists.
  std::string fields[4];
  size_t start = 0;
  for (int i = 0; i < 4; ++i) {
    const size_t bar = (*v)->find('|', start);
    if ((i < 3) != (bar != std::string::npos)) return std::optional<Session>();
    fields[i] = (*v)->substr(start, bar == std::string::npos ? std::string::npos : bar - start);
    start = bar + 1;
  }
  if (!validUserName(fields[0]) || !isHex(fields[2], 32)) return std::optional<Session>();
  auto u = users_.get(fields[0]);
  if (!u) return Error{u.error(), u.unavailable()};
  if (!*u) return std::optional<Session>();
  Session s{std::string(id), (*u)->name, (*u)->group, fields[2], fields[3] == "1"};
  const auto now = std::chrono::steady_clock::now();
  bool extend = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto& last = extended_[s.id];
    if (now - last > std::chrono::minutes(1)) {
      last = now;
      extend = true;
    }
    if (extended_.size() > 100000) extended_.clear();  // bounded; at worst one extra write each
  }
  if (extend) kv_.set(key, **v, duration_.count());
  return std::optional<Session>(std::move(s));
}

Status SessionService::destroy(std::string_view id) {
  if (!isHex(id, 64)) return Status::Ok();
  {
    std::lock_guard<std::mutex> lock(mu_);
    extended_.erase(std::string(id));
  }
  return kv_.del("sessions." + std::string(id));
}

}  // namespace flowlens::auth
