#include "enrich/resolver.h"

#include <ares.h>
#include <arpa/nameser.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cstring>
#include <ctime>
#include <future>

namespace flowlens::enrich {
namespace {

constexpr size_t kMaxNameLength = 255;  // a DNS name; longer text is not a host name

// Addresses no reverse lookup can name: unspecified, broadcast, multicast.
bool worthResolving(const util::IpAddress& a) {
  if (!a.v6) {
    const uint8_t first = a.bytes[0];
    const bool all_zero = (a.bytes[0] | a.bytes[1] | a.bytes[2] | a.bytes[3]) == 0;
    const bool broadcast = (a.bytes[0] & a.bytes[1] & a.bytes[2] & a.bytes[3]) == 0xff;
    return !all_zero && !broadcast && (first & 0xf0) != 0xe0;
  }
  if (a.bytes[0] == 0xff) return false;
  for (uint8_t b : a.bytes) {
    if (b != 0) return true;
  }
  return false;
}

// "4.3.2.1.in-addr.arpa", or the nibbles of an IPv6 address under ip6.arpa.
std::string reverseName(const util::IpAddress& a) {
  std::string out;
  if (!a.v6) {
    for (int i = 3; i >= 0; --i) out += std::to_string(a.bytes[size_t(i)]) + ".";
    return out + "in-addr.arpa";
  }
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 15; i >= 0; --i) {
    out += kHex[a.bytes[size_t(i)] & 0xf];
    out += '.';
    out += kHex[a.bytes[size_t(i)] >> 4];
    out += '.';
  }
  return out + "ip6.arpa";
}

void initLibraryOnce() {
  static const int rc = ares_library_init(ARES_LIB_INIT_ALL);
  (void)rc;
}

}  // namespace

struct Resolver::Channel {
  ares_channel channel = nullptr;
  ~Channel() {
    if (channel != nullptr) ares_destroy(channel);
  }
};

struct Resolver::Forward {
  std::string host;
  Family family = Family::kPreferIpv4;
  std::promise<Result<std::string>> done;
};

namespace {

struct ReverseQuery {
  Resolver* resolver;
  util::IpAddress ip;
};

struct ForwardQuery {
  std::shared_ptr<void> keep;  // the Forward, alive until the callback ran
  std::promise<Result<std::string>>* done;
  Family family;
};

}  // namespace

size_t Resolver::IpHash::operator()(const util::IpAddress& a) const {
  uint64_t lo = 0, hi = 0;
  std::memcpy(&lo, a.bytes.data(), 8);
  std::memcpy(&hi, a.bytes.data() + 8, 8);
  return std::hash<uint64_t>()(lo * 0x9e3779b97f4a7c15ull ^ hi ^ uint64_t(a.v6));
}

Resolver::Resolver(const ResolverConfig& config)
    : config_(config), channel_(std::make_unique<Channel>()) {}

Result<std::unique_ptr<Resolver>> Resolver::create(const ResolverConfig& config) {
  initLibraryOnce();
  std::unique_ptr<Resolver> r(new Resolver(config));
  ares_options opts{};
  opts.timeout = std::max(1, config.timeout_ms);
  opts.tries = std::max(1, config.tries);
  const int mask = ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES;
  if (int rc = ares_init_options(&r->channel_->channel, &opts, mask); rc != ARES_SUCCESS) {
    return Error{std::string("DNS resolver: ") + ares_strerror(rc)};
  }
  if (!config.servers.empty()) {
    const int rc = ares_set_servers_ports_csv(r->channel_->channel, config.servers.c_str());
    if (rc != ARES_SUCCESS) {
      return Error{"DNS resolver: bad server list '" + config.servers + "': " + ares_strerror(rc)};
    }
  }
  r->wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (r->wake_fd_ < 0) return Error{std::string("DNS resolver: eventfd: ") + std::strerror(errno)};
  return r;
}

Resolver::~Resolver() {
  stop();
  channel_.reset();
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void Resolver::setStore(NameStore store) {
  std::lock_guard lock(queue_mutex_);
  store_ = std::move(store);
}

void Resolver::start() {
  if (running_.exchange(true)) return;
  thread_ = std::thread([this] { run(); });
}

void Resolver::stop() {
  if (!running_.exchange(false)) return;
  wake();
  if (thread_.joinable()) thread_.join();
  // Queries still outstanding end with ARES_EDESTRUCTION; their callbacks free themselves.
  ares_cancel(channel_->channel);
  in_flight_ = 0;
  std::lock_guard lock(queue_mutex_);
  for (auto& f : forwards_) f->done.set_value(Error{"the resolver stopped"});
  forwards_.clear();
  pending_.clear();
  queued_.clear();  // cancelled and never-started lookups may be asked again after a restart
}

void Resolver::wake() {
  const uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof(one));
}

