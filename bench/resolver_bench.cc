// Reverse-DNS throughput of enrich::Resolver against a dnsmasq on loopback that names 10,000
// addresses (half of them) and answers NXDOMAIN for the rest. Prints answers/s with the
// resolver's 64 queries in flight, and the same with one query at a time (the peer: what a
// blocking getnameinfo() loop on one thread does), as "name=value" lines for bench/run.sh.

#include <chrono>
#include <cstdio>
#include <thread>

#include "dns_server.h"
#include "enrich/resolver.h"

namespace {

using flowlens::enrich::Resolver;
using flowlens::enrich::ResolverConfig;

flowlens::util::IpAddress address(uint32_t i) {
  flowlens::util::IpAddress a;
  a.bytes = {10, 90, uint8_t(i >> 8), uint8_t(i)};
  return a;
}

// Seconds to get an answer (name or NXDOMAIN) for `count` addresses; -1 on failure.
double run(const std::string& servers, uint32_t count, size_t in_flight) {
  ResolverConfig c;
  c.servers = servers;
  c.dns_mode = 1;
  c.max_queue = count;
  c.max_in_flight = in_flight;
  c.timeout_ms = 2000;
  auto r = Resolver::create(c);
  if (!r) {
    std::fprintf(stderr, "resolver: %s\n", r.error().c_str());
    return -1;
  }
  (*r)->start();
  const auto start = std::chrono::steady_clock::now();
  for (uint32_t i = 0; i < count; ++i) (*r)->resolveAsync(address(i));
  for (;;) {
    const auto s = (*r)->stats();
    if (s.resolved + s.not_found + s.failed >= count) {
      if (s.failed > 0) std::fprintf(stderr, "%llu lookups failed\n", (unsigned long long)s.failed);
      break;
    }
    if (std::chrono::steady_clock::now() - start > std::chrono::seconds(120)) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main() {
  constexpr uint32_t kAddresses = 10000;
  std::vector<std::pair<std::string, std::string>> hosts;
  for (uint32_t i = 0; i < kAddresses; i += 2) {
    hosts.push_back({address(i).toString(), "h" + std::to_string(i) + ".bench.test"});
  }
  flowlens::testing::DnsServer dns(hosts, "bench.test");
  if (!dns.ok()) {
    std::fprintf(stderr, "dnsmasq: %s\n", dns.error().c_str());
    return 1;
  }
  const double parallel = run(dns.servers(), kAddresses, 64);
  const double serial = run(dns.servers(), 2000, 1);  // 2,000 are enough for a rate
  if (parallel <= 0 || serial <= 0) return 1;
  std::printf("addresses=%u\n", kAddresses);
  std::printf("parallel_per_s=%.0f\n", kAddresses / parallel);
  std::printf("serial_per_s=%.0f\n", 2000 / serial);
  return 0;
}
