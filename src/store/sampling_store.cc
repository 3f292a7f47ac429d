#include "store/sampling_store.h"

#include <sqlite3.h>

#include <memory>

#include "util/fs.h"

namespace flowlens::store {
namespace {

const char* table(Granularity g) {
  switch (g) {
    case Granularity::kMinute: return "MINUTE_STATS";
    case Granularity::kHour: return "HOUR_STATS";
    case Granularity::kDay: return "DAY_STATS";
  }
  return "MINUTE_STATS";
}

struct StmtDeleter {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Stmt = std::unique_ptr<sqlite3_stmt, StmtDeleter>;

Result<Stmt> prepare(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) {
    return Error{std::string("samples: ") + sqlite3_errmsg(db)};
  }
  return Stmt(s);
}

Error sqlError(sqlite3* db) { return Error{std::string("samples: ") + sqlite3_errmsg(db)}; }

// The start of t's minute (also for times before 1970).
time_t minuteOf(time_t t) { return t - ((t % 60) + 60) % 60; }

}  // namespace

SamplingStore::~SamplingStore() {
  for (auto& [ifid, d] : dbs_) sqlite3_close(d->db);
}

std::string SamplingStore::path(int ifid) const {
  return workingdir_ + "/" + std::to_string(ifid) + "/top_talkers/top_talkers.db";
}

Result<SamplingStore::Db*> SamplingStore::open(int ifid) {
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = dbs_.find(ifid); it != dbs_.end()) return it->second.get();
  const std::string file = path(ifid);
  const std::string dir = file.substr(0, file.rfind('/'));
  if (Status st = util::fs::mkdirs(dir); !st) return Error{st.error()};
  auto d = std::make_unique<Db>();
  if (sqlite3_open_v2(file.c_str(), &d->db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK) {
    std::string msg = "cannot open " + file + ": " + sqlite3_errmsg(d->db);
    sqlite3_close(d->db);
    return Error{msg};
  }
  sqlite3_busy_timeout(d->db, 5000);
  std::string schema = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;";
  for (Granularity g : {Granularity::kMinute, Granularity::kHour, Granularity::kDay}) {
    schema += std::string("CREATE TABLE IF NOT EXISTS ") + table(g) +
              " (TSTAMP INTEGER PRIMARY KEY NOT NULL, STATS TEXT NOT NULL);";
  }
  char* err = nullptr;
  if (sqlite3_exec(d->db, schema.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = file + " is not usable: " + (err ? err : "?");
    sqlite3_free(err);
    sqlite3_close(d->db);
    return Error{msg};
  }
  Db* out = d.get();
  dbs_.emplace(ifid, std::move(d));
  return out;
}

Status SamplingStore::insert(int ifid, Granularity g, time_t when, std::string_view data) {
  if (data.size() > kMaxSampleBytes) {
    return Error{"sample larger than " + std::to_string(kMaxSampleBytes >> 20) + " MiB"};
  }
  auto d = open(ifid);
  if (!d) return Error{d.error()};
  if (g != Granularity::kMinute) when = minuteOf(when);
  std::lock_guard<std::mutex> lock((*d)->mu);
  auto st = prepare((*d)->db, std::string("INSERT OR REPLACE INTO ") + table(g) +
                                  " (TSTAMP, STATS) VALUES (?, ?)");
  if (!st) return Error{st.error()};
  sqlite3_bind_int64(st->get(), 1, when);
  sqlite3_bind_text(st->get(), 2, data.data(), static_cast<int>(data.size()), SQLITE_STATIC);
  if (sqlite3_step(st->get()) != SQLITE_DONE) return sqlError((*d)->db);
  return {};
}

Result<std::optional<std::string>> SamplingStore::minuteAt(int ifid, time_t epoch) {
  const time_t from = minuteOf(epoch);
  auto rows = range(ifid, Granularity::kMinute, from, from + 59);
  if (!rows) return Error{rows.error()};
  if (rows->empty()) return std::optional<std::string>();
  return std::optional<std::string>(std::move(rows->back().data));
}

Result<std::vector<Sample>> SamplingStore::range(int ifid, Granularity g, time_t from, time_t to) {
  auto d = open(ifid);
  if (!d) return Error{d.error()};
  std::lock_guard<std::mutex> lock((*d)->mu);
  auto st = prepare((*d)->db, std::string("SELECT TSTAMP, STATS FROM ") + table(g) +
                                  " WHERE TSTAMP >= ? AND TSTAMP <= ? ORDER BY TSTAMP");
  if (!st) return Error{st.error()};
  sqlite3_bind_int64(st->get(), 1, from);
  sqlite3_bind_int64(st->get(), 2, to);
  std::vector<Sample> out;
  size_t bytes = 0;
  int rc;
  while ((rc = sqlite3_step(st->get())) == SQLITE_ROW) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(st->get(), 1));
    const size_t len = static_cast<size_t>(sqlite3_column_bytes(st->get(), 1));
    bytes += len;
    if (bytes > kMaxRangeBytes) {
      return Error{"more than " + std::to_string(kMaxRangeBytes >> 20) +
                   " MiB of samples in the range: ask for a shorter one"};
    }
    out.push_back({static_cast<time_t>(sqlite3_column_int64(st->get(), 0)),
                   std::string(text ? text : "", len)});
  }
  if (rc != SQLITE_DONE) return sqlError((*d)->db);
  return out;
}

Result<int64_t> SamplingStore::deleteBefore(int ifid, Granularity g, time_t cutoff) {
  auto d = open(ifid);
  if (!d) return Error{d.error()};
  std::lock_guard<std::mutex> lock((*d)->mu);
  auto st = prepare((*d)->db, std::string("DELETE FROM ") + table(g) + " WHERE TSTAMP < ?");
  if (!st) return Error{st.error()};
  sqlite3_bind_int64(st->get(), 1, cutoff);
  if (sqlite3_step(st->get()) != SQLITE_DONE) return sqlError((*d)->db);
  return static_cast<int64_t>(sqlite3_changes((*d)->db));
}

}  // namespace flowlens::store