void Resolver::wakeForBackground(bool half_full) {
  if (half_full || steadyMs() >= quiet_at_ms_.load(std::memory_order_acquire)) {
    wakeups_.fetch_add(1, std::memory_order_relaxed);
    wake();
  }
}

int64_t Resolver::steadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

uint64_t Resolver::nowSeconds() { return uint64_t(std::time(nullptr)); }

bool Resolver::resolvesAutomatically(bool local_host) const {
  return config_.dns_mode == 1 || (config_.dns_mode == 0 && local_host);
}

bool Resolver::resolveAsync(const util::IpAddress& ip) {
  if (config_.dns_mode >= 2 || !worthResolving(ip)) return false;
  {
    std::shared_lock lock(names_mutex_);
    auto it = names_.find(ip);
    if (it != names_.end() && it->second.expires_s > nowSeconds()) return false;
  }
  bool was_empty, half_full;
  {
    std::lock_guard lock(queue_mutex_);
    if (queued_.count(ip) != 0) return false;
    if (pending_.size() >= config_.max_queue) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    was_empty = pending_.empty();
    pending_.push_back(ip);
    queued_.insert(ip);
    half_full = pending_.size() == config_.max_queue / 2;
  }
  queued_count_.fetch_add(1, std::memory_order_relaxed);
  // The thread drains the whole queue once woken.
  if (was_empty || half_full) wakeForBackground(half_full);
  return true;
}

void Resolver::learn(const util::IpAddress& ip, std::string_view name, NameSource source,
                     bool persist) {
  if (name.empty() || name.size() > kMaxNameLength || !worthResolving(ip)) return;
  std::string text(name);
  {
    std::unique_lock lock(names_mutex_);
    auto it = names_.find(ip);
    if (it != names_.end() && it->second.name == text && it->second.source == source &&
        it->second.expires_s > nowSeconds() + config_.ttl_s / 2) {
      return;  // seen again: the stored copy is fresh enough
    }
    if (!remember(ip, text, source, config_.ttl_s)) return;  // a stronger name stays
  }
  learned_.fetch_add(1, std::memory_order_relaxed);
  if (!persist) return;
  bool was_empty, half_full;
  {
    std::lock_guard lock(queue_mutex_);
    if (to_persist_.size() >= config_.max_queue) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return;  // known in memory; only the store copy is skipped
    }
    was_empty = to_persist_.empty();
    to_persist_.push_back({ip, std::move(text)});
    half_full = to_persist_.size() == config_.max_queue / 2;
  }
  if (was_empty || half_full) wakeForBackground(half_full);
}

bool Resolver::remember(const util::IpAddress& ip, std::string name, NameSource source,
                        uint32_t ttl_s) {
  const uint64_t now = nowSeconds();
  auto [it, inserted] = names_.try_emplace(ip);
  Entry& e = it->second;
  if (!inserted && e.expires_s > now && !e.name.empty() && e.source > source) return false;
  e.name = std::move(name);
  e.source = source;
  e.expires_s = now + ttl_s;
  if (inserted) {
    names_order_.push_back(ip);
    while (names_.size() > config_.max_names && !names_order_.empty()) {
      names_.erase(names_order_.front());
      names_order_.pop_front();
    }
  }
  return true;
}

std::optional<std::string> Resolver::name(const util::IpAddress& ip) const {
  std::shared_lock lock(names_mutex_);
  auto it = names_.find(ip);
  if (it == names_.end() || it->second.name.empty() || it->second.expires_s <= nowSeconds()) {
    return std::nullopt;
  }
  return it->second.name;
}

Result<std::string> Resolver::resolveHost(std::string_view host, Family family,
                                          std::chrono::milliseconds timeout) {
  if (host.empty() || host.size() > kMaxNameLength) return Error{"not a host name"};
  if (!running_) return Error{"the resolver is not running"};
  auto f = std::make_shared<Forward>();
  f->host = std::string(host);
  f->family = family;
  auto answer = f->done.get_future();
  {
    std::lock_guard lock(queue_mutex_);
    if (forwards_.size() >= config_.max_in_flight) return Error{"too many lookups waiting"};
    forwards_.push_back(f);
  }
  wake();
  if (answer.wait_for(timeout) != std::future_status::ready) {
    return Error{"no answer within " + std::to_string(timeout.count()) + " ms"};
  }
  return answer.get();
}

