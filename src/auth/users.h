#pragma once
// Users in the key-value store with ntopng's layout (ntopng.user.<name>.<field>), passwords as
// Argon2id hashes (never MD5, never returned), roles administrator / unprivileged /
// captive_portal, API tokens (ntopng.user.<name>.api_token and the ntopng.api_tokens hash),
// TOTP secrets, and the failed-login blacklist (ntopng.cache.failed_logins.<name>: 5 failures
// within 300 s block the name for the rest of that window). Records read by get() are cached
// for 2 s (every authenticated request reads one), and dropped by this service's own writes.
// Thread-safe.

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/kv_store.h"
#include "util/ip.h"

namespace flowlens::auth {

inline constexpr const char* kAdministrator = "administrator";
inline constexpr const char* kUnprivileged = "unprivileged";
inline constexpr const char* kCaptivePortal = "captive_portal";
inline constexpr const char* kNologinUser = "nologin";
inline constexpr int kMaxFailedLogins = 5;
inline constexpr int kFailedLoginWindowS = 300;

struct User {
  std::string name;
  std::string full_name;
  std::string group = kUnprivileged;
  std::string allowed_nets;    // comma-separated CIDRs; empty = all
  std::string allowed_ifname;  // empty = all
  std::string host_pool_id;
  std::string allowed_host_pools;
  std::string language = "en";
  bool allow_pcap = false, allow_historical_flows = false, allow_alerts = false;
  bool totp_enabled = false;

  bool isAdministrator() const { return group == kAdministrator; }
  // Whether this user may see `addr` / interface `ifname`.
  bool mayAccess(const util::IpAddress& addr) const;
  bool mayAccessInterface(std::string_view ifname) const;
  std::vector<util::IpPrefix> allowedNetworks() const;
};

// Names are 1..64 of [A-Za-z0-9_@-]: never '.', '|', '*' or anything that could break a key or
// a session value apart.
bool validUserName(std::string_view name);
// "administrator", "unprivileged", "captivePortal"/"captive_portal" -> the stored group.
std::optional<std::string> normaliseRole(std::string_view role);

class UserService {
 public:
  explicit UserService(store::KvStore& kv) : kv_(kv) {}

  // Creates admin/admin when no administrator exists (first start). With `password`, uses it.
  Status ensureAdmin(std::optional<std::string> password);
  // True until the admin changed the default password (ntopng.prefs.admin_password_changed).
  bool adminMustChangePassword();

  Result<std::optional<User>> get(std::string_view name);
  Result<std::vector<User>> list();
  Status add(const User& user, std::string_view password);
  Status remove(std::string_view name);
  // The user when the password is right, nullopt when it is wrong or the user does not exist.
  Result<std::optional<User>> authenticate(std::string_view name, std::string_view password);
  Status setPassword(std::string_view name, std::string_view password);
  // The stored hash (for caches that must notice a password change); never for output.
  std::optional<std::string> passwordHash(std::string_view name);
  // Refuses to demote the last administrator.
  Status setRole(std::string_view name, std::string_view role);
  // full_name, language, allowed_nets, allowed_ifname, host_pool_id, allowed_host_pools.
  Status setField(std::string_view name, std::string_view field, std::string_view value);
  // allow_pcap, allow_historical_flows, allow_alerts.
  Status setFlag(std::string_view name, std::string_view flag, bool value);

  Result<std::string> createApiToken(std::string_view name);  // replaces (revokes) the old one
  Result<std::optional<std::string>> apiToken(std::string_view name);
  Result<std::optional<std::string>> userForToken(std::string_view token);

  Status setTotpSecret(std::string_view name, std::string_view secret_b32);
  Result<std::optional<std::string>> totpSecret(std::string_view name);
  Status setTotpEnabled(std::string_view name, bool enabled);
  // Checks a code and refuses one whose time step was already used.
  Result<bool> checkTotp(std::string_view name, std::string_view code, time_t now);

  bool isBlacklisted(std::string_view name);
  void recordFailedLogin(std::string_view name);
  void clearFailedLogins(std::string_view name);

 private:
  static std::string key(std::string_view name, std::string_view field);
  Result<bool> exists(std::string_view name);
  Result<std::optional<User>> load(std::string_view name);
  void forget(std::string_view name);
  // Drops the cached record when a write ends (a read inside the write may have re-cached it).
  struct ForgetOnExit {
    ForgetOnExit(UserService& s, std::string_view n) : service(s), name(n) {}
    ~ForgetOnExit() { service.forget(name); }
    UserService& service;
    std::string name;
  };
  store::KvStore& kv_;
  std::mutex cache_mu_;
  std::unordered_map<std::string, std::pair<User, std::chrono::steady_clock::time_point>> cache_;
};

}  // namespace flowlens::auth
