#pragma once
// A throw-away dnsmasq for resolver tests: serves the names of a hosts file (forward and
// reverse) on a free 127.0.0.1 UDP port, answers NXDOMAIN for other names under `domain` and for
// private addresses it does not know (--bogus-priv), and forwards nothing. Dies with the test
// process. Also SilentDnsServer: a UDP port that takes queries and never answers. Not thread-safe.

#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

namespace flowlens::testing {

class DnsServer {
 public:
  // `hosts`: (address, name) pairs; `domain`: answered locally only ("flowlens.test").
  DnsServer(const std::vector<std::pair<std::string, std::string>>& hosts,
            const std::string& domain);
  ~DnsServer();
  DnsServer(const DnsServer&) = delete;
  DnsServer& operator=(const DnsServer&) = delete;

  bool ok() const { return pid_ > 0; }
  const std::string& error() const { return error_; }
  int port() const { return port_; }
  std::string servers() const { return "127.0.0.1:" + std::to_string(port_); }  // c-ares CSV

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::string dir_;
  std::string error_;
};

class SilentDnsServer {
 public:
  SilentDnsServer();
  ~SilentDnsServer();
  bool ok() const { return fd_ >= 0; }
  std::string servers() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_ = -1;
  int port_ = 0;
};

}  // namespace flowlens::testing
