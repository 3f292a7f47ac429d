#include "iface/queries.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <map>
#include <tuple>

namespace flowlens {
namespace {

// Runs `scan`, which offers items; keeps the `want` first in `ordered` order, sorted, in `out`.
template <typename T, typename Order, typename Scan>
void keepBest(std::vector<T>& out, uint64_t want, const Order& ordered, const Scan& scan) {
  out.clear();
  if (want == 0) {
    scan([](const T&) {});
    return;
  }
  scan([&](const T& item) {
    if (out.size() < want) {
      out.push_back(item);
      std::push_heap(out.begin(), out.end(), ordered);
    } else if (ordered(item, out.front())) {
      std::pop_heap(out.begin(), out.end(), ordered);
      out.back() = item;
      std::push_heap(out.begin(), out.end(), ordered);
    }
  });
  std::sort_heap(out.begin(), out.end(), ordered);
}

// The flow query's filters and order, without paging.
std::string flowRankingKey(const FlowQuery& q) {
  std::string k = q.sort_column + (q.ascending ? "+" : "-");
  const auto add = [&](const char* tag, const std::string& v) { k += '|'; k += tag; k += v; };
  if (q.host) add("h", q.host->toString());
  if (q.vlan) add("v", std::to_string(*q.vlan));
  if (q.l4_proto) add("l", std::to_string(*q.l4_proto));
  if (q.application) add("a", std::to_string(*q.application));
  if (q.category) add("c", std::to_string(*q.category));
  if (q.port) add("p", std::to_string(*q.port));
  if (q.server_port) add("s", std::to_string(*q.server_port));
  for (const auto& p : q.allowed) add("w", p.toString());
  if (q.match_nothing) add("x", "");
  return k;
}

// The query's filters and order, without paging: what a cached ranking answers.
std::string rankingKey(const HostQuery& q) {
  std::string k = q.sort_column + (q.ascending ? "+" : "-") + std::to_string(int(q.scope)) +
                  std::to_string(int(q.kind));
  const auto add = [&](const char* tag, const std::string& v) { k += '|'; k += tag; k += v; };
  if (q.vlan) add("v", std::to_string(*q.vlan));
  if (q.pool) add("P", std::to_string(*q.pool));
  if (q.network_id) add("n", std::to_string(*q.network_id));
  if (q.ip_version) add("i", std::to_string(*q.ip_version));
  if (q.mac) add("m", host::macToString(*q.mac));
  if (q.application) add("a", std::to_string(*q.application));
  if (q.cidr) add("c", q.cidr->toString());
  if (q.country) add("C", *q.country);
  if (q.asn) add("A", std::to_string(*q.asn));
  for (const auto& p : q.allowed) add("w", p.toString());
  return k;
}

}  // namespace

bool inAllowed(const std::vector<util::IpPrefix>& allowed, const util::IpAddress& a) {
  return allowed.empty() ||
         std::any_of(allowed.begin(), allowed.end(), [&](const util::IpPrefix& p) { return p.contains(a); });
}

util::IpAddress addressOf(const flow::Endpoint& e, uint8_t ip_version) {
  util::IpAddress a;
  a.v6 = ip_version == 6;
  a.bytes = e.ip;
  return a;
}

bool hostMatches(const HostQuery& q, const host::Host& h) {
  if (q.scope == HostScope::kLocal && !h.local) return false;
  if (q.scope == HostScope::kRemote && h.local) return false;
  switch (q.kind) {
    case HostKind::kAny: break;
    case HostKind::kRxOnly:
      if (h.traffic.packets_sent != 0) return false;
      break;
    case HostKind::kRxOnlyTcp:
      if (h.traffic.packets_sent != 0 || h.l4[host::kL4Tcp].bytes_rcvd == 0) return false;
      break;
    case HostKind::kPublic:
      if (util::isPrivate(h.ip)) return false;
      break;
    case HostKind::kBroadcastMulticast:
      if (!util::isBroadcast(h.ip) && !util::isMulticast(h.ip)) return false;
      break;
  }
  if (q.vlan && h.vlan != *q.vlan) return false;
  if (q.pool && h.pool_id != *q.pool) return false;
  if (q.network_id && h.network_id != *q.network_id) return false;
  if (q.ip_version && (h.ip.v6 ? 6 : 4) != *q.ip_version) return false;
  if (q.mac && (!h.has_mac || h.mac != *q.mac)) return false;
  if (q.cidr && !q.cidr->contains(h.ip)) return false;
  if (q.asn && (h.geo.as ? h.geo.as->asn : 0) != *q.asn) return false;
  if (q.country && (h.geo.location ? h.geo.location->country : std::string()) != *q.country) {
    return false;
  }
  if (!inAllowed(q.allowed, h.ip)) return false;
  if (q.application) {
    const bool has = std::any_of(h.apps.begin(), h.apps.end(),
                                 [&](const host::AppTraffic& a) { return a.app == *q.application; });
    if (!has) return false;
  }
  return true;
}

HostPage queryHosts(const PacketEngine& engine, const HostQuery& q) {
  HostPage page;
  const auto keep = [&](const host::Host& h) { return hostMatches(q, h); };
  // Hosts are ranked on rows (what the sort columns read), copied under the shared lock, sorted
  // outside it, and the ranking is kept for kRankingMaxAgeNs: host counters move once a second
  // (housekeeping), so a dashboard or REST client paging and polling reuses it. The page's
  // hosts are then copied whole, as they are now.
  using H = HostRow;
  std::function<bool(const H&, const H&)> less;
  const std::string& c = q.sort_column;
  if (c == "column_ip" || c == "column_name") {
    less = [](const H& a, const H& b) { return util::compare(a.ip, b.ip) < 0; };
  } else if (c == "column_since" || c == "column_first_seen") {
    // Whole seconds, as answers show them: ties then break on the address, as a script
    // re-sorting the (keyed) answer by seen.first does.
    less = [](const H& a, const H& b) { return a.first_seen_us / 1000000 < b.first_seen_us / 1000000; };
  } else if (c == "column_last" || c == "column_last_seen") {
    less = [](const H& a, const H& b) { return a.last_seen_us / 1000000 < b.last_seen_us / 1000000; };
  } else if (c == "column_num_flows") {
    less = [](const H& a, const H& b) { return a.active_flows < b.active_flows; };
  } else if (c == "column_vlan") {
    less = [](const H& a, const H& b) { return a.vlan < b.vlan; };
  } else if (c == "column_bytes_sent") {
    less = [](const H& a, const H& b) { return a.traffic.bytes_sent < b.traffic.bytes_sent; };
  } else if (c == "column_bytes_rcvd") {
    less = [](const H& a, const H& b) { return a.traffic.bytes_rcvd < b.traffic.bytes_rcvd; };
  } else if (c == "column_packets") {
    less = [](const H& a, const H& b) { return a.traffic.packets() < b.traffic.packets(); };
  } else if (c == "column_thpt") {
    less = [](const H& a, const H& b) { return a.throughput_bps < b.throughput_bps; };
  } else if (c == "column_asn") {
    less = [](const H& a, const H& b) {
      return (a.geo.as ? a.geo.as->asn : 0) < (b.geo.as ? b.geo.as->asn : 0);
    };
  } else if (c == "column_country") {
    const auto code = [](const H& h) { return h.geo.location ? h.geo.location->country : ""; };
    less = [code](const H& a, const H& b) { return code(a) < code(b); };
  } else {  // column_traffic and anything unknown: by total bytes
    less = [](const H& a, const H& b) { return a.traffic.bytes() < b.traffic.bytes(); };
  }
  // Ties break on the address so pages are stable.
  const auto stable = [&](const H& a, const H& b) {
    if (less(a, b)) return true;
    if (less(b, a)) return false;
    return util::compare(a.ip, b.ip) < 0 || (a.ip == b.ip && a.vlan < b.vlan);
  };
  const auto ordered = [&](const H& a, const H& b) { return q.ascending ? stable(a, b) : stable(b, a); };

  const std::string cache_key = rankingKey(q) + "#" + std::to_string(engine.finishedThreads());
  const std::shared_ptr<const HostRanking> ranking =
      engine.hostRankings().findOrBuild(cache_key, [&] {
        auto fresh = std::make_shared<HostRanking>();
        engine.scanHosts([&](const host::Host& h) {
          if (keep(h)) fresh->rows.push_back(HostRow::of(h));
        });
        std::sort(fresh->rows.begin(), fresh->rows.end(), ordered);
        return fresh;
      });
  page.total = ranking->rows.size();
  const size_t first = std::min<size_t>(q.to_skip, ranking->rows.size());
  const size_t last = size_t(std::min<uint64_t>(uint64_t(first) + q.max_hits, ranking->rows.size()));
  engine.readShared([&](const host::HostTable& hosts, const TrafficStats&) {
    for (size_t i = first; i < last; ++i) {
      const HostRow& r = ranking->rows[i];
      const host::Host* h = hosts.find(r.ip, r.vlan);
      if (h != nullptr && h->serial == r.serial) page.hosts.push_back(*h);  // else purged since
    }
  });
  return page;
}

std::vector<HostGroup> groupHosts(const PacketEngine& engine, HostGrouping by,
                                  const std::vector<util::IpPrefix>& allowed,
                                  const std::string& sort_column, bool ascending) {
  std::map<std::string, HostGroup> groups;  // by country code, or by ASN as text
  engine.scanHosts([&](const host::Host& h) {
    if (!inAllowed(allowed, h.ip)) return;
    const enrich::Location* loc = h.geo.location;
    if (by == HostGrouping::kCountry && (loc == nullptr || loc->country.empty())) return;
    const uint32_t asn = h.geo.as ? h.geo.as->asn : 0;
    HostGroup& g = groups[by == HostGrouping::kCountry ? loc->country : std::to_string(asn)];
    if (g.num_hosts == 0) {
      g.asn = asn;
      if (h.geo.as) g.asname = h.geo.as->name;
      if (by == HostGrouping::kCountry) g.country = loc->country;
    }
    ++g.num_hosts;
    g.traffic.add(true, h.traffic.packets_sent, h.traffic.bytes_sent);
    g.traffic.add(false, h.traffic.packets_rcvd, h.traffic.bytes_rcvd);
    g.first_seen_us = std::min(g.first_seen_us, h.first_seen_us);
    g.last_seen_us = std::max(g.last_seen_us, h.last_seen_us);
    g.throughput_bps += h.throughput_bps;
    g.throughput_pps += h.throughput_pps;
  });
  std::vector<HostGroup> out;
  out.reserve(groups.size());
  for (auto& [key, g] : groups) out.push_back(std::move(g));
  const auto key = [&](const HostGroup& g) {
    const std::string& c = sort_column;
    if (c == "column_asn") return std::tuple(g.asn, std::string(), uint64_t{0});
    if (c == "column_asname" || c == "column_name") return std::tuple(0u, g.asname, uint64_t{0});
    if (c == "column_country") return std::tuple(0u, g.country, uint64_t{0});
    if (c == "column_hosts") return std::tuple(0u, std::string(), g.num_hosts);
    if (c == "column_since") return std::tuple(0u, std::string(), g.first_seen_us);
    return std::tuple(0u, std::string(), g.traffic.bytes());
  };
  std::stable_sort(out.begin(), out.end(), [&](const HostGroup& a, const HostGroup& b) {
    return ascending ? key(a) < key(b) : key(b) < key(a);
  });
  return out;
}

std::optional<host::Host> findHost(const PacketEngine& engine, const util::IpAddress& ip,
                                   std::optional<uint16_t> vlan) {
  std::optional<host::Host> out;
  engine.readShared([&](const host::HostTable& hosts, const TrafficStats&) {
    if (vlan) {
      if (const host::Host* h = hosts.find(ip, *vlan)) out = *h;
      return;
    }
    const auto all = hosts.findAll(ip);
    if (!all.empty()) out = *all.front();
  });
  return out;
}

bool matches(const FlowQuery& q, const FlowRow& f) {
  if (q.match_nothing) return false;
  if (q.vlan && f.key.vlan != *q.vlan) return false;
  if (q.l4_proto && f.key.proto != *q.l4_proto) return false;
  if (q.application && f.app_proto != *q.application && f.master_proto != *q.application) {
    return false;
  }
  if (q.category && f.category != *q.category) return false;
  if (q.port && f.key.lo.port != *q.port && f.key.hi.port != *q.port) return false;
  if (q.server_port && f.server().port != *q.server_port) return false;
  if (!q.host && q.allowed.empty()) return true;
  const util::IpAddress lo = addressOf(f.key.lo, f.key.ip_version);
  const util::IpAddress hi = addressOf(f.key.hi, f.key.ip_version);
  if (q.host && !(lo == *q.host || hi == *q.host)) return false;
  if (!q.allowed.empty() && !inAllowed(q.allowed, lo) && !inAllowed(q.allowed, hi)) return false;
  return true;
}

FlowPage queryFlows(const PacketEngine& engine, const FlowQuery& q) {
  FlowPage page;
  const auto keep = [&](const FlowRow& f) { return matches(q, f); };
  // Filters and sort keys work on rows (copied under the shard locks, visited outside them);
  // only the page's flows are then copied whole.
  using F = FlowRow;
  std::function<bool(const F&, const F&)> less;
  const std::string& c = q.sort_column;
  if (c == "column_client" || c == "column_cli") {
    less = [](const F& a, const F& b) {
      return util::compare(addressOf(a.client(), a.key.ip_version), addressOf(b.client(), b.key.ip_version)) < 0;
    };
  } else if (c == "column_server" || c == "column_srv") {
    less = [](const F& a, const F& b) {
      return util::compare(addressOf(a.server(), a.key.ip_version), addressOf(b.server(), b.key.ip_version)) < 0;
    };
  } else if (c == "column_first_seen") {
    less = [](const F& a, const F& b) { return a.first_seen_us < b.first_seen_us; };
  } else if (c == "column_last_seen") {
    less = [](const F& a, const F& b) { return a.last_seen_us < b.last_seen_us; };
  } else if (c == "column_duration") {
    less = [](const F& a, const F& b) {
      return a.last_seen_us - a.first_seen_us < b.last_seen_us - b.first_seen_us;
    };
  } else if (c == "column_packets") {
    less = [](const F& a, const F& b) { return a.packets() < b.packets(); };
  } else if (c == "column_thpt") {
    less = [](const F& a, const F& b) {
      return throughputBps(a.bytes(), a.first_seen_us, a.last_seen_us) <
             throughputBps(b.bytes(), b.first_seen_us, b.last_seen_us);
    };
  } else if (c == "column_ndpi" || c == "column_proto_l7") {
    less = [](const F& a, const F& b) { return a.app_proto < b.app_proto; };
  } else if (c == "column_proto_l4") {
    less = [](const F& a, const F& b) { return a.key.proto < b.key.proto; };
  } else if (c == "column_vlan") {
    less = [](const F& a, const F& b) { return a.key.vlan < b.key.vlan; };
  } else {  // column_bytes and anything unknown
    less = [](const F& a, const F& b) { return a.bytes() < b.bytes(); };
  }
  const auto stable = [&](const F& a, const F& b) {
    if (less(a, b)) return true;
    if (less(b, a)) return false;
    return a.hash < b.hash || (a.hash == b.hash && a.serial < b.serial);
  };
  const auto ordered = [&](const F& a, const F& b) { return q.ascending ? stable(a, b) : stable(b, a); };
  // One pass keeps the best skip+hits flows in a bounded heap (its front is the worst kept);
  // a flow is copied only when it enters the heap.
  // The best skip+hits rows of a scan are kept for a second: a page within them (a poller's
  // top N, the next page) reuses them.
  const uint64_t want = std::min<uint64_t>(uint64_t(q.to_skip) + q.max_hits, UINT32_MAX);
  const std::string cache_key = flowRankingKey(q) + "#" + std::to_string(engine.finishedThreads());
  const auto rank = [&] {
    auto fresh = std::make_shared<FlowRanking>();
    keepBest<F>(fresh->rows, want, ordered, [&](const std::function<void(const F&)>& offer) {
      engine.scanFlowRows([&](const F& f) {
        if (!keep(f)) return;
        ++fresh->total;
        offer(f);
      });
    });
    return fresh;
  };
  std::shared_ptr<const FlowRanking> ranking = engine.flowRankings().findOrBuild(cache_key, rank);
  if (ranking->rows.size() < want && ranking->rows.size() < ranking->total) {
    ranking = rank();  // it stops before this page ends (it was ranked for an earlier page)
    engine.flowRankings().put(cache_key, ranking);
  }
  page.total = ranking->total;
  const size_t end = size_t(std::min<uint64_t>(want, ranking->rows.size()));
  const size_t begin = size_t(std::min<uint64_t>(q.to_skip, end));
  const std::vector<F> rows(ranking->rows.begin() + long(begin), ranking->rows.begin() + long(end));
  // The page's flows as they are now, in order of their current values (the scan chose them
  // by slightly older ones). A flow that ended since the scan is left out.
  std::vector<std::pair<F, flow::Flow>> fetched;
  for (auto& [shard, f] : engine.fetchFlows(rows)) {
    fetched.emplace_back(FlowRow::of(f, shard), std::move(f));
  }
  std::sort(fetched.begin(), fetched.end(),
            [&](const auto& a, const auto& b) { return ordered(a.first, b.first); });
  for (auto& [row, f] : fetched) page.flows.push_back(std::move(f));
  return page;
}

uint32_t flowKey(const flow::Flow& f) {
  // Independent of direction and of the shard: the endpoints' words summed.
  uint32_t k = uint32_t(f.key.lo.port) + f.key.hi.port + f.key.vlan + f.key.proto;
  for (int i = 0; i < 16; i += 4) {
    uint32_t a, b;
    std::memcpy(&a, f.key.lo.ip.data() + i, 4);
    std::memcpy(&b, f.key.hi.ip.data() + i, 4);
    k += a + b;
  }
  return k;
}

std::optional<flow::Flow> findFlow(const PacketEngine& engine, uint32_t key, uint32_t hash_id) {
  auto flows = engine.flows([&](const flow::Flow& f) {
    return f.serial == hash_id && flowKey(f) == key;
  });
  if (flows.empty()) return std::nullopt;
  return std::move(flows.front());
}

double throughputBps(uint64_t bytes, uint64_t first_seen_us, uint64_t last_seen_us) {
  const double secs = double(last_seen_us - first_seen_us) / 1e6;
  return secs > 0 ? double(bytes) * 8 / secs : 0.0;
}

double flowThroughputBps(const flow::Flow& f) {
  return throughputBps(f.bytes(), f.first_seen_us, f.last_seen_us);
}

}  // namespace flowlens
