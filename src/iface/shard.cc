#include "iface/shard.h"

#include <algorithm>
#include <cstring>

#include "dpi/flow_alerts.h"

namespace flowlens {
namespace {

using decode::DecodedPacket;

constexpr uint64_t kHousekeepingUs = 1'000'000;
constexpr uint64_t kHousekeepingPackets = 8192;  // files read fast: bound the passes per packet
constexpr uint64_t kSyncUndetectedAfterUs = 5'000'000;
constexpr size_t kMaxUnbound = 2048;  // new flows left without hosts while the shared lock is busy
constexpr uint16_t kNdpiDns = 5;     // NDPI_PROTOCOL_DNS
constexpr uint16_t kNdpiHttp = 7;    // NDPI_PROTOCOL_HTTP
constexpr uint16_t kNdpiTls = 91;    // NDPI_PROTOCOL_TLS
constexpr uint16_t kNdpiQuic = 188;  // NDPI_PROTOCOL_QUIC

bool seqBefore(uint32_t a, uint32_t b) { return int32_t(a - b) < 0; }

util::IpAddress toAddress(const std::array<uint8_t, 16>& ip, uint8_t version) {
  util::IpAddress a;
  a.v6 = version == 6;
  a.bytes = ip;
  return a;
}

}  // namespace

Shard::Shard(const EngineLimits& limits, uint32_t max_flows, std::unique_ptr<dpi::DpiEngine> dpi,
             SharedTables* shared)
    : limits_(limits), flows_(max_flows), dpi_(std::move(dpi)), shared_(shared) {
  std::lock_guard lock(shared_->mutex);
  clock_slot_ = shared_->shard_clocks.size();
  shared_->shard_clocks.push_back(0);
}

Shard::~Shard() {
  flows_.forEach([this](flow::Flow& f) {
    if (f.dpi_state != nullptr) dpi_->giveUp(f);
  });
}

void Shard::countMalformed(decode::Reason r, uint32_t wire_len) {
  counters_.bump(counters_.packets);
  counters_.bump(counters_.bytes, wire_len);
  counters_.bump(counters_.malformed[size_t(r)]);
}

void Shard::countNonIp(const DecodedPacket& p) {
  counters_.bump(counters_.packets);
  counters_.bump(counters_.bytes, p.wire_len);
  counters_.bump(counters_.non_ip_packets);
  if (p.ts_us > last_packet_us_) last_packet_us_ = p.ts_us;
}

void Shard::rememberFragment(const DecodedPacket& p) {
  FragmentEntry& e = fragments_[fragment_next_++ % fragments_.size()];
  e = FragmentEntry{p.src_ip, p.dst_ip, p.ip_id, p.l4_proto, p.src_port, p.dst_port, true};
}

bool Shard::recallFragment(DecodedPacket& p) const {
  for (const FragmentEntry& e : fragments_) {
    if (e.used && e.id == p.ip_id && e.proto == p.l4_proto && e.src == p.src_ip &&
        e.dst == p.dst_ip) {
      p.src_port = e.src_port;
      p.dst_port = e.dst_port;
      return true;
    }
  }
  return false;
}

Shard::Lookup Shard::Lookup::of(const DecodedPacket& p) {
  Lookup l;
  l.key = flow::makeKey(p, &l.src_is_lo);
  l.hash = flow::hashKey(l.key);
  l.valid = true;
  return l;
}

void Shard::prepare(const DecodedPacket& p, Lookup* out) const {
  if (p.fragment && !p.first_fragment) {
    out->valid = false;
    return;
  }
  *out = Lookup::of(p);
  flows_.prefetchSlot(out->hash);
}

void Shard::handle(DecodedPacket& p, const Lookup* lookup) {
  counters_.bump(counters_.packets);
  counters_.bump(counters_.bytes, p.wire_len);
  counters_.bump(counters_.ip_packets);
  if (p.ts_us > last_packet_us_) last_packet_us_ = p.ts_us;
  if (p.fragment) {
    counters_.bump(counters_.fragments);
    if (p.first_fragment) {
      rememberFragment(p);
    } else {
      recallFragment(p);  // unknown first fragment: the flow without ports
    }
  }

  Lookup here;
  if (lookup == nullptr || !lookup->valid) {  // (a non-first fragment: its ports now recalled)
    here = Lookup::of(p);
    lookup = &here;
  }
  const bool src_is_lo = lookup->src_is_lo;
  bool created;
  flow::Flow* f = flows_.findOrCreate(lookup->key, lookup->hash, &created);
  if (f == nullptr) {
    counters_.bump(counters_.flow_drops);
    return;
  }
  if (created) {
    // The first packet's sender is the client, unless it answers a SYN we did not see.
    const bool syn_ack = p.l4_proto == 6 && (p.tcp_flags & (decode::kTcpSyn | decode::kTcpAck)) ==
                                                (decode::kTcpSyn | decode::kTcpAck);
    f->lo_is_client = syn_ack ? !src_is_lo : src_is_lo;
    f->first_seen_us = p.ts_us;
    f->dscp = p.dscp;
    f->icmp_type = p.icmp_type;
    f->icmp_code = p.icmp_code;
    setMacs(*f, p);
    unbound_.push_back(f);  // hosts bound after the batch, many flows per shared-lock hold
  }
  const bool from_client = src_is_lo == f->lo_is_client;
  flow::Direction& d = from_client ? f->c2s : f->s2c;
  ++d.packets;
  d.bytes += p.wire_len;
  d.goodput_bytes += p.payload_len;
  if (p.ts_us > f->last_seen_us) f->last_seen_us = p.ts_us;
  if (p.l4_proto == 6 && p.has_l4) updateTcp(*f, d, p, from_client);
  if (!f->dpi_done && !(p.fragment && !p.first_fragment)) {
    dpi_->process(*f, p);
    // A connection closed both ways, or reset by a segment at the expected sequence number
    // (not a stray or forged one), sends no more payload: detection ends now rather than 5 s
    // later, and its nDPI state (with any TLS reassembly buffer) is reused sooner.
    const bool reset = p.l4_proto == 6 && (p.tcp_flags & decode::kTcpRst) && d.seq_known &&
                       p.tcp_seq == d.next_seq;
    if (f->tcp_state == flow::TcpState::kClosed || reset) dpi_->giveUp(*f);
  }
}

void Shard::updateTcp(flow::Flow& f, flow::Direction& d, const DecodedPacket& p, bool from_client) {
  const uint8_t flags = p.tcp_flags;
  d.tcp_flags |= flags;
  if (flags & decode::kTcpRst) {
    f.tcp_state = flow::TcpState::kReset;
  } else if ((f.c2s.tcp_flags & decode::kTcpFin) && (f.s2c.tcp_flags & decode::kTcpFin)) {
    f.tcp_state = flow::TcpState::kClosed;
  } else if (f.tcp_state == flow::TcpState::kNone && (flags & decode::kTcpSyn) &&
             !(flags & decode::kTcpAck)) {
    f.tcp_state = flow::TcpState::kSynSent;
  } else if (f.tcp_state != flow::TcpState::kClosed && f.tcp_state != flow::TcpState::kReset &&
             (f.c2s.tcp_flags & decode::kTcpSyn) && (f.s2c.tcp_flags & decode::kTcpSyn) &&
             (flags & decode::kTcpAck)) {
    f.tcp_state = flow::TcpState::kEstablished;
  }
  // Sequence tracking: the segment's sequence space (SYN and FIN count one).
  const uint32_t len = p.payload_len + ((flags & (decode::kTcpSyn | decode::kTcpFin)) ? 1 : 0);
  if (len == 0) return;
  const uint32_t end = p.tcp_seq + len;
  if (!d.seq_known || (flags & decode::kTcpSyn)) {
    d.seq_known = true;
    d.next_seq = end;
    return;
  }
  if (p.tcp_seq == d.next_seq) {
    d.next_seq = end;
  } else if (seqBefore(p.tcp_seq, d.next_seq)) {
    if (!seqBefore(d.next_seq, end)) {
      ++d.retransmissions;  // all of it was seen already
    } else {
      ++d.out_of_order;
      d.next_seq = end;
    }
  } else {
    ++d.lost;  // a gap: segments before this one were not seen
    d.next_seq = end;
  }
  (void)from_client;
}

void Shard::setMacs(flow::Flow& f, const DecodedPacket& p) {
  if (!p.has_mac) return;
  const flow::Endpoint& c = f.client();
  const bool client_is_src = std::memcmp(c.ip.data(), p.src_ip.data(), 16) == 0 &&
                             c.port == p.src_port;
  f.has_mac = true;
  f.client_mac = client_is_src ? p.src_mac : p.dst_mac;
  f.server_mac = client_is_src ? p.dst_mac : p.src_mac;
}

void Shard::bindNewFlows() {
  publishFlowCounts();  // flows are created only in batches, which end here
  if (unbound_.empty()) return;
  std::lock_guard lock(shared_->mutex);
  bindWaiting();
}

void Shard::bindNewFlowsUnlessBusy() {
  publishFlowCounts();
  if (unbound_.empty()) return;
  std::unique_lock lock(shared_->mutex, std::try_to_lock);
  if (!lock.owns_lock()) {
    if (unbound_.size() < kMaxUnbound) {  // the next batch tries again
      shared_->waiting_flows[clock_slot_].store(uint32_t(unbound_.size()),
                                                std::memory_order_relaxed);
      waiting_published_ = true;
      return;
    }
    lock.lock();
  }
  bindWaiting();
}

void Shard::bindWaiting() {
  for (flow::Flow* f : unbound_) bindHosts(*f);
  unbound_.clear();
  if (waiting_published_) {
    shared_->waiting_flows[clock_slot_].store(0, std::memory_order_relaxed);
    waiting_published_ = false;
  }
}

void Shard::publishFlowCounts() {
  counters_.flows.store(flows_.size(), std::memory_order_relaxed);
  counters_.flows_created.store(flows_.created(), std::memory_order_relaxed);
}

void Shard::bindHosts(flow::Flow& f) {
  const flow::Endpoint& c = f.client();
  const flow::Endpoint& s = f.server();
  const uint64_t ts = f.first_seen_us;
  auto& hosts = shared_->hosts;
  const auto& on_new = shared_->hooks.on_new_host;
  f.client_host = hosts.acquire(toAddress(c.ip, f.key.ip_version), f.key.vlan, ts, on_new);
  f.server_host = hosts.acquire(toAddress(s.ip, f.key.ip_version), f.key.vlan, ts, on_new);
  if (f.client_host == UINT32_MAX || f.server_host == UINT32_MAX) counters_.bump(counters_.host_drops);
  host::Host* ch = hosts.at(f.client_host);
  host::Host* sh = hosts.at(f.server_host);
  if (ch) {
    ++ch->active_flows_as_client;
    ++ch->flows_as_client;
    if (f.has_mac && !ch->has_mac) {
      ch->has_mac = true;
      ch->mac = f.client_mac;
      ++hosts.mac(f.client_mac, ts).num_hosts;
      if (shared_->hooks.on_host_mac) shared_->hooks.on_host_mac(*ch);
    }
    if (sh) ch->addContact(true, f.server_host);
  }
  if (sh) {
    ++sh->active_flows_as_server;
    ++sh->flows_as_server;
    if (f.has_mac && !sh->has_mac) {
      sh->has_mac = true;
      sh->mac = f.server_mac;
      ++hosts.mac(f.server_mac, ts).num_hosts;
      if (shared_->hooks.on_host_mac) shared_->hooks.on_host_mac(*sh);
    }
    if (ch) sh->addContact(false, f.client_host);
  }
  ++shared_->stats.l4[f.key.proto].flows;
  ++shared_->stats.vlans[f.key.vlan].flows;
}

void Shard::syncFlow(flow::Flow& f, uint64_t now_us) {
  if (!f.unsynced()) return;
  const uint64_t cp = f.c2s.packets - f.c2s.synced_packets, cb = f.c2s.bytes - f.c2s.synced_bytes;
  const uint64_t sp = f.s2c.packets - f.s2c.synced_packets, sb = f.s2c.bytes - f.s2c.synced_bytes;
  const bool first_sync = f.c2s.synced_packets + f.s2c.synced_packets == 0;
  f.c2s.synced_packets = f.c2s.packets;
  f.c2s.synced_bytes = f.c2s.bytes;
  f.s2c.synced_packets = f.s2c.packets;
  f.s2c.synced_bytes = f.s2c.bytes;

  TrafficStats& st = shared_->stats;
  const uint16_t app = f.app_proto != 0 ? f.app_proto : f.master_proto;
  for (AppStats* a : {&st.apps[app], &st.categories[f.category], &st.l4[f.key.proto],
                      &st.vlans[f.key.vlan]}) {
    a->traffic.add(true, cp, cb);
    a->traffic.add(false, sp, sb);
    ++a->duration_s;
  }
  if (first_sync) {
    ++st.apps[app].flows;
    ++st.categories[f.category].flows;
  }
  st.dscp[f.dscp].add(true, cp + sp, cb + sb);

  auto& hosts = shared_->hosts;
  const host::L4Bucket l4 = host::l4Bucket(f.key.proto);
  host::Host* ch = hosts.at(f.client_host);
  host::Host* sh = hosts.at(f.server_host);
  for (auto [h, sent_p, sent_b, rcvd_p, rcvd_b] :
       {std::tuple{ch, cp, cb, sp, sb}, std::tuple{sh, sp, sb, cp, cb}}) {
    if (h == nullptr) continue;
    h->traffic.add(true, sent_p, sent_b);
    h->traffic.add(false, rcvd_p, rcvd_b);
    h->l4[l4].add(true, sent_p, sent_b);
    h->l4[l4].add(false, rcvd_p, rcvd_b);
    host::AppTraffic& a = h->app(app);
    a.traffic.add(true, sent_p, sent_b);
    a.traffic.add(false, rcvd_p, rcvd_b);
    ++a.duration_s;
    if (f.last_seen_us > h->last_seen_us) h->last_seen_us = f.last_seen_us;
    if (h->local) {
      host::Traffic& n = st.networks[h->network_id];
      n.add(true, sent_p, sent_b);
      n.add(false, rcvd_p, rcvd_b);
    }
    // The name a client asked this server by (HTTP Host, TLS/QUIC SNI). Not DNS: there the
    // name is the query's, not the resolver's.
    if (h->name.empty() && h == sh && f.text && !f.text->server_name.empty() &&
        f.master_proto != kNdpiDns && f.app_proto != kNdpiDns) {
      h->name = f.text->server_name;
      const auto is = [&](uint16_t p) { return f.master_proto == p || f.app_proto == p; };
      h->name_from = is(kNdpiHttp)                     ? host::Host::NameFrom::kHttp
                     : is(kNdpiTls) || is(kNdpiQuic) ? host::Host::NameFrom::kTls
                                                     : host::Host::NameFrom::kOther;
    }
  }
  // Host pools: the client's, and the server's when another (ntopng's update_pools_stats).
  const uint64_t now_s = now_us / 1000000;  // the pass's clock: seconds with traffic
  if (ch != nullptr) {
    st.pools[ch->pool_id].credit(app, f.category, first_sync, now_s, cp, cb, sp, sb);
  }
  if (sh != nullptr && (ch == nullptr || sh->pool_id != ch->pool_id)) {
    st.pools[sh->pool_id].credit(app, f.category, first_sync, now_s, sp, sb, cp, cb);
  }
  if (f.dpi_done && !f.names_published) {
    f.names_published = true;
    if (f.text && f.text->dns_answer && shared_->hooks.on_dns_answer) {
      shared_->hooks.on_dns_answer(*f.text->dns_answer, f.text->server_name);
    }
  }
  if (f.has_mac) {
    host::MacHost& cm = hosts.mac(f.client_mac, f.first_seen_us);
    cm.traffic.add(true, cp, cb);
    cm.traffic.add(false, sp, sb);
    cm.last_seen_us = std::max(cm.last_seen_us, f.last_seen_us);
    cm.vlan = f.key.vlan;
    host::MacHost& sm = hosts.mac(f.server_mac, f.first_seen_us);
    sm.traffic.add(true, sp, sb);
    sm.traffic.add(false, cp, cb);
    sm.last_seen_us = std::max(sm.last_seen_us, f.last_seen_us);
    sm.vlan = f.key.vlan;
  }
}

void Shard::releaseFlow(flow::Flow& f) {
  auto& hosts = shared_->hosts;
  if (host::Host* h = hosts.at(f.client_host); h && h->active_flows_as_client > 0) {
    --h->active_flows_as_client;
  }
  if (host::Host* h = hosts.at(f.server_host); h && h->active_flows_as_server > 0) {
    --h->active_flows_as_server;
  }
}

uint64_t Shard::takeExpiredRisky(std::vector<flow::Flow>* out) {
  for (flow::Flow& f : expired_risky_) out->push_back(std::move(f));
  expired_risky_.clear();
  expired_servers_ = 0;
  return std::exchange(expired_risky_dropped_, 0);
}

bool Shard::housekeepingDue(uint64_t now_us, bool file) const {
  if (now_us < last_housekeeping_us_ + kHousekeepingUs) return false;
  // Live packets come in real time: a pass a second. A file is read faster than its clock, and a
  // pass walks every flow: it also waits for as many packets read as there are flows (at most
  // kHousekeepingPackets), so a small table still expires on time and a big one costs little.
  return !file ||
         packets_since_housekeeping_ >= std::min<uint64_t>(kHousekeepingPackets, flows_.size());
}

void Shard::housekeeping(uint64_t now_us, bool final) {
  beginHousekeeping(now_us);
  while (!housekeepingStep(now_us, final, kHousekeepingSlice)) {
  }
}

void Shard::beginHousekeeping(uint64_t now_us) {
  last_housekeeping_us_ = now_us;
  packets_since_housekeeping_ = 0;
  pass_position_ = 0;
  in_pass_ = true;
}

bool Shard::housekeepingStep(uint64_t now_us, bool final, size_t max_flows) {
  bindNewFlows();  // every flow a slice may sync or expire has its hosts
  // The shared lock is taken at the first flow with something for the hosts and held to the end
  // of the slice: a slice is short, and the nDPI work of giving up needs no shared lock.
  std::unique_lock lock(shared_->mutex, std::defer_lock);
  const auto expired = [&](const flow::Flow& f) {
    return !final && (f.last_seen_us + limits_.flow_idle_us < now_us ||
                      f.first_seen_us + limits_.flow_lifetime_us < now_us);
  };
  pass_position_ = flows_.eraseIfIn(pass_position_, max_flows, [&](flow::Flow& f) {
    const bool gone = expired(f);
    if (!f.dpi_done && (final || gone || f.last_seen_us + limits_.dpi_idle_us < now_us)) {
      dpi_->giveUp(f);
    }
    const bool sync = f.dpi_done || gone || final || f.first_seen_us + kSyncUndetectedAfterUs < now_us;
    if ((sync && f.unsynced()) || gone) {
      if (!lock.owns_lock()) lock.lock();
      if (sync) syncFlow(f, now_us);
      if (gone && collect_risky_.load(std::memory_order_relaxed)) {
        if (f.risk != 0) {
          if (expired_risky_.size() - expired_servers_ < kMaxExpiredRisky) {
            expired_risky_.push_back(f);
          } else {
            ++expired_risky_dropped_;
          }
        } else if ((server_kinds_.load(std::memory_order_relaxed) &
                    dpi::serverCheckBit(f.master_proto, f.app_proto)) != 0 &&
                   expired_servers_ < kMaxExpiredRisky) {
          expired_risky_.push_back(f);
          ++expired_servers_;
        }
      }
      if (gone) releaseFlow(f);
    }
    return gone;
  });
  publishFlowCounts();  // and end only here
  if (pass_position_ < flows_.size()) return false;
  in_pass_ = false;
  if (!lock.owns_lock()) lock.lock();
  std::vector<uint64_t>& clocks = shared_->shard_clocks;
  clocks[clock_slot_] = final ? UINT64_MAX : now_us;
  const uint64_t slowest = *std::min_element(clocks.begin(), clocks.end());
  // Idle hosts go once a second of the slowest shard's clock, whichever shard gets there, and
  // not while another shard's new flows wait for their hosts (a later pass purges them).
  const auto& waiting = shared_->waiting_flows;
  const bool flows_wait = std::any_of(waiting.begin(), waiting.end(), [](const auto& w) {
    return w.load(std::memory_order_relaxed) != 0;
  });
  if (!final && !flows_wait && slowest != UINT64_MAX && slowest > limits_.host_idle_us &&
      slowest >= shared_->purged_at_us + kHousekeepingUs) {
    shared_->purged_at_us = slowest;
    shared_->hosts.purgeIdle(slowest - limits_.host_idle_us);
    shared_->hosts.purgeIdleMacs(slowest - limits_.host_idle_us);
  }
  return true;
}

void Shard::resetCounters() {
  counters_.packets = 0;
  counters_.bytes = 0;
  counters_.ip_packets = 0;
  counters_.non_ip_packets = 0;
  counters_.fragments = 0;
  counters_.flow_drops = 0;
  counters_.host_drops = 0;
  for (auto& m : counters_.malformed) m = 0;
}

}  // namespace flowlens
