#include "snmp_agent.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "ports.h"
#include "snmp/snmp_client.h"

namespace flowlens::testing {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr const char* kSnmpd = "/usr/sbin/snmpd";

}  // namespace

SnmpAgent::SnmpAgent() {
  char tmpl[] = "/tmp/flowlens-snmpd-XXXXXX";
  if (!::mkdtemp(tmpl)) {
    error_ = std::string("mkdtemp: ") + std::strerror(errno);
    return;
  }
  dir_ = tmpl;
  for (int attempt = 0; attempt < 5 && !ok(); ++attempt) {
    port_ = freePort(SOCK_DGRAM);
    if (port_ != 0) spawn();
  }
}

SnmpAgent::~SnmpAgent() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 300; ++i) {
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) break;
      std::this_thread::sleep_for(milliseconds(10));
      if (i == 299) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
      }
    }
  }
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

bool SnmpAgent::spawn() {
  const std::string conf = dir_ + "/snmpd.conf";
  {
    std::ofstream f(conf);
    f << "agentaddress udp:127.0.0.1:" << port_ << "\n"
      << "rocommunity public 127.0.0.1\n"
      << "rwcommunity private 127.0.0.1\n"
      << "sysName " << kSysName << "\n"
      << "sysContact noc@example.org\n"
      << "createUser authpriv SHA \"" << kAuthPass << "\" AES \"" << kPrivPass << "\"\n"
      << "createUser md5des MD5 \"" << kAuthPass << "\" DES \"" << kPrivPass << "\"\n"
      << "rwuser authpriv priv\n"
      << "rouser md5des priv\n";
  }
  const std::string log = dir_ + "/snmpd.log";
  const std::string pidfile = dir_ + "/snmpd.pid";
  const std::string env_dir = "SNMP_PERSISTENT_DIR=" + dir_;
  std::vector<std::string> args = {kSnmpd, "-f", "-C", "-c", conf, "-p", pidfile,
                                   "-Lf", log, "-M", "/nonexistent", "-m", ""};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<char*> envp = {const_cast<char*>(env_dir.c_str()),
                             const_cast<char*>("PATH=/usr/sbin:/usr/bin:/sbin:/bin"), nullptr};
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    error_ = std::string("fork: ") + std::strerror(errno);
    return false;
  }
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::setpgid(0, 0);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  pid_ = pid;
  snmp::Request probe;
  probe.host = peer();
  probe.credentials.community = "public";
  probe.oids = {"1.3.6.1.2.1.1.5.0"};
  probe.timeout = milliseconds(400);
  const auto until = Clock::now() + milliseconds(15000);
  while (Clock::now() < until) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      pid_ = -1;
      error_ = "snmpd exited at start-up (status " + std::to_string(status) + "); see " + log;
      return false;
    }
    if (snmp::perform(probe).ok()) return true;
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  pid_ = -1;
  error_ = "snmpd did not answer within 15 s; see " + log;
  return false;
}

}  // namespace flowlens::testing
