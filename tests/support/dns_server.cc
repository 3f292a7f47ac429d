#include "dns_server.h"

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

namespace flowlens::testing {
namespace {

constexpr const char* kDnsmasq = "/usr/sbin/dnsmasq";

// A UDP socket bound to a kernel-chosen 127.0.0.1 port; returns the fd and sets `port`.
int boundUdpSocket(int* port) {
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(a);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    ::close(fd);
    return -1;
  }
  *port = ntohs(a.sin_port);
  return fd;
}

// True once something answers a query for `name` (type A) on the port within 200 ms.
bool answers(int port, const std::string& name) {
  int unused = 0;
  const int fd = boundUdpSocket(&unused);
  if (fd < 0) return false;
  std::string q = {'\x12', '\x34', '\x01', '\x00', 0, 1, 0, 0, 0, 0, 0, 0};
  size_t start = 0;
  while (start <= name.size()) {
    size_t dot = name.find('.', start);
    if (dot == std::string::npos) dot = name.size();
    q.push_back(char(dot - start));
    q.append(name, start, dot - start);
    start = dot + 1;
  }
  q.append({0, 0, 1, 0, 1});
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  to.sin_port = htons(uint16_t(port));
  timeval tv{0, 200000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ::sendto(fd, q.data(), q.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof(to));
  char buf[512];
  const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
  ::close(fd);
  return n >= 12;
}

}  // namespace

DnsServer::DnsServer(const std::vector<std::pair<std::string, std::string>>& hosts,
                     const std::string& domain) {
  char tmpl[] = "/tmp/flowlens-dns-XXXXXX";
  if (!::mkdtemp(tmpl)) {
    error_ = std::string("mkdtemp: ") + std::strerror(errno);
    return;
  }
  dir_ = tmpl;
  const std::string hosts_file = dir_ + "/hosts";
  {
    std::ofstream out(hosts_file);
    for (const auto& [ip, name] : hosts) out << ip << ' ' << name << '\n';
  }
  for (int attempt = 0; attempt < 5 && pid_ < 0; ++attempt) {
    const int fd = boundUdpSocket(&port_);
    if (fd < 0) continue;
    ::close(fd);  // free now; dnsmasq binds it next (a race with others: hence the retries)
    std::vector<std::string> args = {kDnsmasq,
                                     "--keep-in-foreground",
                                     "--port=" + std::to_string(port_),
                                     "--listen-address=127.0.0.1",
                                     "--bind-interfaces",
                                     "--no-resolv",
                                     "--no-hosts",
                                     "--addn-hosts=" + hosts_file,
                                     "--conf-file=/dev/null",
                                     "--bogus-priv",
                                     "--local=/" + domain + "/",
                                     "--pid-file=",
                                     "--log-facility=" + dir_ + "/dnsmasq.log"};
    if (::geteuid() == 0) args.push_back("--user=root");  // else it would switch to nobody
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) {
      error_ = std::string("fork: ") + std::strerror(errno);
      return;
    }
    if (pid == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(127);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < until) {
      int status = 0;
      if (::waitpid(pid, &status, WNOHANG) == pid) break;  // exited: port taken? try again
      if (answers(port_, "probe." + domain)) {
        pid_ = pid;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    error_ = "dnsmasq did not answer on port " + std::to_string(port_) + "; see " + dir_ +
             "/dnsmasq.log";
  }
}

DnsServer::~DnsServer() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
  }
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

SilentDnsServer::SilentDnsServer() { fd_ = boundUdpSocket(&port_); }

SilentDnsServer::~SilentDnsServer() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace flowlens::testing
