#include "enrich/resolver.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include "dns_server.h"

namespace flowlens::enrich {
namespace {

using std::chrono::milliseconds;

util::IpAddress ip(const char* text) { return *util::parseIp(text); }

// Polls `done` for up to 10 s.
template <typename F>
bool eventually(F done) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(milliseconds(10));
  }
  return done();
}

// A name store in memory, as the key-value store would be.
struct MemoryStore {
  std::mutex mutex;
  std::map<std::string, std::pair<std::string, uint32_t>> names;
  int gets = 0;
  std::atomic<int> next_put_delay_ms{0};  // the next write takes this long (a slow store)
  NameStore bind() {
    return {[this](const std::string& a) -> std::optional<std::string> {
              std::lock_guard lock(mutex);
              ++gets;
              auto it = names.find(a);
              if (it == names.end()) return std::nullopt;
              return it->second.first;
            },
            [this](const std::string& a, const std::string& n, uint32_t ttl) {
              if (const int ms = next_put_delay_ms.exchange(0); ms > 0) {
                std::this_thread::sleep_for(milliseconds(ms));
              }
              std::lock_guard lock(mutex);
              names[a] = {n, ttl};
            }};
  }
  std::optional<std::pair<std::string, uint32_t>> at(const std::string& a) {
    std::lock_guard lock(mutex);
    auto it = names.find(a);
    if (it == names.end()) return std::nullopt;
    return it->second;
  }
};

class ResolverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dns_ = std::make_unique<testing::DnsServer>(
        std::vector<std::pair<std::string, std::string>>{{"10.77.0.1", "alpha.flowlens.test"},
                                                         {"10.77.0.2", "beta.flowlens.test"},
                                                         {"fd00:77::5", "gamma.flowlens.test"}},
        "flowlens.test");
    ASSERT_TRUE(dns_->ok()) << dns_->error();
  }
  std::unique_ptr<Resolver> make(ResolverConfig c = {}) {
    c.servers = dns_->servers();
    auto r = Resolver::create(c);
    EXPECT_TRUE(r.ok()) << r.error();
    (*r)->setStore(store_.bind());
    (*r)->start();
    return std::move(*r);
  }
  std::unique_ptr<testing::DnsServer> dns_;
  MemoryStore store_;
};

TEST_F(ResolverTest, ReverseLookupsNameAddressesAndPersistThem) {
  auto r = make();
  EXPECT_TRUE(r->resolveAsync(ip("10.77.0.1")));
  EXPECT_TRUE(r->resolveAsync(ip("fd00:77::5")));
  EXPECT_FALSE(r->resolveAsync(ip("10.77.0.1")));  // already queued
  ASSERT_TRUE(eventually([&] { return r->name(ip("10.77.0.1")).has_value(); }));
  EXPECT_EQ(*r->name(ip("10.77.0.1")), "alpha.flowlens.test");
  ASSERT_TRUE(eventually([&] { return r->name(ip("fd00:77::5")).has_value(); }));
  EXPECT_EQ(*r->name(ip("fd00:77::5")), "gamma.flowlens.test");
  // Written through to the store with the lifetime, under the canonical address.
  ASSERT_TRUE(eventually([&] { return store_.at("fd00:77::5").has_value(); }));
  EXPECT_EQ(store_.at("10.77.0.1")->first, "alpha.flowlens.test");
  EXPECT_EQ(store_.at("10.77.0.1")->second, 3600u);
  EXPECT_EQ(r->stats().resolved, 2u);
  EXPECT_FALSE(r->resolveAsync(ip("10.77.0.1")));  // known: no second query
}

TEST_F(ResolverTest, NxdomainLeavesNoNameAndIsNotAskedAgain) {
  auto r = make();
  EXPECT_TRUE(r->resolveAsync(ip("10.77.0.9")));
  ASSERT_TRUE(eventually([&] { return r->stats().not_found == 1; }));
  EXPECT_FALSE(r->name(ip("10.77.0.9")).has_value());
  EXPECT_FALSE(r->resolveAsync(ip("10.77.0.9")));  // negative answer remembered
  EXPECT_FALSE(store_.at("10.77.0.9").has_value());
}

TEST_F(ResolverTest, StoredNamesAnswerWithoutAQuery) {
  store_.names["10.77.0.2"] = {"from-a-previous-run.example", 3600};
  auto r = make();
  EXPECT_TRUE(r->resolveAsync(ip("10.77.0.2")));
  ASSERT_TRUE(eventually([&] { return r->name(ip("10.77.0.2")).has_value(); }));
  EXPECT_EQ(*r->name(ip("10.77.0.2")), "from-a-previous-run.example");
  EXPECT_EQ(r->stats().from_store, 1u);
  EXPECT_EQ(r->stats().resolved, 0u);
}

