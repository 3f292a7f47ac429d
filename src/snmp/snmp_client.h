#pragma once
// SNMP requests for scripts (spec section 18), over net-snmp's single-session API: GET,
// GETNEXT, GETBULK and SET with v1, v2c or v3 (USM: MD5/SHA/SHA-2 authentication, DES/AES
// privacy). Each request opens its own session, waits at most its timeout and closes it.
// OIDs are numeric ("1.3.6.1.2.1.1.5.0"; no MIB is loaded). Thread-safe.
//
// AsyncEngine runs requests in the background and hands their answers back in completion
// order: what ntopng's async engines and batch calls give scripts.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/result.h"

namespace flowlens::snmp {

struct Credentials {
  enum class Version { kV1 = 0, kV2c = 1, kV3 = 3 };
  Version version = Version::kV2c;
  std::string community;  // v1, v2c
  // v3 (USM)
  std::string user;
  std::string level;            // "noAuthNoPriv", "authNoPriv", "authPriv" (any case)
  std::string auth_protocol;    // "MD5", "SHA", "SHA224", "SHA256", "SHA384", "SHA512"
  std::string auth_passphrase;
  std::string priv_protocol;    // "DES", "AES" (AES-128)
  std::string priv_passphrase;
  std::string context;
};

struct SetValue {
  std::string oid;
  char type = 's';  // net-snmp's snmpset types: i u t a o s x d b U I F D
  std::string value;
};

struct Request {
  enum class Op { kGet, kGetNext, kGetBulk, kSet };
  Op op = Op::kGet;
  std::string host;  // net-snmp's peer: "host", "host:port", "udp6:[::1]:161" (port 161)
  Credentials credentials;
  std::vector<std::string> oids;  // kGet, kGetNext, kGetBulk
  std::vector<SetValue> values;   // kSet
  int bulk_repetitions = 10;      // kGetBulk (max-repetitions)
  std::chrono::milliseconds timeout{3000};  // the whole request, retries included
  std::string tag;                // returned with the answer (AsyncEngine)
};

struct Varbind {
  std::string oid;    // dotted, no leading dot
  std::string value;  // as ntopng renders it (numbers in decimal, text, hex for binary)
};

struct Answer {
  std::string tag;
  Result<std::vector<Varbind>> varbinds = std::vector<Varbind>{};
};

inline constexpr size_t kMaxOids = 64;  // per request

// Sends one request and waits for its answer. An error-status in the answer, a timeout, or an
// authentication failure is an error. Exception values (noSuchObject, noSuchInstance,
// endOfMibView) are left out of the answer.
Result<std::vector<Varbind>> perform(const Request& request);

// A numeric OID, checked ("1.3.6.1", ".1.3.6.1"); nullopt when it is not one.
std::optional<std::vector<uint64_t>> parseOid(const std::string& text);

// Requests running in the background, at most kMaxInFlight at once, their answers kept until
// read. Destroying the engine waits for the requests still running (each ends at its timeout).
class AsyncEngine {
 public:
  static constexpr size_t kMaxInFlight = 32;
  AsyncEngine() = default;
  ~AsyncEngine();
  AsyncEngine(const AsyncEngine&) = delete;
  AsyncEngine& operator=(const AsyncEngine&) = delete;

  // Fails when kMaxInFlight requests are running or answered and unread.
  Status submit(Request request);
  // The next answer, waiting at most `wait` for one; nullopt when none came.
  std::optional<Answer> next(std::chrono::milliseconds wait);
  size_t pending() const;  // running or unread

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Answer> ready_;
  size_t running_ = 0;
  struct Worker {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::vector<Worker> workers_;
};

}  // namespace flowlens::snmp
