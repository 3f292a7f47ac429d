#include "auth/users.h"

#include <algorithm>
#include <charconv>
#include <mutex>
#include <sstream>

#include "auth/crypto.h"
#include "auth/totp.h"
#include "core/log.h"

namespace flowlens::auth {
namespace {

constexpr const char* kApiTokens = "ntopng.api_tokens";
constexpr const char* kAdminPasswordChanged = "ntopng.prefs.admin_password_changed";
constexpr const char* kTextFields[] = {"full_name",      "language",     "allowed_nets",
                                       "allowed_ifname", "host_pool_id", "allowed_host_pools"};
constexpr const char* kFlags[] = {"allow_pcap", "allow_historical_flows", "allow_alerts"};

bool isOneOf(std::string_view s, const auto& list) {
  for (const char* x : list) {
    if (s == x) return true;
  }
  return false;
}

}  // namespace

bool validUserName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '@' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::optional<std::string> normaliseRole(std::string_view role) {
  if (role == kAdministrator) return std::string(kAdministrator);
  if (role == kUnprivileged) return std::string(kUnprivileged);
  if (role == "captivePortal" || role == kCaptivePortal) return std::string(kCaptivePortal);
  return std::nullopt;
}

std::vector<util::IpPrefix> User::allowedNetworks() const {
  std::vector<util::IpPrefix> out;
  std::stringstream ss(allowed_nets);
  std::string item;
  while (std::getline(ss, item, ',')) {
    const auto b = item.find_first_not_of(' '), e = item.find_last_not_of(' ');
    if (b == std::string::npos) continue;
    if (auto p = util::parsePrefix(item.substr(b, e - b + 1))) out.push_back(*p);
  }
  return out;
}

bool User::mayAccess(const util::IpAddress& addr) const {
  const auto nets = allowedNetworks();
  if (nets.empty()) return true;
  for (const auto& n : nets) {
    if (n.contains(addr)) return true;
  }
  return false;
}

bool User::mayAccessInterface(std::string_view ifname) const {
  return allowed_ifname.empty() || allowed_ifname == ifname;
}

std::string UserService::key(std::string_view name, std::string_view field) {
  return "ntopng.user." + std::string(name) + "." + std::string(field);
}

Result<bool> UserService::exists(std::string_view name) {
  if (!validUserName(name)) return false;
  return kv_.exists(key(name, "password"));
}

Status UserService::ensureAdmin(std::optional<std::string> password) {
  auto users = list();
  if (!users) return Error{users.error()};
  for (const auto& u : *users) {
    if (u.isAdministrator() && !password) return Status::Ok();
  }
  User admin;
  admin.name = "admin";
  admin.full_name = "Administrator";
  admin.group = kAdministrator;
  auto ex = exists("admin");
  const ForgetOnExit forget_on_exit(*this, "admin");
  if (ex && *ex) {  // "admin" exists but is no administrator (or a new password is given)
    if (Status st = kv_.set(key("admin", "group"), kAdministrator, 0); !st) return st;
    if (password) return setPassword("admin", *password);
    return Status::Ok();
  }
  if (Status st = add(admin, password.value_or("admin")); !st) return st;
  if (password) return kv_.set(kAdminPasswordChanged, "1", 0);
  log::warning("Created user 'admin' with password 'admin': change it at the first login");
  return Status::Ok();
}

bool UserService::adminMustChangePassword() {
  auto changed = kv_.get(kAdminPasswordChanged);
  if (changed && *changed && **changed == "1") return false;
  auto hash = kv_.get(key("admin", "password"));
  return hash && *hash && verifyPassword("admin", **hash);
}

Result<std::optional<User>> UserService::get(std::string_view name) {
  constexpr auto kTtl = std::chrono::seconds(2);  // bounds how long an outside change goes unseen
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> lock(cache_mu_);
    auto it = cache_.find(std::string(name));
    if (it != cache_.end() && now - it->second.second < kTtl) {
      return std::optional<User>(it->second.first);
    }
  }
  auto u = load(name);
  if (u && *u) {
    std::lock_guard<std::mutex> lock(cache_mu_);
    if (cache_.size() > 4096) cache_.clear();
    cache_[std::string(name)] = {**u, now};
  }
  return u;
}