TEST_F(ResolverTest, ForwardLookups) {
  auto r = make();
  auto a = r->resolveHost("beta.flowlens.test", Family::kIpv4, milliseconds(5000));
  ASSERT_TRUE(a.ok()) << a.error();
  EXPECT_EQ(*a, "10.77.0.2");
  auto six = r->resolveHost("gamma.flowlens.test", Family::kPreferIpv4, milliseconds(5000));
  ASSERT_TRUE(six.ok()) << six.error();
  EXPECT_EQ(*six, "fd00:77::5");
  auto missing = r->resolveHost("nope.flowlens.test", Family::kIpv4, milliseconds(5000));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().find("name"), std::string::npos) << missing.error();
  EXPECT_FALSE(r->resolveHost("", Family::kIpv4, milliseconds(100)).ok());
  EXPECT_FALSE(r->resolveHost("beta.flowlens.test", Family::kIpv6, milliseconds(5000)).ok());
  auto v4_only = r->resolveHost("gamma.flowlens.test", Family::kIpv4, milliseconds(5000));
  EXPECT_FALSE(v4_only.ok());
}

TEST_F(ResolverTest, LearnedNamesOutrankReverseDnsAndPersist) {
  auto r = make();
  r->learn(ip("10.77.0.1"), "<b>chosen</b>.example", NameSource::kUser);
  EXPECT_EQ(*r->name(ip("10.77.0.1")), "<b>chosen</b>.example");  // raw: escaped on output
  // A DNS answer seen in the traffic does not replace what a script set.
  r->learn(ip("10.77.0.1"), "seen.example", NameSource::kDnsAnswer);
  EXPECT_EQ(*r->name(ip("10.77.0.1")), "<b>chosen</b>.example");
  r->learn(ip("10.77.0.3"), "seen.example", NameSource::kDnsAnswer);
  EXPECT_EQ(*r->name(ip("10.77.0.3")), "seen.example");
  ASSERT_TRUE(eventually([&] { return store_.at("10.77.0.3").has_value(); }));
  EXPECT_EQ(store_.at("10.77.0.1")->first, "<b>chosen</b>.example");
  EXPECT_FALSE(r->resolveAsync(ip("10.77.0.3")));  // named already
  r->learn(ip("10.77.0.4"), std::string(300, 'x'), NameSource::kDnsAnswer);  // not a DNS name
  EXPECT_FALSE(r->name(ip("10.77.0.4")).has_value());
  EXPECT_EQ(r->stats().learned, 2u);
}

// A burst of names (a capture's new hosts) wakes the resolver thread once per coalescing window,
// not once per name, and every name still reaches the store; after a quiet window, a single
// name wakes it again.
TEST_F(ResolverTest, BurstsWakeTheThreadOncePerWindowAndLoseNothing) {
  auto r = make();
  constexpr int kNames = 3000;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kNames; ++i) {
    const std::string a = "10.78." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1);
    r->learn(ip(a.c_str()), "host" + std::to_string(i) + ".example", NameSource::kDnsAnswer);
  }
  const auto elapsed_ms = std::chrono::duration_cast<milliseconds>(
                              std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(eventually([&] {
    std::lock_guard lock(store_.mutex);
    return store_.names.size() == size_t(kNames);
  }));
  EXPECT_EQ(store_.at("10.78.11.250")->first, "host2999.example");
  const uint64_t burst_wakeups = r->stats().wakeups;
  EXPECT_GE(burst_wakeups, 1u);
  // One per window (whole milliseconds: windows may be 19 ms apart), the first, and one when
  // the queue is half full.
  EXPECT_LE(burst_wakeups, uint64_t(elapsed_ms / (Resolver::kCoalesceMs - 1) + 3))
      << elapsed_ms << " ms";
  EXPECT_LT(burst_wakeups, uint64_t(kNames / 20)) << "about once per name";
  std::this_thread::sleep_for(milliseconds(3 * Resolver::kCoalesceMs));  // a quiet window
  r->learn(ip("10.79.0.1"), "late.example", NameSource::kDnsAnswer);
  EXPECT_EQ(r->stats().wakeups, burst_wakeups + 1);
  ASSERT_TRUE(eventually([&] { return store_.at("10.79.0.1").has_value(); }));
}

// A name queued (without a wake-up) while the thread is busy past its window's end, here in
// a slow store write, is drained as soon as the thread is done, not at its next timeout.
TEST_F(ResolverTest, WorkOutlastingTheWindowDoesNotDelayWhatQueuedMeanwhile) {
  auto r = make();
  std::this_thread::sleep_for(milliseconds(100));  // the thread idles (its wake-up consumed)
  store_.next_put_delay_ms = 3 * Resolver::kCoalesceMs;
  r->learn(ip("10.80.0.1"), "first.example", NameSource::kDnsAnswer);
  std::this_thread::sleep_for(milliseconds(Resolver::kCoalesceMs / 2));  // in the slow write
  const auto queued = std::chrono::steady_clock::now();
  r->learn(ip("10.80.0.2"), "second.example", NameSource::kDnsAnswer);
  ASSERT_TRUE(eventually([&] { return store_.at("10.80.0.2").has_value(); }));
  const auto waited = std::chrono::duration_cast<milliseconds>(
                          std::chrono::steady_clock::now() - queued).count();
  // The write ends ~50 ms after; the thread's idle timeout (500 ms) must not be what ends it.
  EXPECT_LT(waited, 300) << "the second name waited for the thread's timeout";
  EXPECT_TRUE(store_.at("10.80.0.1").has_value());
}

