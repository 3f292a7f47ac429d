#include "store/embedded_store.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "core/log.h"

namespace flowlens::store {
namespace {

constexpr const char* kWrongType =
    "WRONGTYPE Operation against a key holding the wrong kind of value";

int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void putU32(std::string& out, uint32_t v) {
  char b[4] = {static_cast<char>(v), static_cast<char>(v >> 8), static_cast<char>(v >> 16),
               static_cast<char>(v >> 24)};
  out.append(b, 4);
}

bool getU32(std::string_view& in, uint32_t& v) {
  if (in.size() < 4) return false;
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  v = p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<uint32_t>(p[3]) << 24);
  in.remove_prefix(4);
  return true;
}

void putItem(std::string& out, std::string_view s) {
  putU32(out, static_cast<uint32_t>(s.size()));
  out.append(s);
}

bool getItem(std::string_view& in, std::string& s) {
  uint32_t n;
  if (!getU32(in, n) || in.size() < n) return false;
  s.assign(in.data(), n);
  in.remove_prefix(n);
  return true;
}

uint32_t fnv1a(std::string_view s) {
  uint32_t h = 2166136261u;
  for (unsigned char c : s) h = (h ^ c) * 16777619u;
  return h;
}

// Redis list index normalisation: [start, stop] clamped into [0, n).
bool normaliseRange(int64_t n, int64_t& start, int64_t& stop) {
  if (start < 0) start += n;
  if (stop < 0) stop += n;
  if (start < 0) start = 0;
  if (stop >= n) stop = n - 1;
  return !(start > stop || start >= n);
}

}  // namespace

// ---- serialisation -------------------------------------------------------------------------

std::string EmbeddedStore::encode(const Entry& e) {
  std::string out;
  switch (e.type) {
    case Type::kString:
      return e.str;
    case Type::kHash:
      for (const auto& [k, v] : e.hash) {
        putItem(out, k);
        putItem(out, v);
      }
      break;
    case Type::kList:
      for (const auto& v : e.list) putItem(out, v);
      break;
    case Type::kSet:
      for (const auto& v : e.set) putItem(out, v);
      break;
  }
  return out;
}

std::optional<EmbeddedStore::Entry> EmbeddedStore::decode(Type type, std::string_view in) {
  Entry e;
  e.type = type;
  std::string a, b;
  switch (type) {
    case Type::kString:
      e.str.assign(in);
      return e;
    case Type::kHash:
      while (!in.empty()) {
        if (!getItem(in, a) || !getItem(in, b)) return std::nullopt;
        e.hash[a] = b;
      }
      return e;
    case Type::kList:
      while (!in.empty()) {
        if (!getItem(in, a)) return std::nullopt;
        e.list.push_back(a);
      }
      return e;
    case Type::kSet:
      while (!in.empty()) {
        if (!getItem(in, a)) return std::nullopt;
        e.set.insert(a);
      }
      return e;
  }
  return std::nullopt;
}

// ---- lifecycle -----------------------------------------------------------------------------

EmbeddedStore::EmbeddedStore(Config config) : config_(std::move(config)) {}

Result<std::unique_ptr<EmbeddedStore>> EmbeddedStore::open(const Config& config) {
  std::unique_ptr<EmbeddedStore> s(new EmbeddedStore(config));
  if (Status st = s->openFile(); !st) return Error{st.error()};
  if (Status st = s->load(); !st) return Error{st.error()};
  s->flusher_ = std::thread([p = s.get()] { p->flusherLoop(); });
  return s;
}