void UserService::forget(std::string_view name) {
  std::lock_guard<std::mutex> lock(cache_mu_);
  cache_.erase(std::string(name));
}

Result<std::optional<User>> UserService::load(std::string_view name) {
  auto ex = exists(name);
  if (!ex) return Error{ex.error(), ex.unavailable()};
  if (!*ex) return std::optional<User>();
  User u;
  u.name = std::string(name);
  auto field = [&](const char* f) -> std::string {
    auto v = kv_.get(key(name, f));
    return v && *v ? **v : std::string();
  };
  u.full_name = field("full_name");
  u.group = field("group");
  if (u.group.empty()) u.group = kUnprivileged;
  u.allowed_nets = field("allowed_nets");
  u.allowed_ifname = field("allowed_ifname");
  u.host_pool_id = field("host_pool_id");
  u.allowed_host_pools = field("allowed_host_pools");
  u.language = field("language");
  u.allow_pcap = field("allow_pcap") == "1";
  u.allow_historical_flows = field("allow_historical_flows") == "1";
  u.allow_alerts = field("allow_alerts") == "1";
  u.totp_enabled = field("totp_enabled") == "1";
  return std::optional<User>(std::move(u));
}

Result<std::vector<User>> UserService::list() {
  auto keys = kv_.keys("ntopng.user.*.password");
  if (!keys) return Error{keys.error(), keys.unavailable()};
  std::vector<User> out;
  for (const auto& k : *keys) {
    const std::string name = k.substr(12, k.size() - 12 - 9);  // strip prefix and ".password"
    if (!validUserName(name)) continue;
    auto u = get(name);
    if (u && *u) out.push_back(std::move(**u));
  }
  std::sort(out.begin(), out.end(), [](const User& a, const User& b) { return a.name < b.name; });
  return out;
}

Status UserService::add(const User& user, std::string_view password) {
  const ForgetOnExit forget_on_exit(*this, user.name);
  if (!validUserName(user.name)) return Error{"invalid user name '" + user.name + "'"};
  if (user.name == kNologinUser) return Error{"'nologin' is reserved"};
  if (password.empty()) return Error{"empty password"};
  auto role = normaliseRole(user.group);
  if (!role) return Error{"unknown role '" + user.group + "'"};
  if (!user.allowed_nets.empty()) {
    std::stringstream ss(user.allowed_nets);
    std::string item;
    while (std::getline(ss, item, ',')) {
      if (!item.empty() && !util::parsePrefix(item)) return Error{"invalid network '" + item + "'"};
    }
  }
  auto ex = exists(user.name);
  if (!ex) return Error{ex.error(), ex.unavailable()};
  if (*ex) return Error{"user '" + user.name + "' already exists"};
  auto hash = hashPassword(password);
  if (!hash) return Error{hash.error()};
  const std::pair<const char*, std::string> fields[] = {
      {"group", *role},
      {"full_name", user.full_name},
      {"allowed_nets", user.allowed_nets},
      {"allowed_ifname", user.allowed_ifname},
      {"host_pool_id", user.host_pool_id},
      {"allowed_host_pools", user.allowed_host_pools},
      {"language", user.language.empty() ? "en" : user.language},
      {"allow_pcap", user.allow_pcap ? "1" : "0"},
      {"allow_historical_flows", user.allow_historical_flows ? "1" : "0"},
      {"allow_alerts", user.allow_alerts ? "1" : "0"},
  };
  for (const auto& [f, v] : fields) {
    if (Status st = kv_.set(key(user.name, f), v, 0); !st) return st;
  }
  return kv_.set(key(user.name, "password"), *hash, 0);  // last: the user exists once complete
}

Status UserService::remove(std::string_view name) {
  const ForgetOnExit forget_on_exit(*this, name);
  auto ex = exists(name);
  if (!ex) return Error{ex.error(), ex.unavailable()};
  if (!*ex) return Error{"no user '" + std::string(name) + "'"};
  if (auto token = apiToken(name); token && *token) kv_.hdel(kApiTokens, **token);
  auto keys = kv_.keys("ntopng.user." + std::string(name) + ".*");
  if (!keys) return Error{keys.error(), keys.unavailable()};
  kv_.del(key(name, "password"));  // first: the user no longer exists
  for (const auto& k : *keys) kv_.del(k);
  return Status::Ok();
}

