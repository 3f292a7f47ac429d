#pragma once
// The alert store (spec section 15): flow alerts in one SQLite file,
// <workingdir>/alerts/alert_store.db, table flow_alerts with ntopng's column names. Writes come
// from the alert engine in batches (one transaction each); the oldest rows go beyond
// kMaxRows. Reads are scripts' SELECTs, on their own read-only connection that refuses
// anything but reading. Thread-safe: one mutex for the writer connection.

#include <chrono>
#include <cstdint>
#include <ctime>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/result.h"

struct sqlite3;

namespace flowlens::alerts {

struct FlowAlert {
  int ifid = 0;
  int alert_id = 0;      // ntopng's FlowAlertTypeEnum
  std::string alert_key; // its check name ("ndpi_url_possible_xss")
  int risk = 0;          // the nDPI risk behind it
  int score = 0;
  int severity = 0;      // ntopng's alert level
  int category = 0;      // ntopng's alert category
  time_t tstamp = 0;     // when the alert was raised
  time_t first_seen = 0; // the flow's first packet
  std::string cli_ip, srv_ip;
  uint16_t cli_port = 0, srv_port = 0, vlan_id = 0;
  uint8_t proto = 0;     // L4
  uint16_t l7_master_proto = 0, l7_proto = 0, l7_cat = 0;
  std::string info;      // the flow's server name (SNI, Host, query)
  int ip_version = 4;
  std::string server_ip;  // an unexpected-server alert's server (ntopng's "server_ip")

  // The alert as ntopng's notification JSON (alert_id, entity_id 4 = flow, score, ...).
  std::string json() const;
};

class AlertStore {
 public:
  static constexpr int64_t kMaxRows = 1000000;
  static constexpr size_t kMaxQueryRows = 100000;
  static constexpr size_t kMaxQueryBytes = 64u << 20;
  static constexpr int kMaxValueBytes = 16 << 20;  // a query's strings and blobs

  // Opens (creating) the store, keeping the newest `max_rows`; an error when the file is
  // unusable.
  static Result<std::unique_ptr<AlertStore>> open(const std::string& workingdir,
                                                  int64_t max_rows = kMaxRows);
  ~AlertStore();
  AlertStore(const AlertStore&) = delete;
  AlertStore& operator=(const AlertStore&) = delete;

  Status insert(const std::vector<FlowAlert>& alerts);
  int64_t count();  // rows in flow_alerts; -1 on error

  // A script's query: one SELECT (or WITH ... SELECT). Anything that would write, attach or
  // change settings is refused; the query stops at `deadline`, `max_rows` rows or
  // kMaxQueryBytes. Each row is a list of (column, value) with values as text, or nullopt for
  // NULL; numbers stay numbers (`is_number`).
  struct Cell {
    std::string column;
    std::string text;
    bool is_null = false, is_number = false;
  };
  using Row = std::vector<Cell>;
  Result<std::vector<Row>> query(const std::string& sql, size_t max_rows,
                                 std::chrono::steady_clock::time_point deadline);

  const std::string& path() const { return path_; }

 private:
  AlertStore() = default;
  std::string path_;
  int64_t max_rows_ = kMaxRows;
  std::mutex mu_;
  sqlite3* db_ = nullptr;
};

}  // namespace flowlens::alerts