Status EmbeddedStore::openFile() {
  const std::string lock_path = config_.path + ".lock";
  lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd_ < 0 || flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    return Error{"store " + config_.path + " is in use by another process (" + lock_path + ")"};
  }
  if (sqlite3_open_v2(config_.path.c_str(), &db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK) {
    return Error{"cannot open store " + config_.path + ": " + sqlite3_errmsg(db_)};
  }
  sqlite3_busy_timeout(db_, 5000);
  char* err = nullptr;
  const char* schema =
      "PRAGMA journal_mode=WAL;"
      "PRAGMA synchronous=NORMAL;"
      "CREATE TABLE IF NOT EXISTS kv(key BLOB PRIMARY KEY, type INTEGER NOT NULL,"
      " value BLOB NOT NULL, expire_ms INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;";
  if (sqlite3_exec(db_, schema, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "?";
    sqlite3_free(err);
    return Error{"store " + config_.path + " is not usable: " + msg};
  }
  return Status::Ok();
}

Status EmbeddedStore::load() {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db_, "SELECT key, type, value, expire_ms FROM kv", -1, &st, nullptr) !=
      SQLITE_OK) {
    return Error{std::string("cannot read store: ") + sqlite3_errmsg(db_)};
  }
  const int64_t now = nowMs();
  size_t skipped = 0;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    std::string key(static_cast<const char*>(sqlite3_column_blob(st, 0)),
                    static_cast<size_t>(sqlite3_column_bytes(st, 0)));
    const int type = sqlite3_column_int(st, 1);
    std::string_view blob(static_cast<const char*>(sqlite3_column_blob(st, 2)),
                          static_cast<size_t>(sqlite3_column_bytes(st, 2)));
    const int64_t expire = sqlite3_column_int64(st, 3);
    if (expire != 0 && expire <= now) {
      dirty_.insert(key);  // expired while we were down: delete at the next flush
      continue;
    }
    auto e = type >= 1 && type <= 4 ? decode(static_cast<Type>(type), blob) : std::nullopt;
    if (!e) {
      ++skipped;
      continue;
    }
    e->expire_ms = expire;
    map_.emplace(std::move(key), std::move(*e));
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) return Error{std::string("cannot read store: ") + sqlite3_errmsg(db_)};
  if (skipped) log::warning("store: {} undecodable keys skipped in {}", skipped, config_.path);
  log::info("store: {} keys loaded from {}", map_.size(), config_.path);
  return Status::Ok();
}

