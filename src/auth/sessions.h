#pragma once
// Login sessions at sessions.<id> = "user|group|csrf|localuser", with a TTL. Ids are 32 random
// bytes as hex; a lookup checks the id's form, the value's four fields, and that the user still
// exists, and takes the group from the user's record (a role change applies at once). A session
// in use is extended, at most once a minute. Thread-safe.

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "auth/users.h"
#include "core/result.h"
#include "store/kv_store.h"

namespace flowlens::auth {

struct Session {
  std::string id;
  std::string user;
  std::string group;
  std::string csrf;
  bool localuser = true;
};

class SessionService {
 public:
  SessionService(store::KvStore& kv, UserService& users, std::chrono::seconds duration)
      : kv_(kv), users_(users), duration_(duration) {}

  Result<Session> create(std::string_view user, std::optional<std::chrono::seconds> duration = {});
  Result<std::optional<Session>> lookup(std::string_view id);
  Status destroy(std::string_view id);
  // Ends every session of `user` (after a password change or a deletion).
  Status destroyAll(std::string_view user);
  std::chrono::seconds duration() const { return duration_; }

 private:
  store::KvStore& kv_;
  UserService& users_;
  std::chrono::seconds duration_;
  std::mutex mu_;
  struct Extension {
    std::chrono::steady_clock::time_point last;
    std::chrono::seconds duration;  // the session's own lifetime
  };
  std::unordered_map<std::string, Extension> extended_;
};

}  // namespace flowlens::auth