TEST_F(ResolverTest, OldestNamesAreForgottenPastTheCap) {
  ResolverConfig c;
  c.max_names = 3;
  auto r = make(c);
  for (int i = 1; i <= 5; ++i) {
    r->learn(ip(("10.1.0." + std::to_string(i)).c_str()), "h" + std::to_string(i) + ".example",
             NameSource::kDnsAnswer);
  }
  EXPECT_EQ(r->stats().names, 3u);
  EXPECT_FALSE(r->name(ip("10.1.0.1")).has_value());
  EXPECT_FALSE(r->name(ip("10.1.0.2")).has_value());
  EXPECT_EQ(*r->name(ip("10.1.0.5")), "h5.example");
}

TEST_F(ResolverTest, DnsModes) {
  ResolverConfig c;
  c.dns_mode = 0;
  auto local_only = make(c);
  EXPECT_TRUE(local_only->resolvesAutomatically(true));
  EXPECT_FALSE(local_only->resolvesAutomatically(false));
  EXPECT_TRUE(local_only->learnsFromAnswers());
  c.dns_mode = 1;
  auto all = make(c);
  EXPECT_TRUE(all->resolvesAutomatically(false));
  c.dns_mode = 2;
  auto none = make(c);
  EXPECT_FALSE(none->resolvesAutomatically(true));
  EXPECT_FALSE(none->resolveAsync(ip("10.77.0.1")));  // numeric addresses are never resolved
  EXPECT_TRUE(none->learnsFromAnswers());
  c.dns_mode = 3;
  auto nothing = make(c);
  EXPECT_FALSE(nothing->learnsFromAnswers());
  // Not worth asking: broadcast, multicast, unspecified.
  EXPECT_FALSE(all->resolveAsync(ip("255.255.255.255")));
  EXPECT_FALSE(all->resolveAsync(ip("224.0.0.251")));
  EXPECT_FALSE(all->resolveAsync(ip("ff02::1")));
  EXPECT_FALSE(all->resolveAsync(ip("0.0.0.0")));
}

TEST(ResolverSilentServer, QueueStaysBoundedAndCallersDoNotWait) {
  testing::SilentDnsServer silent;
  ASSERT_TRUE(silent.ok());
  ResolverConfig c;
  c.servers = silent.servers();
  c.timeout_ms = 200;
  c.tries = 1;
  c.max_queue = 100;
  c.max_in_flight = 8;
  auto r = Resolver::create(c);
  ASSERT_TRUE(r.ok()) << r.error();
  (*r)->start();
  size_t accepted = 0;
  for (uint32_t i = 1; i <= 10000; ++i) {
    util::IpAddress a;
    a.bytes = {10, uint8_t(i >> 16), uint8_t(i >> 8), uint8_t(i)};
    accepted += (*r)->resolveAsync(a) ? 1 : 0;
  }
  const ResolverStats s = (*r)->stats();
  // At most the queue plus what the thread took in flight meanwhile; the rest counted.
  EXPECT_LE(s.pending, c.max_queue);
  EXPECT_LE(s.in_flight, c.max_in_flight);
  EXPECT_LE(accepted, c.max_queue + 200);
  EXPECT_EQ(s.dropped, 10000 - accepted);
  // Queries time out and count as failures, not as "no name"; the queue drains.
  ASSERT_TRUE(eventually([&] { return (*r)->stats().failed == accepted; }))
      << "failed " << (*r)->stats().failed << " in flight " << (*r)->stats().in_flight
      << " pending " << (*r)->stats().pending << " nf " << (*r)->stats().not_found
      << " resolved " << (*r)->stats().resolved << " queued " << (*r)->stats().queued;
  auto fwd = (*r)->resolveHost("anything.example", Family::kIpv4, milliseconds(300));
  EXPECT_FALSE(fwd.ok());
  EXPECT_EQ((*r)->stats().not_found, 0u);
  EXPECT_EQ((*r)->stats().pending, 0u);
  for (uint8_t i = 1; i <= 50; ++i) {
    util::IpAddress a;
    a.bytes = {10, 200, 0, i};
    EXPECT_TRUE((*r)->resolveAsync(a));
  }
  (*r)->stop();  // returns although queries are outstanding
  EXPECT_FALSE((*r)->resolveHost("anything.example", Family::kIpv4, milliseconds(300)).ok());
}

TEST(ResolverConfigErrors, BadServerListIsRefused) {
  ResolverConfig c;
  c.servers = "not an address";
  auto r = Resolver::create(c);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("not an address"), std::string::npos) << r.error();
}

}  // namespace
}  // namespace flowlens::enrich