EmbeddedStore::~EmbeddedStore() {
  {
    std::lock_guard<std::mutex> lock(stop_mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (flusher_.joinable()) flusher_.join();
  if (db_) {
    if (Status st = flushToDisk(); !st) log::error("store: final flush failed: {}", st.error());
    sqlite3_close(db_);
  }
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

void EmbeddedStore::flusherLoop() {
  std::unique_lock<std::mutex> lock(stop_mu_);
  while (!stopping_) {
    stop_cv_.wait_for(lock, config_.flush_interval, [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    {  // sweep expired keys so that they leave memory and the file
      const int64_t now = nowMs();
      std::unique_lock<std::shared_mutex> w(mu_);
      for (auto it = map_.begin(); it != map_.end();) {
        if (it->second.expire_ms != 0 && it->second.expire_ms <= now) {
          dirty_.insert(it->first);
          it = map_.erase(it);
        } else {
          ++it;
        }
      }
    }
    if (Status st = flushToDisk(); !st) log::error("store: flush failed: {}", st.error());
    lock.lock();
  }
}

Status EmbeddedStore::flushToDisk() {
  std::lock_guard<std::mutex> db_lock(db_mu_);
  struct Row {
    std::string key;
    bool present;
    int type;
    std::string blob;
    int64_t expire;
  };
  std::vector<Row> rows;
  bool clear_all;
  {
    std::unique_lock<std::shared_mutex> w(mu_);
    clear_all = clear_all_;
    clear_all_ = false;
    rows.reserve(dirty_.size());
    for (const auto& key : dirty_) {
      const Entry* e = find(key);
      if (e) rows.push_back({key, true, static_cast<int>(e->type), encode(*e), e->expire_ms});
      else rows.push_back({key, false, 0, {}, 0});
    }
    dirty_.clear();
  }
  if (rows.empty() && !clear_all) return Status::Ok();

  auto fail = [&](const char* what) {
    std::string msg = std::string(what) + ": " + sqlite3_errmsg(db_);
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    std::unique_lock<std::shared_mutex> w(mu_);  // try these keys again at the next flush
    for (auto& r : rows) dirty_.insert(std::move(r.key));
    clear_all_ = clear_all_ || clear_all;
    last_error_ = msg;
    return Status(Error{msg});
  };
  if (sqlite3_exec(db_, "BEGIN", nullptr, nullptr, nullptr) != SQLITE_OK) return fail("begin");
  if (clear_all && sqlite3_exec(db_, "DELETE FROM kv", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return fail("clear");
  }
  sqlite3_stmt *up = nullptr, *del = nullptr;
  if (sqlite3_prepare_v2(db_, "INSERT OR REPLACE INTO kv(key,type,value,expire_ms) VALUES(?,?,?,?)",
                         -1, &up, nullptr) != SQLITE_OK ||
      sqlite3_prepare_v2(db_, "DELETE FROM kv WHERE key=?", -1, &del, nullptr) != SQLITE_OK) {
    sqlite3_finalize(up);
    return fail("prepare");
  }
  bool ok = true;
  for (const auto& r : rows) {
    sqlite3_stmt* st = r.present ? up : del;
    sqlite3_bind_blob(st, 1, r.key.data(), static_cast<int>(r.key.size()), SQLITE_STATIC);
    if (r.present) {
      sqlite3_bind_int(st, 2, r.type);
      sqlite3_bind_blob(st, 3, r.blob.data(), static_cast<int>(r.blob.size()), SQLITE_STATIC);
      sqlite3_bind_int64(st, 4, r.expire);
    }
    ok = sqlite3_step(st) == SQLITE_DONE;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (!ok) break;
  }
  sqlite3_finalize(up);
  sqlite3_finalize(del);
  if (!ok) return fail("write");
  if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) return fail("commit");
  return Status::Ok();
}

// ---- access helpers ------------------------------------------------------------------------

const EmbeddedStore::Entry* EmbeddedStore::find(std::string_view key) const {
  auto it = map_.find(key);
  if (it == map_.end()) return nullptr;
  if (it->second.expire_ms != 0 && it->second.expire_ms <= nowMs()) return nullptr;
  return &it->second;
}

Result<EmbeddedStore::Entry*> EmbeddedStore::upsert(std::string_view key, Type type) {
  auto it = map_.find(key);
  if (it != map_.end() && it->second.expire_ms != 0 && it->second.expire_ms <= nowMs()) {
    map_.erase(it);
    it = map_.end();
  }
  if (it == map_.end()) {
    Entry e;
    e.type = type;
    it = map_.emplace(std::string(key), std::move(e)).first;
  } else if (it->second.type != type) {
    return Error{kWrongType};
  }
  touch(key);
  return &it->second;
}

void EmbeddedStore::eraseIfEmpty(std::string_view key, Entry* e) {
  const bool empty = (e->type == Type::kHash && e->hash.empty()) ||
                     (e->type == Type::kList && e->list.empty()) ||
                     (e->type == Type::kSet && e->set.empty());
  if (empty) map_.erase(map_.find(key));
}

// ---- strings -------------------------------------------------------------------------------

Result<MaybeString> EmbeddedStore::get(std::string_view key) {
  std::shared_lock<std::shared_mutex> r(mu_);
  const Entry* e = find(key);
  if (!e) return MaybeString();
  if (e->type != Type::kString) return Error{kWrongType};
  return MaybeString(e->str);
}

Status EmbeddedStore::set(std::string_view key, std::string_view value, int64_t ttl_s) {
  std::unique_lock<std::shared_mutex> w(mu_);
  Entry e;
  e.str.assign(value);
  if (ttl_s > 0) e.expire_ms = nowMs() + std::min(ttl_s, kMaxTtlSeconds) * 1000;
  map_.insert_or_assign(std::string(key), std::move(e));
  touch(key);
  return Status::Ok();
}

Result<bool> EmbeddedStore::setnx(std::string_view key, std::string_view value) {
  std::unique_lock<std::shared_mutex> w(mu_);
  if (find(key)) return false;
  Entry e;
  e.str.assign(value);
  map_.insert_or_assign(std::string(key), std::move(e));
  touch(key);
  return true;
}

Status EmbeddedStore::del(std::string_view key) {
  std::unique_lock<std::shared_mutex> w(mu_);
  auto it = map_.find(key);
  if (it != map_.end()) {
    map_.erase(it);
    touch(key);
  }
  return Status::Ok();
}

Status EmbeddedStore::rename(std::string_view from, std::string_view to) {
  std::unique_lock<std::shared_mutex> w(mu_);
  if (!find(from)) return Error{"ERR no such key"};
  if (from == to) return Status::Ok();
  auto node = map_.extract(map_.find(from));
  node.key() = std::string(to);
  if (auto old = map_.find(to); old != map_.end()) map_.erase(old);  // RENAME overwrites
  map_.insert(std::move(node));
  touch(from);
  touch(to);
  return Status::Ok();
}

// Redis's string2ll: an optional '-', digits, no leading zero (but "0"), no "-0", no '+'.
static bool parseRedisInteger(const std::string& s, int64_t& v) {
  if (s.empty() || s.size() > 20) return false;
  const bool neg = s[0] == '-';
  const std::string_view digits = std::string_view(s).substr(neg ? 1 : 0);
  if (digits.empty() || (digits[0] == '0' && (digits.size() > 1 || neg))) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size();
}

Result<int64_t> EmbeddedStore::incrBy(std::string_view key, int64_t by) {
  std::unique_lock<std::shared_mutex> w(mu_);
  const bool existed = find(key) != nullptr;
  auto e = upsert(key, Type::kString);
  if (!e) return Error{e.error()};
  Entry* entry = *e;
  int64_t v = 0;
  if (existed && !parseRedisInteger(entry->str, v)) {
    return Error{"ERR value is not an integer or out of range"};
  }
  int64_t out;
  if (__builtin_add_overflow(v, by, &out)) return Error{"ERR increment or decrement would overflow"};
  entry->str = std::to_string(out);
  return out;
}

Status EmbeddedStore::flushAll() {
  std::unique_lock<std::shared_mutex> w(mu_);
  map_.clear();
  dirty_.clear();
  clear_all_ = true;
  return Status::Ok();
}

Result<StringList> EmbeddedStore::keys(std::string_view pattern) {
  std::shared_lock<std::shared_mutex> r(mu_);
  StringList out;
  const int64_t now = nowMs();
  for (const auto& [k, e] : map_) {
    if (e.expire_ms != 0 && e.expire_ms <= now) continue;
    if (globMatch(pattern, k)) out.push_back(k);
  }
  return out;
}

Result<bool> EmbeddedStore::exists(std::string_view key) {
  std::shared_lock<std::shared_mutex> r(mu_);
  return find(key) != nullptr;
}

// Dump: "FLKV" 1 <type> <u32 len> <payload> <u32 fnv1a of all before>. TTLs are not dumped.
Result<MaybeString> EmbeddedStore::dump(std::string_view key) {
  std::shared_lock<std::shared_mutex> r(mu_);
  const Entry* e = find(key);
  if (!e) return MaybeString();
  std::string out = "FLKV";
  out += static_cast<char>(1);
  out += static_cast<char>(e->type);
  const std::string payload = encode(*e);
  putU32(out, static_cast<uint32_t>(payload.size()));
  out += payload;
  putU32(out, fnv1a(out));
  return MaybeString(std::move(out));
}

Result<bool> EmbeddedStore::restore(std::string_view key, std::string_view dump) {
  if (dump.size() < 14 || dump.substr(0, 4) != "FLKV" || dump[4] != 1) return false;
  std::string_view tail = dump.substr(dump.size() - 4);
  uint32_t sum;
  if (!getU32(tail, sum) || sum != fnv1a(dump.substr(0, dump.size() - 4))) return false;
  const auto type = static_cast<uint8_t>(dump[5]);
  std::string_view body = dump.substr(6, dump.size() - 10);
  uint32_t len;
  if (type < 1 || type > 4 || !getU32(body, len) || len != body.size()) return false;
  auto e = decode(static_cast<Type>(type), body);
  if (!e) return false;
  std::unique_lock<std::shared_mutex> w(mu_);
  map_.insert_or_assign(std::string(key), std::move(*e));
  touch(key);
  return true;
}

// ---- hashes --------------------------------------------------------------------------------

Result<MaybeString> EmbeddedStore::hget(std::string_view key, std::string_view field) {
  std::shared_lock<std::shared_mutex> r(mu_);
  const Entry* e = find(key);
  if (!e) return MaybeString();
  if (e->type != Type::kHash) return Error{kWrongType};
  auto it = e->hash.find(field);
  return it == e->hash.end() ? MaybeString() : MaybeString(it->second);
}

Status EmbeddedStore::hset(std::string_view key, std::string_view field, std::string_view value) {
  std::unique_lock<std::shared_mutex> w(mu_);
  auto e = upsert(key, Type::kHash);
  if (!e) return Error{e.error()};
  (*e)->hash.insert_or_assign(std::string(field), std::string(value));
  return Status::Ok();
}

Status EmbeddedStore::hdel(std::string_view key, std::string_view field) {
  std::unique_lock<std::shared_mutex> w(mu_);
  if (!find(key)) return Status::Ok();
  auto e = upsert(key, Type::kHash);
  if (!e) return Error{e.error()};
  auto it = (*e)->hash.find(field);
  if (it != (*e)->hash.end()) (*e)->hash.erase(it);
  eraseIfEmpty(key, *e);
  return Status::Ok();
}

Result<StringList> EmbeddedStore::hkeys(std::string_view key) {
  std::shared_lock<std::shared_mutex> r(mu_);
  const Entry* e = find(key);
  if (!e) return StringList();
  if (e->type != Type::kHash) return Error{kWrongType};
  StringList out;
  for (const auto& [k, v] : e->hash) out.push_back(k);
  return out;
}

Result<StringMap> EmbeddedStore::hgetall(std::string_view key) {
  std::shared_lock<std::shared_mutex> r(mu_);
  const Entry* e = find(key);
  if (!e) return StringMap();
  if (e->type != Type::kHash) return Error{kWrongType};
  return StringMap(e->hash.begin(), e->hash.end());
}

// ---- lists ---------------------------------------------------------------------------------

Status EmbeddedStore::lpush(std::string_view key, std::string_view value) {
  std::unique_lock<std::shared_mutex> w(mu_);
  auto e = upsert(key, Type::kList);
  if (!e) return Error{e.error()};
  (*e)->list.emplace_front(value);
  return Status::Ok();
}

Status EmbeddedStore::rpush(std::string_view key, std::string_view value) {
  std::unique_lock<std::shared_mutex> w(mu_);
  auto e = upsert(key, Type::kList);
  if (!e) return Error{e.error()};
  (*e)->list.emplace_back(value);
  return Status::Ok();
}

Result<MaybeString> EmbeddedStore::lpop(std::string_view key) {
  std::unique_lock<std::shared_mutex> w(mu_);
  if (!find(key)) return MaybeString();
  auto e = upsert(key, Type::kList);
  if (!e) return Error{e.error()};
  std::string v = std::move((*e)->list.front());
  (*e)->list.pop_front();
  eraseIfEmpty(key, *e);
  return MaybeString(std::move(v));
}

Result<MaybeString> EmbeddedStore::rpop(std::string_view key) {
  std::unique_lock<std::shared_mutex> w(mu_);
  if (!find(key)) return MaybeString();
  auto e = upsert(key, Type::kList);
  if (!e) return Error{e.error()};
  std::string v = std::move((*e)->list.back());
  (*e)->list.pop_back();
  eraseIfEmpty(key, *e);
  return MaybeString(std::move(v));
}

Result<int64_t> EmbeddedStore::lrem(std::string_view key, int64_t count, std::string_view value) {
  std::unique_lock<std::shared_mutex> w(mu_);
  if (!find(key)) return int64_t{0};
  auto e = upsert(key, Type::kList);
  if (!e) return Error{e.error()};
  auto& l = (*e)->list;
  int64_t removed = 0;
  // |count| without overflowing at INT64_MIN.
  const uint64_t limit = count == 0   ? UINT64_MAX
                         : count < 0 ? 0 - static_cast<uint64_t>(count)
                                     : static_cast<uint64_t>(count);
  if (count >= 0) {
    for (auto it = l.begin(); it != l.end() && removed < limit;) {
      if (*it == value) {
        it = l.erase(it);
        ++removed;
      } else {
        ++it;
      }
    }
  } else {
    for (auto i = static_cast<int64_t>(l.size()) - 1; i >= 0 && removed < limit; --i) {
      if (l[static_cast<size_t>(i)] == value) {
        l.erase(l.begin() + i);
        ++removed;
      }
    }
  }
  eraseIfEmpty(key, *e);
  return static_cast<int64_t>(removed);
}

Status EmbeddedStore::ltrim(std::string_view key, int64_t start, int64_t stop) {
  std::unique_lock<std::shared_mutex> w(mu_);
  if (!find(key)) return Status::Ok();
  auto e = upsert(key, Type::kList);
  if (!e) return Error{e.error()};
  auto& l = (*e)->list;
  if (!normaliseRange(static_cast<int64_t>(l.size()), start, stop)) {
    l.clear();
  } else {
    l.erase(l.begin() + stop + 1, l.end());
    l.erase(l.begin(), l.begin() + start);
  }
  eraseIfEmpty(key, *e);
  return Status::Ok();
}

Result<StringList> EmbeddedStore::lrange(std::string_view key, int64_t start, int64_t stop) {
  std::shared_lock<std::shared_mutex> r(mu_);
  const Entry* e = find(key);
  if (!e) return StringList();
  if (e->type != Type::kList) return Error{kWrongType};
  if (!normaliseRange(static_cast<int64_t>(e->list.size()), start, stop)) return StringList();
  return StringList(e->list.begin() + start, e->list.begin() + stop + 1);
}

Result<int64_t> EmbeddedStore::llen(std::string_view key) {
  std::shared_lock<std::shared_mutex> r(mu_);
  const Entry* e = find(key);
  if (!e) return int64_t{0};
  if (e->type != Type::kList) return Error{kWrongType};
  return static_cast<int64_t>(e->list.size());
}

Result<MaybeString> EmbeddedStore::lindex(std::string_view key, int64_t index) {
  std::shared_lock<std::shared_mutex> r(mu_);
  const Entry* e = find(key);
  if (!e) return MaybeString();
  if (e->type != Type::kList) return Error{kWrongType};
  const auto n = static_cast<int64_t>(e->list.size());
  if (index < 0) index += n;
  if (index < 0 || index >= n) return MaybeString();
  return MaybeString(e->list[static_cast<size_t>(index)]);
}

// ---- sets ----------------------------------------------------------------------------------

Status EmbeddedStore::sadd(std::string_view key, std::string_view member) {
  std::unique_lock<std::shared_mutex> w(mu_);
  auto e = upsert(key, Type::kSet);
  if (!e) return Error{e.error()};
  (*e)->set.emplace(member);
  return Status::Ok();
}

Status EmbeddedStore::srem(std::string_view key, std::string_view member) {
  std::unique_lock<std::shared_mutex> w(mu_);
  if (!find(key)) return Status::Ok();
  auto e = upsert(key, Type::kSet);
  if (!e) return Error{e.error()};
  auto it = (*e)->set.find(member);
  if (it != (*e)->set.end()) (*e)->set.erase(it);
  eraseIfEmpty(key, *e);
  return Status::Ok();
}

Result<StringList> EmbeddedStore::smembers(std::string_view key) {
  std::shared_lock<std::shared_mutex> r(mu_);
  const Entry* e = find(key);
  if (!e) return StringList();
  if (e->type != Type::kSet) return Error{kWrongType};
  return StringList(e->set.begin(), e->set.end());
}

StoreInfo EmbeddedStore::info() {
  StoreInfo i;
  i.backend = "embedded";
  i.location = config_.path;
  i.connected = true;
  i.server_version = std::string("SQLite ") + sqlite3_libversion();
  std::shared_lock<std::shared_mutex> r(mu_);
  i.keys = map_.size();
  uint64_t bytes = 0;
  for (const auto& [k, e] : map_) {
    bytes += k.size() + e.str.size() + sizeof(Entry);
    for (const auto& [f, v] : e.hash) bytes += f.size() + v.size() + 32;
    for (const auto& v : e.list) bytes += v.size() + 32;
    for (const auto& v : e.set) bytes += v.size() + 32;
  }
  i.memory_bytes = bytes;
  i.last_error = last_error_;
  return i;
}

}  // namespace flowlens::store