Result<std::optional<User>> UserService::authenticate(std::string_view name,
                                                      std::string_view password) {
  if (!validUserName(name)) return std::optional<User>();
  auto hash = kv_.get(key(name, "password"));
  if (!hash) return Error{hash.error(), hash.unavailable()};
  if (!*hash || !verifyPassword(password, **hash)) return std::optional<User>();
  return get(name);
}

Status UserService::setPassword(std::string_view name, std::string_view password) {
  const ForgetOnExit forget_on_exit(*this, name);
  auto ex = exists(name);
  if (!ex) return Error{ex.error(), ex.unavailable()};
  if (!*ex) return Error{"no user '" + std::string(name) + "'"};
  if (password.empty()) return Error{"empty password"};
  auto hash = hashPassword(password);
  if (!hash) return Error{hash.error()};
  if (Status st = kv_.set(key(name, "password"), *hash, 0); !st) return st;
  if (name == "admin") return kv_.set(kAdminPasswordChanged, "1", 0);
  return Status::Ok();
}

std::optional<std::string> UserService::passwordHash(std::string_view name) {
  if (!validUserName(name)) return std::nullopt;
  auto h = kv_.get(key(name, "password"));
  if (!h || !*h) return std::nullopt;
  return **h;
}

Status UserService::setRole(std::string_view name, std::string_view role) {
  const ForgetOnExit forget_on_exit(*this, name);
  auto r = normaliseRole(role);
  if (!r) return Error{"unknown role '" + std::string(role) + "'"};
  auto u = get(name);
  if (!u) return Error{u.error(), u.unavailable()};
  if (!*u) return Error{"no user '" + std::string(name) + "'"};
  if ((*u)->isAdministrator() && *r != kAdministrator) {
    auto all = list();
    if (!all) return Error{all.error(), all.unavailable()};
    int admins = 0;
    for (const auto& x : *all) admins += x.isAdministrator();
    if (admins <= 1) return Error{"the last administrator stays an administrator"};
  }
  return kv_.set(key(name, "group"), *r, 0);
}

Status UserService::setField(std::string_view name, std::string_view field,
                             std::string_view value) {
  const ForgetOnExit forget_on_exit(*this, name);
  if (!isOneOf(field, kTextFields)) return Error{"unknown field '" + std::string(field) + "'"};
  auto ex = exists(name);
  if (!ex) return Error{ex.error(), ex.unavailable()};
  if (!*ex) return Error{"no user '" + std::string(name) + "'"};
  if (field == "allowed_nets" && !value.empty()) {
    std::stringstream ss{std::string(value)};
    std::string item;
    while (std::getline(ss, item, ',')) {
      if (!item.empty() && !util::parsePrefix(item)) return Error{"invalid network '" + item + "'"};
    }
  }
  return kv_.set(key(name, field), value, 0);
}

Status UserService::setFlag(std::string_view name, std::string_view flag, bool value) {
  const ForgetOnExit forget_on_exit(*this, name);
  if (!isOneOf(flag, kFlags)) return Error{"unknown flag '" + std::string(flag) + "'"};
  auto ex = exists(name);
  if (!ex) return Error{ex.error(), ex.unavailable()};
  if (!*ex) return Error{"no user '" + std::string(name) + "'"};
  return kv_.set(key(name, flag), value ? "1" : "0", 0);
}

Result<std::string> UserService::createApiToken(std::string_view name) {
  auto ex = exists(name);
  if (!ex) return Error{ex.error(), ex.unavailable()};
  if (!*ex) return Error{"no user '" + std::string(name) + "'"};
  if (auto old = apiToken(name); old && *old) kv_.hdel(kApiTokens, **old);
  std::string token = randomHex(16);  // 32 hex characters, as ntopng's
  if (Status st = kv_.set(key(name, "api_token"), token, 0); !st) return Error{st.error()};
  if (Status st = kv_.hset(kApiTokens, token, name); !st) return Error{st.error()};
  return token;
}

