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
  // The user's list of sessions, pruned of the expired ones.
  const std::string list = "ntopng.user." + s.user + ".sessions";
  if (auto ids = kv_.smembers(list)) {
    for (const auto& old : *ids) {
      if (auto alive = kv_.exists("sessions." + old); alive && !*alive) kv_.srem(list, old);
    }
  }
  kv_.sadd(list, s.id);
  std::lock_guard<std::mutex> lock(mu_);
  extended_[s.id] = {std::chrono::steady_clock::now(), std::chrono::seconds(ttl)};
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
  std::chrono::seconds duration = duration_;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (extended_.size() > 100000) extended_.clear();  // bounded; at worst one extra write each
    auto [it, fresh] = extended_.try_emplace(s.id, Extension{now, duration_});
    duration = it->second.duration;
    if (fresh || now - it->second.last > std::chrono::minutes(1)) {
      it->second.last = now;
      extend = true;
    }
  }
  if (extend) kv_.set(key, **v, duration.count());
  return std::optional<Session>(std::move(s));
}

Status SessionService::destroyAll(std::string_view user) {
  if (!validUserName(user)) return Status::Ok();
  const std::string list = "ntopng.user." + std::string(user) + ".sessions";
  auto ids = kv_.smembers(list);
  if (!ids) return Error{ids.error(), ids.unavailable()};
  for (const auto& id : *ids) destroy(id);
  return kv_.del(list);
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
