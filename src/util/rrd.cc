#include "util/rrd.h"

#include <rrd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>

#include "util/fs.h"
#include "util/lazy_library.h"
#include "util/time.h"

namespace flowlens::util::rrd {
namespace {

// librrd comes with its graphing stack (cairo, pango, glib, ...: 8 MiB of resident memory
// once loaded), so it is loaded on the first RRD call, not at start-up.
struct Api {
  decltype(&::rrd_clear_error) clear_error;
  decltype(&::rrd_get_error) get_error;
  decltype(&::rrd_create_r) create_r;
  decltype(&::rrd_update_r) update_r;
  decltype(&::rrd_fetch_r) fetch_r;
  decltype(&::rrd_lastupdate_r) lastupdate_r;
  decltype(&::rrd_tune) tune;
  decltype(&::rrd_info_r) info_r;
  decltype(&::rrd_info_free) info_free;
  decltype(&::rrd_freemem) freemem;
  decltype(&::rrd_parsetime) parsetime;
  decltype(&::rrd_proc_start_end) proc_start_end;
};

// The loaded library's functions; nullptr when librrd cannot be loaded.
const Api* api() {
  static const Api* loaded = []() -> const Api* {
    static LazyLibrary lib("librrd.so.8");
    static Api a;
    lib.resolve(a.clear_error, "rrd_clear_error");
    lib.resolve(a.get_error, "rrd_get_error");
    lib.resolve(a.create_r, "rrd_create_r");
    lib.resolve(a.update_r, "rrd_update_r");
    lib.resolve(a.fetch_r, "rrd_fetch_r");
    lib.resolve(a.lastupdate_r, "rrd_lastupdate_r");
    lib.resolve(a.tune, "rrd_tune");
    lib.resolve(a.info_r, "rrd_info_r");
    lib.resolve(a.info_free, "rrd_info_free");
    lib.resolve(a.freemem, "rrd_freemem");
    lib.resolve(a.parsetime, "rrd_parsetime");
    lib.resolve(a.proc_start_end, "rrd_proc_start_end");
    return lib.ok() ? &a : nullptr;
  }();
  return loaded;
}

const Error kNoLibrrd{"librrd is not installed (Debian package librrd8)"};


// librrd's error for this thread (its context is per thread), cleared for the next call.
std::string lastError(const std::string& what) {
  const char* e = api()->get_error();
  std::string msg = what + ": " + (e && *e ? e : "unknown RRD error");
  api()->clear_error();
  return msg;
}

bool isInteger(const std::string& s) {
  if (s.empty()) return false;
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size();
}

// A value as rrd_update takes it: a number or "U".
bool isValue(const std::string& s) {
  if (s == "U") return true;
  if (s.empty() || s.find_first_of(": \t\n") != std::string::npos) return false;
  char* end = nullptr;
  errno = 0;
  std::strtod(s.c_str(), &end);
  return errno == 0 && end == s.c_str() + s.size();
}

std::vector<const char*> pointers(const std::vector<std::string>& v) {
  std::vector<const char*> out;
  out.reserve(v.size());
  for (const std::string& s : v) out.push_back(s.c_str());
  return out;
}

bool startsAsRrd(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  char magic[4] = {0};
  return in.read(magic, 4) && std::memcmp(magic, "RRD", 4) == 0;
}

}  // namespace

Status create(const std::string& path, uint64_t step, time_t start,
              const std::vector<std::string>& definitions) {
  if (!api()) return kNoLibrrd;
  if (step == 0) return Error{"step must be positive"};
  if (definitions.empty()) return Error{"no DS or RRA definitions"};
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    if (Status st = fs::mkdirs(parent.string()); !st) return st;
  }
  auto argv = pointers(definitions);
  api()->clear_error();
  if (api()->create_r(path.c_str(), step, start, static_cast<int>(argv.size()), argv.data()) != 0) {
    return Error{lastError("cannot create " + path)};
  }
  return {};
}

Status update(const std::string& path, const std::string& when,
              const std::vector<std::string>& values) {
  if (!api()) return kNoLibrrd;
  if (when != "N" && !isInteger(when)) return Error{"time must be \"N\" or epoch seconds"};
  if (values.empty()) return Error{"no values"};
  std::string sample = when;
  for (const std::string& v : values) {
    if (!isValue(v)) return Error{"not a number or \"U\": '" + v + "'"};
    sample += ":" + v;
  }
  const char* argv[] = {sample.c_str()};
  api()->clear_error();
  if (api()->update_r(path.c_str(), nullptr, 1, argv) != 0) {
    return Error{lastError("cannot update " + path)};
  }
  return {};
}

Result<std::pair<time_t, time_t>> parseRange(const std::string& start, const std::string& end) {
  std::pair<time_t, time_t> range;
  if (isInteger(start) && isInteger(end)) {
    range = {std::strtoll(start.c_str(), nullptr, 10), std::strtoll(end.c_str(), nullptr, 10)};
  } else {
    if (!api()) return kNoLibrrd;
    // Local-time arithmetic: not while another thread has switched TZ.
    std::lock_guard<std::mutex> lock(util::timezoneMutex());
    rrd_time_value_t s{}, e{};
    if (const char* err = api()->parsetime(start.c_str(), &s)) {
      return Error{"start time '" + start + "': " + err};
    }
    if (const char* err = api()->parsetime(end.c_str(), &e)) {
      return Error{"end time '" + end + "': " + err};
    }
    api()->clear_error();
    if (api()->proc_start_end(&s, &e, &range.first, &range.second) == -1) {
      return Error{lastError("time range")};
    }
  }
  if (range.first >= range.second) return Error{"start must be before end"};
  return range;
}

