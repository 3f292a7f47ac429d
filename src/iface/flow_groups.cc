#include "iface/flow_groups.h"

#include <algorithm>
#include <memory>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "dpi/dpi_engine.h"
#include "iface/queries.h"

namespace flowlens {
namespace {

// What grouping needs of one flow, copied under its shard's lock.
struct Item {
  flow::FlowKey key;
  bool lo_is_client = true;
  bool guessed = false;
  uint16_t master = 0, app = 0;
  uint64_t c2s_bytes = 0, s2c_bytes = 0;
  uint64_t first_seen_us = 0, last_seen_us = 0;
  uint64_t score = 0;
  double throughput_bps = 0;
  std::shared_ptr<const flow::FlowText> text;  // kInfo only

  const flow::Endpoint& client() const { return lo_is_client ? key.lo : key.hi; }
  const flow::Endpoint& server() const { return lo_is_client ? key.hi : key.lo; }
};

void appendAddress(std::string& k, const util::IpAddress& a, uint16_t vlan) {
  k.push_back(a.v6 ? '6' : '4');
  k.append(reinterpret_cast<const char*>(a.bytes.data()), a.v6 ? 16 : 4);
  k.append(reinterpret_cast<const char*>(&vlan), sizeof vlan);
}

template <typename T>
void appendValue(std::string& k, T v) {
  k.append(reinterpret_cast<const char*>(&v), sizeof v);
}

std::string groupKey(FlowGrouping by, const Item& it, const util::IpAddress& cli,
                     const util::IpAddress& srv) {
  std::string k;
  const uint16_t vlan = it.key.vlan;
  const auto app = [&] {
    appendValue(k, vlan);
    appendValue(k, it.master);
    appendValue(k, it.app);
  };
  switch (by) {
    case FlowGrouping::kApplication: app(); break;
    case FlowGrouping::kClient: appendAddress(k, cli, vlan); break;
    case FlowGrouping::kServer: appendAddress(k, srv, vlan); break;
    case FlowGrouping::kClientServer:
      appendAddress(k, cli, vlan);
      appendAddress(k, srv, vlan);
      break;
    case FlowGrouping::kApplicationClientServer:
      app();
      appendAddress(k, cli, vlan);
      appendAddress(k, srv, vlan);
      break;
    case FlowGrouping::kInfo:
      if (it.text) k = it.text->server_name;
      break;
    case FlowGrouping::kClientServerPort:
      appendAddress(k, cli, vlan);
      appendAddress(k, srv, vlan);
      appendValue(k, it.server().port);
      break;
    case FlowGrouping::kClientServerPortApplication:
      app();
      appendAddress(k, cli, vlan);
      appendAddress(k, srv, vlan);
      appendValue(k, it.server().port);
      break;
    case FlowGrouping::kVlanPortApplication:
      app();
      appendValue(k, it.server().port);
      break;
  }
  return k;
}

}  // namespace

std::vector<FlowGroup> groupFlows(const PacketEngine& engine, FlowGrouping by,
                                  const FlowQuery& filter) {
  std::vector<Item> items;
  engine.scanFlows([&](const flow::Flow& f) {  // under a shard lock: filter and copy only
    if (!matches(filter, FlowRow::of(f, 0))) return;
    Item it;
    it.key = f.key;
    it.lo_is_client = f.lo_is_client;
    it.guessed = f.dpi_guessed;
    it.master = f.master_proto;
    it.app = f.app_proto;
    it.c2s_bytes = f.c2s.bytes;
    it.s2c_bytes = f.s2c.bytes;
    it.first_seen_us = f.first_seen_us;
    it.last_seen_us = f.last_seen_us;
    it.score = uint64_t(std::max(0, dpi::DpiCatalog::riskBitmapScore(f.risk)));
    it.throughput_bps = flowThroughputBps(f);
    if (by == FlowGrouping::kInfo) it.text = f.text;
    items.push_back(std::move(it));
  });

  struct Building {
    FlowGroup group;
    std::unordered_set<std::string> clients, servers;
  };
  std::unordered_map<std::string, Building> groups;
  for (const Item& it : items) {
    const util::IpAddress cli = addressOf(it.client(), it.key.ip_version);
    const util::IpAddress srv = addressOf(it.server(), it.key.ip_version);
    auto [pos, fresh] = groups.try_emplace(groupKey(by, it, cli, srv));
    Building& b = pos->second;
    FlowGroup& g = b.group;
    if (fresh) {
      g.vlan = it.key.vlan;
      g.l4_proto = it.key.proto;
      g.master_proto = it.master;
      g.app_proto = it.app;
      g.guessed = it.guessed;
      g.client = cli;
      g.server = srv;
      g.server_port = it.server().port;
      if (it.text) g.info = it.text->server_name;
    }
    ++g.num_flows;
    g.bytes_sent += it.c2s_bytes;
    g.bytes_rcvd += it.s2c_bytes;
    g.total_score += it.score;
    g.first_seen_us = std::min(g.first_seen_us, it.first_seen_us);
    g.last_seen_us = std::max(g.last_seen_us, it.last_seen_us);
    g.throughput_bps += it.throughput_bps;
    std::string c, s;
    appendAddress(c, cli, it.key.vlan);
    appendAddress(s, srv, it.key.vlan);
    b.clients.insert(std::move(c));
    b.servers.insert(std::move(s));
  }
  std::vector<FlowGroup> out;
  out.reserve(groups.size());
  for (auto& [k, b] : groups) {
    b.group.num_clients = b.clients.size();
    b.group.num_servers = b.servers.size();
    out.push_back(std::move(b.group));
  }
  return out;
}

void sortFlowGroups(std::vector<FlowGroup>& groups, const std::string& column, bool ascending,
                    const std::function<std::string(const FlowGroup&)>& app_name) {
  using G = FlowGroup;
  const auto key_less = [](const G& a, const G& b) {
    if (int c = util::compare(a.client, b.client)) return c < 0;
    if (int c = util::compare(a.server, b.server)) return c < 0;
    return std::tie(a.vlan, a.master_proto, a.app_proto, a.server_port, a.info) <
           std::tie(b.vlan, b.master_proto, b.app_proto, b.server_port, b.info);
  };
  // -1, 0, 1 by the column; 0 falls back to the key.
  std::function<int(const G&, const G&)> by;
  const auto num = [](auto x, auto y) { return x < y ? -1 : (y < x ? 1 : 0); };
  if (column == "client") {
    by = [](const G& a, const G& b) { return util::compare(a.client, b.client); };
  } else if (column == "server") {
    by = [](const G& a, const G& b) { return util::compare(a.server, b.server); };
  } else if (column == "client_and_server") {
    by = [](const G& a, const G& b) {
      const int c = util::compare(a.client, b.client);
      return c != 0 ? c : util::compare(a.server, b.server);
    };
  } else if (column == "srv_port") {
    by = [&](const G& a, const G& b) { return num(a.server_port, b.server_port); };
  } else if (column == "application") {
    by = [&](const G& a, const G& b) { return app_name(a).compare(app_name(b)); };
  } else if (column == "info") {
    by = [](const G& a, const G& b) { return a.info.compare(b.info); };
  } else if (column == "flows") {
    by = [&](const G& a, const G& b) { return num(a.num_flows, b.num_flows); };
  } else if (column == "tot_score") {
    by = [&](const G& a, const G& b) { return num(a.total_score, b.total_score); };
  } else if (column == "num_clients") {
    by = [&](const G& a, const G& b) { return num(a.num_clients, b.num_clients); };
  } else if (column == "num_servers") {
    by = [&](const G& a, const G& b) { return num(a.num_servers, b.num_servers); };
  } else if (column == "bytes_rcvd") {
    by = [&](const G& a, const G& b) { return num(a.bytes_rcvd, b.bytes_rcvd); };
  } else if (column == "tot_traffic") {
    by = [&](const G& a, const G& b) { return num(a.bytes_sent + a.bytes_rcvd, b.bytes_sent + b.bytes_rcvd); };
  } else if (column == "vlan_id") {
    by = [&](const G& a, const G& b) { return num(a.vlan, b.vlan); };
  } else {  // bytes_sent, ntopng's default
    by = [&](const G& a, const G& b) { return num(a.bytes_sent, b.bytes_sent); };
  }
  std::sort(groups.begin(), groups.end(), [&](const G& a, const G& b) {
    int c = by(a, b);
    if (c == 0) c = key_less(a, b) ? -1 : (key_less(b, a) ? 1 : 0);
    return ascending ? c < 0 : c > 0;
  });
}

}  // namespace flowlens
