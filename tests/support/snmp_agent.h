#pragma once
// A throw-away snmpd (net-snmp's agent) for tests: listens on a free 127.0.0.1 UDP port, reads
// only its own configuration (-C) and keeps its state in its own temporary directory.
// Communities "public" (read) and "private" (read-write); SNMPv3 users "authpriv" (SHA/AES,
// read-write) and "md5des" (MD5/DES, read-only), passphrases kAuthPass / kPrivPass; sysName
// is kSysName. The constructor waits until it answers; the destructor stops it and removes
// the directory. The agent dies with the test process. Not thread-safe.

#include <sys/types.h>

#include <string>

namespace flowlens::testing {

class SnmpAgent {
 public:
  static constexpr const char* kSysName = "flowlens-snmp-test";
  static constexpr const char* kAuthPass = "auth-pass-123";
  static constexpr const char* kPrivPass = "priv-pass-456";

  SnmpAgent();
  ~SnmpAgent();
  SnmpAgent(const SnmpAgent&) = delete;
  SnmpAgent& operator=(const SnmpAgent&) = delete;

  bool ok() const { return pid_ > 0; }
  const std::string& error() const { return error_; }
  int port() const { return port_; }
  std::string peer() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  bool spawn();
  pid_t pid_ = -1;
  int port_ = 0;
  std::string dir_;
  std::string error_;
};

}  // namespace flowlens::testing
