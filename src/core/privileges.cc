#include "core/privileges.h"

#include <grp.h>
#include <pwd.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace flowlens::privileges {
namespace {

std::atomic<bool> g_dropped{false};

bool setCaps(bool write_effective) {
  cap_t caps = cap_init();
  if (!caps) return false;
  // CAP_DAC_OVERRIDE last: effective only between gain/dropWriteCapabilities.
  const cap_value_t kept[] = {CAP_NET_RAW, CAP_NET_ADMIN, CAP_NET_BIND_SERVICE, CAP_DAC_OVERRIDE};
  const cap_value_t* effective = kept;
  const int n_effective = write_effective ? 4 : 3;
  bool ok = cap_set_flag(caps, CAP_PERMITTED, 4, kept, CAP_SET) == 0 &&
            cap_set_flag(caps, CAP_EFFECTIVE, n_effective, effective, CAP_SET) == 0 &&
            cap_set_proc(caps) == 0;
  cap_free(caps);
  return ok;
}

}  // namespace

std::string defaultUser() { return getpwnam("flowlens") ? "flowlens" : "nobody"; }

Status dropTo(const std::string& user, const std::vector<std::string>& owned_paths) {
  if (geteuid() != 0) return Status::Ok();  // not root: nothing to drop
  const passwd* pw = getpwnam(user.c_str());
  if (!pw) return Error{"-U: no such user '" + user + "'"};
  const uid_t uid = pw->pw_uid;
  const gid_t gid = pw->pw_gid;
  if (uid == 0) return Status::Ok();
  for (const auto& path : owned_paths) {
    std::error_code ec;
    if (lchown(path.c_str(), uid, gid) != 0) {
      return Error{"cannot hand " + path + " to " + user + ": " + std::strerror(errno)};
    }
    for (auto it = std::filesystem::recursive_directory_iterator(path, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      lchown(it->path().c_str(), uid, gid);
    }
  }
  if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) return Error{"prctl(PR_SET_KEEPCAPS) failed"};
  if (initgroups(pw->pw_name, gid) != 0 || setgid(gid) != 0 || setuid(uid) != 0) {
    return Error{"cannot switch to user '" + user + "': " + std::strerror(errno)};
  }
  if (setuid(0) == 0) return Error{"privilege drop did not stick"};  // must be impossible now
  if (!setCaps(false)) return Error{"cannot set capabilities after the drop"};
  prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
  g_dropped.store(true);
  return Status::Ok();
}

bool dropped() { return g_dropped.load(); }

bool gainWriteCapabilities() { return dropped() && setCaps(true); }
bool dropWriteCapabilities() { return dropped() && setCaps(false); }

}  // namespace flowlens::privileges
