#include "alerts/alert_store.h"

#include <sqlite3.h>

#include <nlohmann/json.hpp>

#include <string_view>

#include "util/fs.h"

namespace flowlens::alerts {
namespace {

constexpr const char* kSchema =
    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    "CREATE TABLE IF NOT EXISTS flow_alerts ("
    " rowid INTEGER PRIMARY KEY AUTOINCREMENT,"
    " interface_id INTEGER NOT NULL, alert_id INTEGER NOT NULL, alert_name TEXT NOT NULL,"
    " alert_category INTEGER NOT NULL, alert_status INTEGER NOT NULL DEFAULT 0,"
    " tstamp INTEGER NOT NULL, tstamp_end INTEGER NOT NULL, first_seen INTEGER NOT NULL,"
    " severity INTEGER NOT NULL, score INTEGER NOT NULL, risk INTEGER NOT NULL,"
    " ip_version INTEGER NOT NULL, cli_ip TEXT NOT NULL, srv_ip TEXT NOT NULL,"
    " cli_port INTEGER NOT NULL, srv_port INTEGER NOT NULL, vlan_id INTEGER NOT NULL,"
    " proto INTEGER NOT NULL, l7_master_proto INTEGER NOT NULL, l7_proto INTEGER NOT NULL,"
    " l7_cat INTEGER NOT NULL, info TEXT NOT NULL, json TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS flow_alerts_tstamp ON flow_alerts(tstamp);"
    "CREATE INDEX IF NOT EXISTS flow_alerts_alert_id ON flow_alerts(alert_id);";

struct StmtDeleter {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Stmt = std::unique_ptr<sqlite3_stmt, StmtDeleter>;

// Scripts read: SELECT, reading tables, and functions (but loading extensions). Nothing else.
int readOnly(void*, int action, const char*, const char* function, const char*, const char*) {
  switch (action) {
    case SQLITE_FUNCTION:
      return function && std::string_view(function) == "load_extension" ? SQLITE_DENY : SQLITE_OK;
    case SQLITE_SELECT:
    case SQLITE_READ:
    case SQLITE_RECURSIVE:
      return SQLITE_OK;
    default:
      return SQLITE_DENY;
  }
}

int pastDeadline(void* p) {
  const auto* deadline = static_cast<const std::chrono::steady_clock::time_point*>(p);
  return std::chrono::steady_clock::now() >= *deadline ? 1 : 0;
}

}  // namespace

std::string FlowAlert::json() const {
  nlohmann::json j = {
      {"ifid", ifid},           {"alert_id", alert_id},     {"alert_name", alert_key},
      {"entity_id", 4},         {"score", score},           {"severity", severity},
      {"alert_category", category}, {"risk", risk},         {"tstamp", tstamp},
      {"first_seen", first_seen}, {"cli_ip", cli_ip},       {"srv_ip", srv_ip},
      {"cli_port", cli_port},   {"srv_port", srv_port},     {"vlan_id", vlan_id},
      {"proto", proto},         {"l7_master_proto", l7_master_proto},
      {"l7_proto", l7_proto},   {"l7_cat", l7_cat},         {"info", info},
      {"ip_version", ip_version},
  };
  if (!server_ip.empty()) j["server_ip"] = server_ip;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<std::unique_ptr<AlertStore>> AlertStore::open(const std::string& workingdir,
                                                     int64_t max_rows) {
  std::unique_ptr<AlertStore> s(new AlertStore());
  s->max_rows_ = std::max<int64_t>(1, max_rows);
  const std::string dir = workingdir + "/alerts";
  if (Status st = util::fs::mkdirs(dir); !st) return Error{st.error()};
  s->path_ = dir + "/alert_store.db";
  if (sqlite3_open_v2(s->path_.c_str(), &s->db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK) {
    return Error{"cannot open " + s->path_ + ": " + sqlite3_errmsg(s->db_)};
  }
  sqlite3_busy_timeout(s->db_, 5000);
  char* err = nullptr;
  if (sqlite3_exec(s->db_, kSchema, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = s->path_ + " is not usable: " + (err ? err : "?");
    sqlite3_free(err);
    return Error{msg};
  }
  return s;
}

AlertStore::~AlertStore() { sqlite3_close(db_); }

Status AlertStore::insert(const std::vector<FlowAlert>& alerts) {
  if (alerts.empty()) return {};
  std::lock_guard<std::mutex> lock(mu_);
  sqlite3_exec(db_, "BEGIN", nullptr, nullptr, nullptr);
  sqlite3_stmt* raw = nullptr;
  sqlite3_prepare_v2(db_,
                     "INSERT INTO flow_alerts (interface_id, alert_id, alert_name, alert_category,"
                     " tstamp, tstamp_end, first_seen, severity, score, risk, ip_version, cli_ip,"
                     " srv_ip, cli_port, srv_port, vlan_id, proto, l7_master_proto, l7_proto,"
                     " l7_cat, info, json) VALUES"
                     " (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                     -1, &raw, nullptr);
  Stmt st(raw);
  if (!st) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return Error{std::string("alert store: ") + sqlite3_errmsg(db_)};
  }
  for (const FlowAlert& a : alerts) {
    const std::string json = a.json();
    int i = 0;
    sqlite3_bind_int(raw, ++i, a.ifid);
    sqlite3_bind_int(raw, ++i, a.alert_id);
    sqlite3_bind_text(raw, ++i, a.alert_key.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(raw, ++i, a.category);
    sqlite3_bind_int64(raw, ++i, a.tstamp);
    sqlite3_bind_int64(raw, ++i, a.tstamp);
    sqlite3_bind_int64(raw, ++i, a.first_seen);
    sqlite3_bind_int(raw, ++i, a.severity);
    sqlite3_bind_int(raw, ++i, a.score);
    sqlite3_bind_int(raw, ++i, a.risk);
    sqlite3_bind_int(raw, ++i, a.ip_version);
    sqlite3_bind_text(raw, ++i, a.cli_ip.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(raw, ++i, a.srv_ip.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(raw, ++i, a.cli_port);
    sqlite3_bind_int(raw, ++i, a.srv_port);
    sqlite3_bind_int(raw, ++i, a.vlan_id);
    sqlite3_bind_int(raw, ++i, a.proto);
    sqlite3_bind_int(raw, ++i, a.l7_master_proto);
    sqlite3_bind_int(raw, ++i, a.l7_proto);
    sqlite3_bind_int(raw, ++i, a.l7_cat);
    sqlite3_bind_text(raw, ++i, a.info.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(raw, ++i, json.c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(raw) != SQLITE_DONE) {
      std::string msg = std::string("alert store: ") + sqlite3_errmsg(db_);
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      return Error{msg};
    }
    sqlite3_reset(raw);
  }
  // Retention: the newest max_rows_ stay.
  const std::string trim = "DELETE FROM flow_alerts WHERE rowid <= (SELECT MAX(rowid) FROM "
                           "flow_alerts) - " + std::to_string(max_rows_);
  sqlite3_exec(db_, trim.c_str(), nullptr, nullptr, nullptr);
  if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    std::string msg = std::string("alert store: ") + sqlite3_errmsg(db_);
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return Error{msg};
  }
  return {};
}

int64_t AlertStore::count() {
  std::lock_guard<std::mutex> lock(mu_);
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_, "SELECT COUNT(*) FROM flow_alerts", -1, &raw, nullptr) != SQLITE_OK) {
    return -1;
  }
  Stmt st(raw);
  return sqlite3_step(raw) == SQLITE_ROW ? sqlite3_column_int64(raw, 0) : -1;
}

Result<std::vector<AlertStore::Row>> AlertStore::query(
    const std::string& sql, size_t max_rows, std::chrono::steady_clock::time_point deadline) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK) {
    std::string msg = std::string("cannot read the alert store: ") + sqlite3_errmsg(db);
    sqlite3_close(db);
    return Error{msg};
  }
  std::unique_ptr<sqlite3, int (*)(sqlite3*)> conn(db, sqlite3_close);
  sqlite3_busy_timeout(db, 2000);
  sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, nullptr);
  sqlite3_limit(db, SQLITE_LIMIT_LENGTH, kMaxValueBytes);  // no 1 GB value made by a query
  sqlite3_set_authorizer(db, readOnly, nullptr);
  sqlite3_progress_handler(db, 10000, pastDeadline, &deadline);
  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &raw, &tail) !=
      SQLITE_OK) {
    return Error{std::string("query refused: ") + sqlite3_errmsg(db)};
  }
  Stmt st(raw);
  if (!raw) return Error{"empty query"};
  if (tail && std::string_view(tail).find_first_not_of(" \t\r\n;") != std::string_view::npos) {
    return Error{"one statement only"};
  }
  if (!sqlite3_stmt_readonly(raw)) return Error{"only queries that read"};
  std::vector<Row> rows;
  size_t bytes = 0;
  const int columns = sqlite3_column_count(raw);
  int rc;
  while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {
    if (rows.size() >= std::min(max_rows, kMaxQueryRows)) break;
    Row row;
    row.reserve(static_cast<size_t>(columns));
    for (int c = 0; c < columns; ++c) {
      Cell cell;
      cell.column = sqlite3_column_name(raw, c);
      const int type = sqlite3_column_type(raw, c);
      cell.is_null = type == SQLITE_NULL;
      cell.is_number = type == SQLITE_INTEGER || type == SQLITE_FLOAT;
      if (!cell.is_null) {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(raw, c));
        const size_t len = static_cast<size_t>(sqlite3_column_bytes(raw, c));
        if (bytes + len > kMaxQueryBytes) return Error{"the answer is larger than 64 MiB"};
        cell.text.assign(text ? text : "", len);
      }
      bytes += cell.column.size() + cell.text.size();
      row.push_back(std::move(cell));
    }
    if (bytes > kMaxQueryBytes) return Error{"the answer is larger than 64 MiB"};
    rows.push_back(std::move(row));
  }
  if (rc == SQLITE_INTERRUPT) return Error{"the query ran out of time"};
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return Error{std::string("query: ") + sqlite3_errmsg(db)};
  return rows;
}

}  // namespace flowlens::alerts
