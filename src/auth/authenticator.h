#pragma once
// Decides who a request is, in ntopng's order: disabled login (-l), HTTP Basic,
// "Authorization: Token <api token>", then the session cookie session_<http port>_<https port>.
// Several Authorization headers, or a malformed one, are refused outright. Failed password
// checks count toward the user's blacklist; verified Basic credentials are remembered for 60 s
// (keyed by a hash) so that REST clients do not pay Argon2id on every request. Thread-safe.

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "auth/sessions.h"
#include "auth/users.h"
#include "core/options.h"

namespace flowlens::auth {

struct AuthInput {
  std::string method;
  std::string remote_addr;
  std::vector<std::string> authorization;  // every Authorization header
  std::string cookie;                      // the Cookie header
};

struct Identity {
  std::string user;
  std::string group;
  std::string csrf;        // set for session logins: POSTs must carry it
  std::string session_id;
  bool localuser = true;
  std::string via;         // "disabled-login", "basic", "token", "session"
  std::string allowed_ifname, allowed_nets;  // the user's restrictions
  bool needsCsrf() const { return via == "session"; }
};

struct AuthDecision {
  std::optional<Identity> identity;  // set when allowed
  int status = 401;                  // otherwise: 401 (who are you) or 400 (malformed)
  std::string message;
};

class Authenticator {
 public:
  Authenticator(const Options& options, UserService& users, SessionService& sessions)
      : options_(options), users_(users), sessions_(sessions) {}

  AuthDecision authenticate(const AuthInput& in);
  // The login form: checks the password (and the TOTP code when the user enabled it), counts
  // failures, and opens a session. The error message never tells which part was wrong.
  Result<Session> login(std::string_view user, std::string_view password,
                        std::string_view totp_code);
  std::string cookieName() const;
  bool loginDisabledFor(const std::string& remote_addr) const;
  static bool isLoopback(const std::string& addr);

 private:
  std::optional<std::string> cachedBasic(const std::string& digest, const std::string& name);
  const Options& options_;
  UserService& users_;
  SessionService& sessions_;
  std::mutex mu_;
  struct Verified {
    std::string user;
    std::string hash;  // the password hash it was verified against: a change voids the entry
    std::chrono::steady_clock::time_point at;
  };
  std::unordered_map<std::string, Verified> basic_cache_;  // sha256(user:password) -> Verified
};

}  // namespace flowlens::auth