namespace {

// The file's step and number of data sources, from its header.
Result<std::pair<uint64_t, size_t>> shape(const std::string& path) {
  if (!api()) return kNoLibrrd;
  api()->clear_error();
  rrd_info_t* info = api()->info_r(path.c_str());
  if (!info) return Error{lastError("cannot read " + path)};
  uint64_t step = 0;
  size_t sources = 0;
  for (rrd_info_t* i = info; i; i = i->next) {
    const std::string_view key(i->key);
    if (key == "step" && i->type == RD_I_CNT) step = i->value.u_cnt;
    if (key.starts_with("ds[") && key.ends_with("].index")) ++sources;
  }
  api()->info_free(info);
  return std::pair{step, sources};
}

}  // namespace

Result<Series> fetch(const std::string& path, const std::string& cf, time_t start, time_t end,
                     uint64_t resolution) {
  // librrd allocates the whole answer: refuse a range that would not fit in reason.
  auto sh = shape(path);
  if (!sh) return Error{sh.error()};
  const uint64_t step = std::max<uint64_t>({sh->first, resolution, 1});
  const uint64_t points = end > start ? uint64_t(end - start) / step + 1 : 1;
  if (points > kMaxFetchValues || points * std::max<size_t>(sh->second, 1) > kMaxFetchValues) {
    return Error{"the range holds more than " + std::to_string(kMaxFetchValues) +
                 " values: ask for a shorter one or a coarser step"};
  }
  Series s;
  s.start = start;
  s.end = end;
  unsigned long rrd_step = resolution, ds_count = 0;
  char** names = nullptr;
  rrd_value_t* data = nullptr;
  api()->clear_error();
  if (api()->fetch_r(path.c_str(), cf.c_str(), &s.start, &s.end, &rrd_step, &ds_count, &names,
                  &data) != 0) {
    return Error{lastError("cannot fetch from " + path)};
  }
  s.step = rrd_step;
  for (unsigned long i = 0; i < ds_count; ++i) {
    s.names.emplace_back(names[i]);
    api()->freemem(names[i]);
  }
  api()->freemem(names);
  const size_t rows = rrd_step ? static_cast<size_t>((s.end - s.start) / rrd_step) : 0;
  if (data) s.values.assign(data, data + rows * ds_count);
  api()->freemem(data);
  return s;
}

Result<LastUpdate> lastUpdate(const std::string& path) {
  if (!api()) return kNoLibrrd;
  LastUpdate u;
  unsigned long count = 0;
  char** names = nullptr;
  char** values = nullptr;
  api()->clear_error();
  if (api()->lastupdate_r(path.c_str(), &u.when, &count, &names, &values) != 0) {
    return Error{lastError("cannot read " + path)};
  }
  for (unsigned long i = 0; i < count; ++i) {
    u.names.emplace_back(names[i]);
    u.values.emplace_back(values[i]);
    api()->freemem(names[i]);
    api()->freemem(values[i]);
  }
  api()->freemem(names);
  api()->freemem(values);
  return u;
}

Status tune(const std::string& path, const std::vector<std::string>& args) {
  if (!api()) return kNoLibrrd;
  if (args.empty()) return Error{"nothing to tune"};
  std::vector<std::string> words = {"tune", path};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  api()->clear_error();
  if (api()->tune(static_cast<int>(words.size()), argv.data()) != 0) {
    return Error{lastError("cannot tune " + path)};
  }
  return {};
}

Result<size_t> deleteOlderThan(const std::string& dir, int64_t older_than, time_t now,
                               const std::function<bool()>& cancelled) {
  namespace fsys = std::filesystem;
  std::error_code ec;
  if (!fsys::is_directory(fsys::symlink_status(dir, ec))) return Error{dir + " is no directory"};
  const fsys::path root = fsys::path(dir).lexically_normal();
  size_t removed = 0;
  std::set<fsys::path> emptied;  // parents of removed files
  fsys::recursive_directory_iterator it(dir, fsys::directory_options::skip_permission_denied, ec);
  if (ec) return Error{dir + ": " + ec.message()};
  for (; it != fsys::recursive_directory_iterator(); it.increment(ec)) {
    if (ec || (cancelled && cancelled())) break;
    const fsys::file_status st = it->symlink_status(ec);
    if (!fsys::is_regular_file(st) || !startsAsRrd(it->path())) continue;
    auto last = lastUpdate(it->path().string());
    if (!last || now - last->when <= older_than) continue;
    if (fsys::remove(it->path(), ec)) {
      ++removed;
      emptied.insert(it->path().parent_path().lexically_normal());
    }
  }
  // Deepest first, and up towards the root: a directory goes once nothing is left in it
  // (remove() fails on one that holds anything). The root itself stays.
  std::vector<fsys::path> dirs(emptied.begin(), emptied.end());
  std::sort(dirs.begin(), dirs.end(), [](const fsys::path& a, const fsys::path& b) {
    return a.native().size() > b.native().size();
  });
  for (fsys::path d : dirs) {
    while (d != root && d.native().size() > root.native().size() && fsys::remove(d, ec)) {
      d = d.parent_path();
    }
  }
  return removed;
}

}  // namespace flowlens::util::rrd
