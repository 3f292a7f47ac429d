#include "lua/interface/views.h"

#include <netdb.h>

#include "enrich/enrichment.h"
#include "iface/queries.h"
#include "lua/args.h"
#include "lua/state.h"

namespace flowlens::lua::iface {
namespace {

int64_t seconds(uint64_t us) { return int64_t(us / 1000000); }

void setTraffic(lua_State* L, const char* prefix, const host::Traffic& t) {
  const std::string p = prefix;
  setField(L, (p + "bytes.sent").c_str(), t.bytes_sent);
  setField(L, (p + "bytes.rcvd").c_str(), t.bytes_rcvd);
  setField(L, (p + "packets.sent").c_str(), t.packets_sent);
  setField(L, (p + "packets.rcvd").c_str(), t.packets_rcvd);
}

}  // namespace

const char* l4Name(uint8_t proto) {
  switch (proto) {
    case 6: return "TCP";
    case 17: return "UDP";
    case 1: return "ICMP";
    case 58: return "ICMPv6";
    case 2: return "IGMP";
    case 47: return "GRE";
    case 50: return "ESP";
    case 132: return "SCTP";
    case 112: return "VRRP";
    case 89: return "OSPF";
    default: {
      static thread_local char buf[8];
      const protoent* p = getprotobynumber(proto);
      if (p != nullptr && p->p_name != nullptr) return p->p_name;
      snprintf(buf, sizeof(buf), "%u", proto);
      return buf;
    }
  }
}

std::string hostKey(const host::Host& h) {
  std::string k = h.ip.toString();
  if (h.vlan != 0) k += "@" + std::to_string(h.vlan);
  return k;
}

void pushHost(lua_State* L, const host::Host& h, int ifid, bool details,
              const dpi::DpiCatalog& catalog) {
  lua_createtable(L, 0, details ? 64 : 40);
  const std::string ip = h.ip.toString();
  setField(L, "ip", ip);
  setField(L, "ipkey", h.ip.v6 ? int64_t{0}
                                : int64_t(uint32_t(h.ip.bytes[0]) << 24 | h.ip.bytes[1] << 16 |
                                          h.ip.bytes[2] << 8 | h.ip.bytes[3]));
  setField(L, "tskey", hostKey(h));
  setField(L, "ip_version", h.ip.v6 ? 6 : 4);
  setField(L, "vlan", int64_t{h.vlan});
  setField(L, "ifid", ifid);
  setField(L, "mac", h.has_mac ? host::macToString(h.mac) : std::string("00:00:00:00:00:00"));
  // The name: resolved (reverse DNS, a DNS answer seen, or set by a script), else the one
  // clients asked the host by (TLS SNI, HTTP Host).
  const std::optional<std::string> resolved = resolvedName(L, h.ip);
  setField(L, "name", resolved ? *resolved : h.name);
  lua_createtable(L, 0, 2);
  if (resolved) setField(L, "resolved", *resolved);
  // ntopng's keys by source: "http" (HTTP Host), "tls" (TLS/QUIC SNI).
  if (!h.name.empty()) {
    using From = host::Host::NameFrom;
    setField(L, h.name_from == From::kHttp ? "http" : h.name_from == From::kTls ? "tls" : "server",
             h.name);
  }
  lua_setfield(L, -2, "names");
  setField(L, "localhost", h.local);
  setField(L, "systemhost", false);
  setField(L, "privatehost", util::isPrivate(h.ip));
  setField(L, "is_multicast", util::isMulticast(h.ip));
  setField(L, "is_broadcast", util::isBroadcast(h.ip));
  setField(L, "is_blacklisted", false);
  setField(L, "local_network_id", h.network_id);
  setField(L, "host_pool_id", int64_t{h.pool_id});
  setField(L, "host_pool_match", h.pool_by_mac ? "mac" : "ip");
  setField(L, "seen.first", seconds(h.first_seen_us));
  setField(L, "seen.last", seconds(h.last_seen_us));
  setField(L, "duration", seconds(h.last_seen_us - h.first_seen_us) + 1);
  setTraffic(L, "", h.traffic);
  setField(L, "active_flows.as_client", uint64_t{h.active_flows_as_client});
  setField(L, "active_flows.as_server", uint64_t{h.active_flows_as_server});
  setField(L, "flows.as_client", uint64_t{h.active_flows_as_client});
  setField(L, "flows.as_server", uint64_t{h.active_flows_as_server});
  setField(L, "total_flows.as_client", h.flows_as_client);
  setField(L, "total_flows.as_server", h.flows_as_server);
  setField(L, "contacts.as_client", uint64_t{h.contacts_as_client.size()});
  setField(L, "contacts.as_server", uint64_t{h.contacts_as_server.size()});
  setField(L, "throughput_bps", h.throughput_bps);
  setField(L, "throughput_pps", h.throughput_pps);
  setField(L, "num_alerts", 0);
  setField(L, "score", 0);
  const enrich::Location* loc = h.geo.location;
  setField(L, "country", loc ? loc->country : std::string());
  setField(L, "city", loc ? loc->city : std::string());
  setField(L, "continent", loc ? loc->continent : std::string());
  setField(L, "latitude", loc ? loc->latitude : 0.0);
  setField(L, "longitude", loc ? loc->longitude : 0.0);
  setField(L, "asn", int64_t(h.geo.as ? h.geo.as->asn : 0));
  setField(L, "asname", h.geo.as ? h.geo.as->name : std::string());
  setField(L, "os", 0);
  static const char* const kL4[] = {"tcp.", "udp.", "icmp.", "other_ip."};
  for (int b = 0; b < host::kL4Count; ++b) setTraffic(L, kL4[b], h.l4[b]);
  if (details) pushHostNdpi(L, h, catalog);
}

void pushHostNdpi(lua_State* L, const host::Host& h, const dpi::DpiCatalog& catalog) {
  lua_createtable(L, 0, int(h.apps.size()));  // ndpi: per application
  for (const host::AppTraffic& a : h.apps) {
    lua_createtable(L, 0, 7);
    setTraffic(L, "", a.traffic);
    setField(L, "duration", a.duration_s);
    setField(L, "breed", catalog.breedName(a.app));
    setField(L, "id", int64_t{a.app});
    lua_setfield(L, -2, catalog.protocolName(a.app).c_str());
  }
  lua_setfield(L, -2, "ndpi");
  std::map<uint16_t, host::AppTraffic> by_category;
  for (const host::AppTraffic& a : h.apps) {
    host::AppTraffic& c = by_category[catalog.categoryOf(a.app)];
    c.traffic.bytes_sent += a.traffic.bytes_sent;
    c.traffic.bytes_rcvd += a.traffic.bytes_rcvd;
    c.duration_s = std::max(c.duration_s, a.duration_s);
  }
  lua_createtable(L, 0, int(by_category.size()));
  for (const auto& [cat, a] : by_category) setCategoryEntry(L, catalog, cat, a.traffic, a.duration_s);
  lua_setfield(L, -2, "ndpi_categories");
}

std::optional<std::string> resolvedName(lua_State* L, const util::IpAddress& ip) {
  enrich::Enrichment* enrichment = LuaState::from(L)->services().enrichment;
  if (enrichment == nullptr) return std::nullopt;
  return enrichment->resolver().name(ip);
}

std::string displayName(lua_State* L, const host::Host& h) {
  return resolvedName(L, h.ip).value_or(h.name);
}

void pushFlow(lua_State* L, const flow::Flow& f, const dpi::DpiCatalog& catalog) {
  lua_createtable(L, 0, 48);
  const flow::Endpoint& c = f.client();
  const flow::Endpoint& s = f.server();
  setField(L, "cli.ip", addressOf(c, f.key.ip_version).toString());
  setField(L, "srv.ip", addressOf(s, f.key.ip_version).toString());
  setField(L, "cli.port", int64_t{c.port});
  setField(L, "srv.port", int64_t{s.port});
  if (f.has_mac) {
    setField(L, "cli.mac", host::macToString(f.client_mac));
    setField(L, "srv.mac", host::macToString(f.server_mac));
  }
  setField(L, "vlan", int64_t{f.key.vlan});
  setField(L, "proto.l4", l4Name(f.key.proto));
  setField(L, "proto.l4_id", int64_t{f.key.proto});
  setField(L, "proto.ndpi", catalog.fullName(f.master_proto, f.app_proto));
  setField(L, "proto.ndpi_id", int64_t{f.app_proto});
  setField(L, "proto.master_ndpi", int64_t{f.master_proto});
  setField(L, "proto.ndpi_app", catalog.protocolName(f.app_proto));
  setField(L, "proto.ndpi_breed", catalog.breedName(f.app_proto ? f.app_proto : f.master_proto));
  setField(L, "proto.ndpi_cat", catalog.categoryName(f.category));
  setField(L, "proto.ndpi_cat_id", int64_t{f.category});
  setField(L, "proto.ndpi_confidence", int64_t{f.confidence});
  setField(L, "bytes", f.bytes());
  setField(L, "packets", f.packets());
  setField(L, "goodput_bytes", f.c2s.goodput_bytes + f.s2c.goodput_bytes);
  setField(L, "cli2srv.bytes", f.c2s.bytes);
  setField(L, "srv2cli.bytes", f.s2c.bytes);
  setField(L, "cli2srv.packets", f.c2s.packets);
  setField(L, "srv2cli.packets", f.s2c.packets);
  setField(L, "cli2srv.goodput_bytes", f.c2s.goodput_bytes);
  setField(L, "srv2cli.goodput_bytes", f.s2c.goodput_bytes);
  setField(L, "seen.first", seconds(f.first_seen_us));
  setField(L, "seen.last", seconds(f.last_seen_us));
  setField(L, "duration", seconds(f.last_seen_us - f.first_seen_us) + 1);
  setField(L, "throughput_bps", flowThroughputBps(f));
  const double secs = double(f.last_seen_us - f.first_seen_us) / 1e6;
  setField(L, "throughput_pps", secs > 0 ? double(f.packets()) / secs : 0.0);
  setField(L, "ntopng.key", uint64_t{flowKey(f)});
  setField(L, "hash_entry_id", uint64_t{f.serial});
  setField(L, "tcp_flags", int64_t{f.c2s.tcp_flags | f.s2c.tcp_flags});
  setField(L, "flow.status", 0);
  setField(L, "score", dpi::DpiCatalog::riskBitmapScore(f.risk));  // nDPI's risk scores
  setField(L, "risk", static_cast<int64_t>(f.risk));
  if (f.key.proto == 6) {
    setField(L, "cli2srv.tcp_flags", int64_t{f.c2s.tcp_flags});
    setField(L, "srv2cli.tcp_flags", int64_t{f.s2c.tcp_flags});
    // The three-way handshake was seen (whatever happened after it).
    const bool handshake = (f.c2s.tcp_flags & decode::kTcpSyn) && (f.c2s.tcp_flags & decode::kTcpAck) &&
                           (f.s2c.tcp_flags & decode::kTcpSyn) && (f.s2c.tcp_flags & decode::kTcpAck);
    setField(L, "tcp_established", handshake);
    setField(L, "tcp_connecting", f.tcp_state == flow::TcpState::kSynSent);
    setField(L, "tcp_closed", f.tcp_state == flow::TcpState::kClosed);
    setField(L, "tcp_reset", f.tcp_state == flow::TcpState::kReset);
    for (auto [d, p] : {std::pair{&f.c2s, "cli2srv."}, std::pair{&f.s2c, "srv2cli."}}) {
      const std::string x = p;
      setField(L, (x + "retransmissions").c_str(), uint64_t{d->retransmissions});
      setField(L, (x + "out_of_order").c_str(), uint64_t{d->out_of_order});
      setField(L, (x + "lost").c_str(), uint64_t{d->lost});
    }
    setField(L, "tcp.seq_problems", f.c2s.retransmissions + f.c2s.out_of_order + f.c2s.lost +
                                            f.s2c.retransmissions + f.s2c.out_of_order +
                                            f.s2c.lost > 0);
  }
  if (f.key.proto == 1 || f.key.proto == 58) {
    lua_createtable(L, 0, 2);
    setField(L, "type", int64_t{f.icmp_type});
    setField(L, "code", int64_t{f.icmp_code});
    lua_setfield(L, -2, "icmp");
  }
  if (f.text) {
    if (!f.text->server_name.empty()) {
      setField(L, "host_server_name", f.text->server_name);
      setField(L, "info", f.text->server_name);
    }
    if (!f.text->ja3_client.empty()) setField(L, "protos.tls.ja3.client_hash", f.text->ja3_client);
    if (!f.text->ja3_server.empty()) setField(L, "protos.tls.ja3.server_hash", f.text->ja3_server);
    if (!f.text->user_agent.empty()) setField(L, "protos.http.user_agent", f.text->user_agent);
  }
  if (f.risk != 0) {
    lua_newtable(L);
    for (int r = 1; r < dpi::DpiCatalog::numRisks(); ++r) {
      if (f.risk & (uint64_t{1} << r)) {
        lua_createtable(L, 0, 2);
        setField(L, "name", dpi::DpiCatalog::riskName(r));
        setField(L, "score", dpi::DpiCatalog::riskScore(r));
        lua_rawseti(L, -2, r);
      }
    }
    lua_setfield(L, -2, "flow_risk");
  }
}

void pushMac(lua_State* L, const host::MacHost& m) {
  lua_createtable(L, 0, 12);
  setField(L, "mac", host::macToString(m.mac));
  setField(L, "vlan", int64_t{m.vlan});
  setField(L, "seen.first", seconds(m.first_seen_us));
  setField(L, "seen.last", seconds(m.last_seen_us));
  setField(L, "duration", seconds(m.last_seen_us - m.first_seen_us) + 1);
  setTraffic(L, "", m.traffic);
  setField(L, "num_hosts", uint64_t{m.num_hosts});
  setField(L, "devtype", int64_t{m.device_type});
  enrich::Enrichment* enrichment = LuaState::from(L)->services().enrichment;
  std::optional<std::string_view> vendor;
  if (enrichment != nullptr) vendor = enrichment->macVendors().lookup(m.mac);
  setField(L, "manufacturer", vendor ? *vendor : std::string_view());
}

void pushTraffic(lua_State* L, const host::Traffic& t) {
  setTraffic(L, "", t);
  setField(L, "bytes", t.bytes());
  setField(L, "packets", t.packets());
}

void setCategoryEntry(lua_State* L, const dpi::DpiCatalog& catalog, uint16_t category,
                      const host::Traffic& t, uint64_t duration_s) {
  lua_createtable(L, 0, 5);
  setField(L, "category", int64_t{category});
  setField(L, "bytes", t.bytes());
  setField(L, "bytes.sent", t.bytes_sent);
  setField(L, "bytes.rcvd", t.bytes_rcvd);
  setField(L, "duration", duration_s);
  lua_setfield(L, -2, catalog.categoryName(category).c_str());
}

}  // namespace flowlens::lua::iface