Result<std::optional<std::string>> UserService::apiToken(std::string_view name) {
  if (!validUserName(name)) return std::optional<std::string>();
  return kv_.get(key(name, "api_token"));
}

Result<std::optional<std::string>> UserService::userForToken(std::string_view token) {
  if (token.size() != 32) return std::optional<std::string>();
  auto user = kv_.hget(kApiTokens, token);
  if (!user) return Error{user.error(), user.unavailable()};
  if (!*user) return std::optional<std::string>();
  // The user's own record must still name this token (a revoked token stays revoked).
  auto current = apiToken(**user);
  if (!current || !*current || !constantTimeEqual(**current, token)) {
    return std::optional<std::string>();
  }
  return *user;
}

Status UserService::setTotpSecret(std::string_view name, std::string_view secret_b32) {
  const ForgetOnExit forget_on_exit(*this, name);
  auto ex = exists(name);
  if (!ex) return Error{ex.error(), ex.unavailable()};
  if (!*ex) return Error{"no user '" + std::string(name) + "'"};
  if (!totpCode(secret_b32, 0)) return Error{"not a base32 TOTP secret"};
  kv_.del(key(name, "totp_last_step"));
  return kv_.set(key(name, "totp_secret"), secret_b32, 0);
}

Result<std::optional<std::string>> UserService::totpSecret(std::string_view name) {
  if (!validUserName(name)) return std::optional<std::string>();
  return kv_.get(key(name, "totp_secret"));
}

Status UserService::setTotpEnabled(std::string_view name, bool enabled) {
  const ForgetOnExit forget_on_exit(*this, name);
  auto ex = exists(name);
  if (!ex) return Error{ex.error(), ex.unavailable()};
  if (!*ex) return Error{"no user '" + std::string(name) + "'"};
  if (enabled) {
    auto secret = totpSecret(name);
    if (!secret || !*secret) return Error{"no TOTP secret set for '" + std::string(name) + "'"};
  }
  return kv_.set(key(name, "totp_enabled"), enabled ? "1" : "0", 0);
}

Result<bool> UserService::checkTotp(std::string_view name, std::string_view code, time_t now) {
  auto secret = totpSecret(name);
  if (!secret) return Error{secret.error(), secret.unavailable()};
  if (!*secret) return false;
  auto step = totpValidate(**secret, code, now);
  if (!step) return Error{step.error()};
  if (!*step) return false;
  // Replay: the step must be newer than the last accepted one. incrBy-free compare-and-set is
  // enough here: two logins with the same code race only within one process, under the lock.
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  auto last = kv_.get(key(name, "totp_last_step"));
  uint64_t last_step = 0;
  if (last && *last) std::from_chars((*last)->data(), (*last)->data() + (*last)->size(), last_step);
  if (last && *last && **step <= last_step) return false;
  kv_.set(key(name, "totp_last_step"), std::to_string(**step), 0);
  return true;
}

bool UserService::isBlacklisted(std::string_view name) {
  auto n = kv_.get("ntopng.cache.failed_logins." + std::string(name));
  if (!n || !*n) return false;
  int count = 0;
  std::from_chars((*n)->data(), (*n)->data() + (*n)->size(), count);
  return count >= kMaxFailedLogins;
}

void UserService::recordFailedLogin(std::string_view name) {
  if (!validUserName(name)) return;
  const std::string k = "ntopng.cache.failed_logins." + std::string(name);
  auto exists_now = kv_.exists(k);
  auto n = kv_.incrBy(k, 1);
  // The window starts at the first failure: set its TTL once.
  if (n && exists_now && !*exists_now) kv_.set(k, std::to_string(*n), kFailedLoginWindowS);
  if (n && *n == kMaxFailedLogins) {
    log::warning("Login: '{}' blocked for {} s after {} failed attempts", name,
                 kFailedLoginWindowS, kMaxFailedLogins);
  }
}

void UserService::clearFailedLogins(std::string_view name) {
  kv_.del("ntopng.cache.failed_logins." + std::string(name));
}

}  // namespace flowlens::auth