ResolverStats Resolver::stats() const {
  ResolverStats s;
  s.queued = queued_count_.load();
  s.resolved = resolved_.load();
  s.not_found = not_found_.load();
  s.failed = failed_.load();
  s.dropped = dropped_.load();
  s.from_store = from_store_.load();
  s.learned = learned_.load();
  s.wakeups = wakeups_.load();
  {
    std::lock_guard lock(queue_mutex_);
    s.pending = pending_.size();
  }
  s.in_flight = in_flight_.load();
  std::shared_lock lock(names_mutex_);
  s.names = names_.size();
  return s;
}

void Resolver::finishReverse(const util::IpAddress& ip, int status, const char* name) {
  if (status == ARES_EDESTRUCTION || status == ARES_ECANCELLED) return;
  --in_flight_;
  std::string found;
  if (status == ARES_SUCCESS && name != nullptr && std::strlen(name) <= kMaxNameLength) {
    found = name;
    resolved_.fetch_add(1, std::memory_order_relaxed);
  } else if (status == ARES_ENOTFOUND || status == ARES_ENODATA || status == ARES_SUCCESS) {
    not_found_.fetch_add(1, std::memory_order_relaxed);
  } else {
    failed_.fetch_add(1, std::memory_order_relaxed);
  }
  bool kept;
  {
    std::unique_lock lock(names_mutex_);
    kept = remember(ip, found, NameSource::kReverseDns,
                    found.empty() ? config_.negative_ttl_s : config_.ttl_s);
  }
  std::lock_guard lock(queue_mutex_);
  queued_.erase(ip);
  // A stronger name (a script's, a DNS answer's) that arrived meanwhile stays, in the store too.
  if (kept && !found.empty()) to_persist_.push_back({ip, std::move(found)});
}

