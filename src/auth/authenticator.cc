#include "auth/authenticator.h"

#include <strings.h>

#include "auth/crypto.h"
#include "core/log.h"
#include "util/text.h"

namespace flowlens::auth {
namespace {

constexpr auto kBasicCacheTtl = std::chrono::seconds(60);

// The value of cookie `name` in a Cookie header, or "".
std::string cookieValue(const std::string& header, const std::string& name) {
  size_t pos = 0;
  while (pos < header.size()) {
    size_t end = header.find(';', pos);
    if (end == std::string::npos) end = header.size();
    std::string item = header.substr(pos, end - pos);
    const auto b = item.find_first_not_of(' ');
    if (b != std::string::npos) item.erase(0, b);
    if (item.size() > name.size() && item.compare(0, name.size(), name) == 0 &&
        item[name.size()] == '=') {
      return item.substr(name.size() + 1);
    }
    pos = end + 1;
  }
  return "";
}

}  // namespace

bool Authenticator::isLoopback(const std::string& addr) {
  return addr == "::1" || addr.rfind("127.", 0) == 0 || addr == "::ffff:127.0.0.1";
}

bool Authenticator::loginDisabledFor(const std::string& remote_addr) const {
  return options_.disable_login == 1 || (options_.disable_login == 0 && isLoopback(remote_addr));
}

std::string Authenticator::cookieName() const {
  return "session_" + std::to_string(options_.http.port) + "_" +
         std::to_string(options_.https.port);
}

std::optional<std::string> Authenticator::cachedBasic(const std::string& digest,
                                                      const std::string& name) {
  Verified v;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = basic_cache_.find(digest);
    if (it == basic_cache_.end()) return std::nullopt;
    if (std::chrono::steady_clock::now() - it->second.at > kBasicCacheTtl) {
      basic_cache_.erase(it);
      return std::nullopt;
    }
    v = it->second;
  }
  auto current = users_.passwordHash(name);
  if (v.user != name || !current || !constantTimeEqual(*current, v.hash)) return std::nullopt;
  return v.user;
}

AuthDecision Authenticator::authenticate(const AuthInput& in) {
  AuthDecision d;
  if (loginDisabledFor(in.remote_addr)) {
    d.identity = Identity{"admin", kAdministrator, "", "", true, "disabled-login"};
    return d;
  }
  if (in.authorization.size() > 1) {
    d.status = 400;
    d.message = "several Authorization headers";
    return d;
  }
  auto allow = [&](const User& u, std::string via) {
    d.identity = Identity{u.name, u.group, "", "", true, std::move(via), u.allowed_ifname,
                          u.allowed_nets};
  };
  if (in.authorization.size() == 1) {
    const std::string& h = in.authorization[0];
    if (h.size() > 6 && strncasecmp(h.c_str(), "Basic ", 6) == 0) {
      auto decoded = base64Decode(h.substr(6));
      const auto colon = decoded ? decoded->find(':') : std::string::npos;
      if (!decoded || colon == std::string::npos) {
        d.status = 400;
        d.message = "malformed Basic credentials";
        return d;
      }
      const std::string name = decoded->substr(0, colon);
      const std::string digest = util::sha256Hex(*decoded);
      if (auto cached = cachedBasic(digest, name); cached && !users_.isBlacklisted(name)) {
        if (auto u = users_.get(name); u && *u && !(*u)->totp_enabled) {
          allow(**u, "basic");
          return d;
        }
      }
      if (users_.isBlacklisted(name)) {
        d.message = "too many failed logins: try again later";
        return d;
      }
      auto u = users_.authenticate(name, decoded->substr(colon + 1));
      if (!u || !*u) {
        users_.recordFailedLogin(name);
        log::warning("HTTP Basic authentication failed for '{}' from {}",
                     validUserName(name) ? name : "(invalid name)", in.remote_addr);
        d.message = "wrong user name or password";
        return d;
      }
      if ((*u)->totp_enabled) {  // a password alone is not enough for them
        d.message = "two-factor users sign in with the login form or an API token";
        return d;
      }
      if (auto hash = users_.passwordHash(name)) {
        std::lock_guard<std::mutex> lock(mu_);
        if (basic_cache_.size() > 1024) basic_cache_.clear();
        basic_cache_[digest] = {name, *hash, std::chrono::steady_clock::now()};
      }
      users_.clearFailedLogins(name);
      allow(**u, "basic");
      return d;
    }
    // An API token: ntopng's "Token <t>", or "Bearer <t>" (what ntop.http*AuthToken send).
    size_t scheme = 0;
    if (h.size() > 6 && strncasecmp(h.c_str(), "Token ", 6) == 0) scheme = 6;
    if (h.size() > 7 && strncasecmp(h.c_str(), "Bearer ", 7) == 0) scheme = 7;
    if (scheme) {
      auto name = users_.userForToken(h.substr(scheme));
      std::optional<User> u;
      if (name && *name) {
        auto rec = users_.get(**name);
        if (rec && *rec) u = **rec;
      }
      if (!u) {
        d.message = "invalid or revoked API token";
        return d;
      }
      allow(*u, "token");
      return d;
    }
    d.status = 400;
    d.message = "unsupported Authorization scheme";
    return d;
  }
  const std::string id = cookieValue(in.cookie, cookieName());
  if (!id.empty()) {
    auto s = sessions_.lookup(id);
    if (s && *s) {
      auto u = users_.get((*s)->user);  // cached: lookup() just read it
      d.identity = Identity{(*s)->user, (*s)->group, (*s)->csrf, (*s)->id, (*s)->localuser,
                            "session"};
      if (u && *u) {
        d.identity->allowed_ifname = (*u)->allowed_ifname;
        d.identity->allowed_nets = (*u)->allowed_nets;
      }
      return d;
    }
    d.message = "session expired or unknown";
    return d;
  }
  d.message = "authentication required";
  return d;
}

Result<Session> Authenticator::login(std::string_view user, std::string_view password,
                                     std::string_view totp_code) {
  const Error refused{"wrong user name, password or code"};
  if (!validUserName(user)) return refused;
  if (users_.isBlacklisted(user)) return Error{"too many failed logins: try again later"};
  auto u = users_.authenticate(user, password);
  if (!u) return Error{u.error(), u.unavailable()};
  if (!*u) {
    users_.recordFailedLogin(user);
    log::warning("Login failed for '{}'", user);
    return refused;
  }
  if ((*u)->totp_enabled) {
    auto ok = users_.checkTotp(user, totp_code, std::time(nullptr));
    if (!ok || !*ok) {
      users_.recordFailedLogin(user);
      log::warning("Login failed for '{}': wrong or reused TOTP code", user);
      return refused;
    }
  }
  users_.clearFailedLogins(user);
  log::normal("User '{}' logged in", user);
  return sessions_.create(user);
}

}  // namespace flowlens::auth