void Resolver::run() {
  ares_channel ch = channel_->channel;
  // A coalescing window is open from a drain that took work until a drain that finds none
  // once quiet_at_ms_ has passed: while it is open the thread comes back by quiet_at_ms_ however
  // long the work in between took, so what a producer left without waking it is drained then.
  // A producer that queues after the closing drain sees the window over, and wakes the thread.
  bool window_open = false;
  while (running_) {
    std::vector<util::IpAddress> batch;
    std::vector<std::shared_ptr<Forward>> forwards;
    std::vector<Persist> persist;
    NameStore store;
    {
      std::lock_guard lock(queue_mutex_);
      while (!pending_.empty() && in_flight_ + batch.size() < config_.max_in_flight) {
        batch.push_back(pending_.front());
        pending_.pop_front();
      }
      forwards.swap(forwards_);
      persist.swap(to_persist_);
      if (!batch.empty() || !persist.empty()) {
        store = store_;
        // Work taken: for kCoalesceMs, producers leave more for the thread to find. Set under
        // the queue's lock, so a producer that queues after this drain sees the new time.
        quiet_at_ms_.store(steadyMs() + kCoalesceMs, std::memory_order_release);
        window_open = true;
      } else if (window_open && steadyMs() >= quiet_at_ms_.load(std::memory_order_relaxed)) {
        window_open = false;
      }
    }
    for (const Persist& p : persist) {
      if (store.put) store.put(p.ip.toString(), p.name, config_.ttl_s);
    }
    for (const util::IpAddress& ip : batch) {
      // A name a previous run (or another process) stored is as good as an answer.
      if (store.get) {
        auto known = store.get(ip.toString());
        if (known && !known->empty() && known->size() <= kMaxNameLength) {
          from_store_.fetch_add(1, std::memory_order_relaxed);
          {
            std::unique_lock lock(names_mutex_);
            remember(ip, *known, NameSource::kReverseDns, config_.ttl_s);
          }
          std::lock_guard lock(queue_mutex_);
          queued_.erase(ip);
          continue;
        }
      }
      ++in_flight_;
      auto* q = new ReverseQuery{this, ip};
      // A PTR query of its own rather than ares_gethostbyaddr, which reports a timeout as
      // "not found" (it falls back to the hosts file): failures stay apart from NXDOMAIN.
      ares_query(
          ch, reverseName(ip).c_str(), C_IN, T_PTR,
          [](void* arg, int status, int, unsigned char* abuf, int alen) {
            std::unique_ptr<ReverseQuery> q(static_cast<ReverseQuery*>(arg));
            hostent* h = nullptr;
            if (status == ARES_SUCCESS) {
              status = ares_parse_ptr_reply(abuf, alen, q->ip.bytes.data(), q->ip.v6 ? 16 : 4,
                                            q->ip.v6 ? AF_INET6 : AF_INET, &h);
            }
            q->resolver->finishReverse(q->ip, status, h != nullptr ? h->h_name : nullptr);
            if (h != nullptr) ares_free_hostent(h);
          },
          q);
    }
    for (auto& f : forwards) {
      ares_addrinfo_hints hints{};
      hints.ai_family = f->family == Family::kIpv4   ? AF_INET
                        : f->family == Family::kIpv6 ? AF_INET6
                                                     : AF_UNSPEC;
      auto* q = new ForwardQuery{f, &f->done, f->family};
      ares_getaddrinfo(
          ch, f->host.c_str(), nullptr, &hints,
          [](void* arg, int status, int, ares_addrinfo* res) {
            std::unique_ptr<ForwardQuery> q(static_cast<ForwardQuery*>(arg));
            if (status == ARES_SUCCESS && res != nullptr && res->nodes != nullptr) {
              char text[INET6_ADDRSTRLEN] = {0};
              const ares_addrinfo_node* n = res->nodes;
              if (q->family == Family::kPreferIpv4) {
                for (const ares_addrinfo_node* i = res->nodes; i != nullptr; i = i->ai_next) {
                  if (i->ai_family == AF_INET) {
                    n = i;
                    break;
                  }
                }
              }
              const void* addr =
                  n->ai_family == AF_INET6
                      ? static_cast<const void*>(
                            &reinterpret_cast<const sockaddr_in6*>(n->ai_addr)->sin6_addr)
                      : static_cast<const void*>(
                            &reinterpret_cast<const sockaddr_in*>(n->ai_addr)->sin_addr);
              inet_ntop(n->ai_family, addr, text, sizeof(text));
              q->done->set_value(std::string(text));
            } else {
              q->done->set_value(Error{ares_strerror(status)});
            }
            if (res != nullptr) ares_freeaddrinfo(res);
          },
          q);
    }

    ares_socket_t socks[ARES_GETSOCK_MAXNUM];
    const int bits = ares_getsock(ch, socks, ARES_GETSOCK_MAXNUM);
    pollfd fds[ARES_GETSOCK_MAXNUM + 1];
    nfds_t n = 0;
    fds[n++] = {wake_fd_, POLLIN, 0};
    for (int i = 0; i < ARES_GETSOCK_MAXNUM; ++i) {
      short events = 0;
      if (ARES_GETSOCK_READABLE(bits, i)) events |= POLLIN;
      if (ARES_GETSOCK_WRITABLE(bits, i)) events |= POLLOUT;
      if (events == 0) continue;
      fds[n++] = {socks[i], events, 0};
    }
    timeval max{0, 500000}, buf{};
    const timeval* tv = ares_timeout(ch, &max, &buf);
    int wait_ms = int(tv->tv_sec * 1000 + tv->tv_usec / 1000);
    // Within a coalescing window, producers did not wake the thread: it drains again at its
    // end, at once when the work since the last drain outlasted it.
    if (window_open) {
      const int64_t quiet_in = quiet_at_ms_.load(std::memory_order_relaxed) - steadyMs();
      wait_ms = int(std::min<int64_t>(wait_ms, std::max<int64_t>(quiet_in, 0) + 1));
    }
    const int ready = ::poll(fds, n, std::max(wait_ms, 1));
    if (ready > 0 && (fds[0].revents & POLLIN)) {
      uint64_t drained;
      [[maybe_unused]] ssize_t r = ::read(wake_fd_, &drained, sizeof(drained));
    }
    bool any = false;
    for (nfds_t i = 1; ready > 0 && i < n; ++i) {
      if (fds[i].revents == 0) continue;
      any = true;
      const bool rd = fds[i].revents & (POLLIN | POLLERR | POLLHUP);
      const bool wr = fds[i].revents & POLLOUT;
      ares_process_fd(ch, rd ? fds[i].fd : ARES_SOCKET_BAD, wr ? fds[i].fd : ARES_SOCKET_BAD);
    }
    if (!any) ares_process_fd(ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);  // timeouts
  }
}

}  // namespace flowlens::enrich
