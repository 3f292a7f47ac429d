#include "dpi/dpi_engine.h"

#include "dpi/custom_categories.h"
#include "dpi/flow_memory.h"

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <cstring>
#include <mutex>

extern "C" {
#include <ndpi/ndpi_api.h>
}

namespace flowlens::dpi {
namespace {

constexpr uint16_t kMaxTcpPackets = 80;  // ndpiReader 4.2's defaults
constexpr uint16_t kMaxUdpPackets = 24;

Result<ndpi_detection_module_struct*> openModule(const DpiConfig& config) {
  FlowMemory::install();
  ndpi_detection_module_struct* m = ndpi_init_detection_module(ndpi_no_prefs);
  if (m == nullptr) return Error{"nDPI: cannot initialise the detection module"};
  NDPI_PROTOCOL_BITMASK all;
  NDPI_BITMASK_SET_ALL(all);
  ndpi_set_protocol_detection_bitmask2(m, &all);
  if (!config.protocols_file.empty()) {
    if (ndpi_load_protocols_file(m, config.protocols_file.c_str()) != 0) {
      ndpi_exit_detection_module(m);
      return Error{"nDPI: cannot load protocols file '" + config.protocols_file + "'"};
    }
  }
  ndpi_finalize_initialization(m);
  return m;
}

void copyText(flow::Flow& f, const ndpi_flow_struct* n) {
  const bool has_name = n->host_server_name[0] != '\0';
  const bool tls = n->protos.tls_quic.ja3_client[0] != '\0' || n->protos.tls_quic.ja3_server[0] != '\0';
  const bool ua = n->http.user_agent != nullptr && n->http.user_agent[0] != '\0';
  if (!has_name && !ua && !(tls && (f.master_proto == NDPI_PROTOCOL_TLS ||
                                    f.app_proto == NDPI_PROTOCOL_TLS ||
                                    f.master_proto == NDPI_PROTOCOL_QUIC ||
                                    f.app_proto == NDPI_PROTOCOL_QUIC))) {
    return;
  }
  auto text = std::make_shared<flow::FlowText>();
  const auto bounded = [](const char* s, size_t cap) { return std::string(s, strnlen(s, cap)); };
  if (has_name) text->server_name = bounded(n->host_server_name, sizeof(n->host_server_name));
  if (ua) text->user_agent = bounded(n->http.user_agent, 512);
  if (tls) {
    text->ja3_client = bounded(n->protos.tls_quic.ja3_client, 33);
    text->ja3_server = bounded(n->protos.tls_quic.ja3_server, 33);
  }
  // A DNS answer names its first A (type 1) or AAAA (28) address, as ntopng takes it: only from
  // a successful response, and not when nDPI cut the query name to its buffer (79 bytes).
  const bool dns = f.master_proto == NDPI_PROTOCOL_DNS || f.app_proto == NDPI_PROTOCOL_DNS;
  const uint16_t rsp_type = n->protos.dns.rsp_type;
  const bool whole_name =
      strnlen(n->host_server_name, sizeof(n->host_server_name)) < sizeof(n->host_server_name) - 1;
  if (dns && has_name && whole_name && n->protos.dns.reply_code == 0 &&
      n->protos.dns.num_answers > 0 && (rsp_type == 1 || rsp_type == 28)) {
    util::IpAddress answer;
    answer.v6 = rsp_type == 28;
    std::memcpy(answer.bytes.data(), &n->protos.dns.rsp_addr, answer.v6 ? 16 : 4);
    text->dns_answer = answer;  // an unusable (all-zero) address is refused by the resolver
  }
  f.text = std::move(text);
}

// A flow's opening TCP SYN without payload, kept for nDPI until the flow's next packet (or the
// end of its detection): the packet from its IP header, and its time.
struct DeferredSyn {
  uint64_t ts_ms;
  uint32_t len;
  uint32_t unused;
  const uint8_t* bytes() const { return reinterpret_cast<const uint8_t*>(this + 1); }
};
constexpr uint32_t kMaxDeferredSyn = 128;  // IP and TCP headers with options

bool isBareSyn(const decode::DecodedPacket& p) {
  constexpr uint8_t kFlags = decode::kTcpSyn | decode::kTcpAck | decode::kTcpRst | decode::kTcpFin;
  return p.l4_proto == 6 && p.has_l4 && (p.tcp_flags & kFlags) == decode::kTcpSyn &&
         p.payload_len == 0 && !p.fragment && p.l3 != nullptr && p.l3_len > 0 &&
         p.l3_len <= kMaxDeferredSyn;
}

void record(flow::Flow& f, const ndpi_protocol& p, const ndpi_flow_struct* n) {
  f.master_proto = p.master_protocol;
  f.app_proto = p.app_protocol;
  f.category = uint16_t(p.category);
  f.confidence = uint8_t(n->confidence);
  f.risk = n->risk;
}

}  // namespace

Result<std::unique_ptr<DpiEngine>> DpiEngine::create(const DpiConfig& config) {
  auto m = openModule(config);
  if (!m) return Error{m.error()};
  auto engine = std::unique_ptr<DpiEngine>(new DpiEngine(*m, config.custom));
  engine->defer_syns_ = ndpi_get_num_supported_protocols(*m) <= NDPI_MAX_SUPPORTED_PROTOCOLS;
  return engine;
}

DpiEngine::~DpiEngine() {
  assert(in_detection_ == 0 && "a flow still holds an nDPI state of this engine");
  ndpi_exit_detection_module(module_);
}

ndpi_flow_struct* DpiEngine::startState(flow::Flow& f) {
  auto* n = static_cast<ndpi_flow_struct*>(memory_.allocate(SIZEOF_FLOW_STRUCT));
  if (n == nullptr) {  // out of memory: classify as unknown rather than fail the packet
    f.dpi_done = true;
    return nullptr;
  }
  std::memset(n, 0, SIZEOF_FLOW_STRUCT);
  f.dpi_state = n;
  ++in_detection_;
  return n;
}

void DpiEngine::release(ndpi_flow_struct* state) {
  ndpi_free_flow_data(state);  // what nDPI allocated inside it
  util::BlockArena::deallocate(state);
}

void DpiEngine::process(flow::Flow& f, const decode::DecodedPacket& p) {
  if (f.dpi_done) return;
  const FlowMemory::Scope scope(&memory_);
  if (defer_syns_ && f.dpi_state == nullptr && f.dpi_packets == 0 && isBareSyn(p) &&
      defer(f, p)) {
    return;
  }
  if (f.dpi_deferred && !replayDeferred(f)) return;  // the SYN alone ended detection
  auto* n = static_cast<ndpi_flow_struct*>(f.dpi_state);
  if (n == nullptr && (n = startState(f)) == nullptr) return;
  if (p.l3 == nullptr || p.l3_len == 0) return;
  ++f.dpi_packets;
  const uint16_t len = p.l3_len > 0xffff ? 0xffff : uint16_t(p.l3_len);
  inspect(f, n, p.l3, len, p.ts_us / 1000);
}

bool DpiEngine::inspect(flow::Flow& f, ndpi_flow_struct* n, const uint8_t* l3, uint16_t len,
                        uint64_t ts_ms) {
  const ndpi_protocol proto = ndpi_detection_process_packet(module_, n, l3, len, ts_ms);
  record(f, proto, n);
  const bool enough = (f.key.proto == 6 && f.packets() > kMaxTcpPackets) ||
                      (f.key.proto == 17 && f.packets() > kMaxUdpPackets);
  if (enough || proto.app_protocol != NDPI_PROTOCOL_UNKNOWN) {
    if (!enough && ndpi_extra_dissection_possible(module_, n)) return true;  // e.g. TLS certificate
    if (proto.app_protocol == NDPI_PROTOCOL_UNKNOWN) {
      giveUp(f);
      return false;
    }
    finish(f);
    return false;
  }
  return true;
}

// Most flows that open with a SYN and nothing more are port scans that never get a second
// packet: their SYN waits here (~100 bytes of the engine's arena) instead of in a ~700-byte
// nDPI state for the 5 s until detection gives up on them (87% of the states held at the
// busiest moment of the benchmark capture). nDPI sees the same packets, at their own times,
// and names every flow as it would have (the whole test corpus and 131k benchmark flows
// compared). What can differ is when: nDPI 4.2 names a few protocols from a bare SYN (Targus
// GetData by port 5001/5201: 106 of the benchmark's 156k flows), and those are named at the
// flow's next packet, or when detection ends, instead. Custom protocols (-p) match a bare SYN
// by address or port, so with them loaded nothing is deferred (see create()).
bool DpiEngine::defer(flow::Flow& f, const decode::DecodedPacket& p) {
  auto* d = static_cast<DeferredSyn*>(memory_.allocate(sizeof(DeferredSyn) + p.l3_len));
  if (d == nullptr) return false;
  d->ts_ms = p.ts_us / 1000;
  d->len = p.l3_len;
  std::memcpy(d + 1, p.l3, p.l3_len);
  f.dpi_state = d;
  f.dpi_deferred = true;
  ++f.dpi_packets;
  ++in_detection_;
  return true;
}

bool DpiEngine::replayDeferred(flow::Flow& f) {
  auto* d = static_cast<DeferredSyn*>(f.dpi_state);
  f.dpi_deferred = false;
  f.dpi_state = nullptr;
  --in_detection_;
  ndpi_flow_struct* n = startState(f);
  const bool more = n != nullptr && inspect(f, n, d->bytes(), uint16_t(d->len), d->ts_ms);
  util::BlockArena::deallocate(d);
  return more;
}

void DpiEngine::giveUp(flow::Flow& f) {
  if (f.dpi_done) return;
  const FlowMemory::Scope scope(&memory_);
  if (f.dpi_deferred && !replayDeferred(f)) return;  // the SYN alone ended detection
  auto* n = static_cast<ndpi_flow_struct*>(f.dpi_state);
  if (n != nullptr) {
    uint8_t guessed = 0;
    const ndpi_protocol proto = ndpi_detection_giveup(module_, n, 1, &guessed);
    record(f, proto, n);
    f.dpi_guessed = guessed != 0;
  }
  finish(f);
}

void DpiEngine::applyCustomCategory(flow::Flow& f) {
  if (const uint64_t v = custom_->version(); v != custom_version_) {
    custom_set_ = custom_->published();
    custom_version_ = v;
  }
  const CustomCategories::Set& set = *custom_set_;
  if (set.protocol_categories.empty() && set.hosts.empty() && set.networks.empty()) return;
  using C = CustomCategories;
  if (auto c = C::protocolCategoryIn(set, f.app_proto ? f.app_proto : f.master_proto)) {
    f.category = *c;
  }
  if (f.text && !f.text->server_name.empty()) {
    if (auto c = C::matchHostIn(set, f.text->server_name)) {
      f.category = *c;
      return;
    }
  }
  util::IpAddress server;
  server.v6 = f.key.ip_version == 6;
  server.bytes = f.server().ip;
  if (auto c = C::matchIpIn(set, server)) f.category = *c;
}

void DpiEngine::finish(flow::Flow& f) {
  auto* n = static_cast<ndpi_flow_struct*>(f.dpi_state);
  if (n != nullptr) {
    copyText(f, n);
    f.category = uint16_t(ndpi_get_proto_category(
        module_, ndpi_protocol{f.master_proto, f.app_proto, ndpi_protocol_category_t(f.category)}));
    release(n);
    f.dpi_state = nullptr;
    --in_detection_;
  }
  f.dpi_done = true;
  if (custom_ != nullptr) applyCustomCategory(f);
}

// ---------------------------------------------------------------------------------------------

Result<std::unique_ptr<DpiCatalog>> DpiCatalog::create(const DpiConfig& config) {
  auto m = openModule(config);
  if (!m) return Error{m.error()};
  std::unique_ptr<DpiCatalog> c(new DpiCatalog());
  c->num_protocols_ = ndpi_get_num_supported_protocols(*m);
  c->num_builtin_ = NDPI_MAX_SUPPORTED_PROTOCOLS;  // custom protocols (-p) are numbered after these
  for (int b = 0; b < NUM_BREEDS; ++b) {
    const char* name = ndpi_get_proto_breed_name(*m, ndpi_protocol_breed_t(b));
    c->breeds_.emplace_back(name ? name : "");
  }
  constexpr uint32_t kTable = NDPI_MAX_SUPPORTED_PROTOCOLS + NDPI_MAX_NUM_CUSTOM_PROTOCOLS;
  c->table_.resize(std::max<uint32_t>(kTable, c->num_protocols_));
  for (uint32_t id = 0; id < c->table_.size(); ++id) {
    Protocol& p = c->table_[id];
    if (id < c->num_protocols_) {
      if (const char* name = ndpi_get_proto_name(*m, uint16_t(id))) {
        p.named = true;
        p.name = name;
      }
    }
    const ndpi_protocol proto{NDPI_PROTOCOL_UNKNOWN, uint16_t(id), NDPI_PROTOCOL_CATEGORY_UNSPECIFIED};
    p.category = uint16_t(ndpi_get_proto_category(*m, proto));
    p.breed = uint8_t(ndpi_get_proto_breed(*m, uint16_t(id)));
  }
  c->breed_beyond_table_ = uint8_t(ndpi_get_proto_breed(*m, UINT16_MAX));
  for (int cat = 0; cat < NDPI_PROTOCOL_NUM_CATEGORIES; ++cat) {
    const char* name = ndpi_category_get_name(*m, ndpi_protocol_category_t(cat));
    c->category_names_.emplace_back(name ? name : "");
    if (name != nullptr && name[0] != '\0') c->categories_.emplace_back(uint16_t(cat), name);
  }
  ndpi_exit_detection_module(*m);
  return c;
}

std::vector<ProtocolInfo> DpiCatalog::protocols() const {
  std::shared_lock lock(mutex_);
  std::vector<ProtocolInfo> out;
  out.reserve(num_protocols_);
  for (uint32_t id = 0; id < num_protocols_; ++id) {
    const Protocol& p = table_[id];
    if (p.name.empty()) continue;
    out.push_back({uint16_t(id), p.name, p.category, breeds_[p.breed], id >= num_builtin_});
  }
  return out;
}

std::vector<std::pair<uint16_t, std::string>> DpiCatalog::categories() const { return categories_; }

std::string DpiCatalog::protocolName(uint16_t id) const {
  if (id >= num_protocols_ || !table_[id].named) return "Unknown";
  return table_[id].name;
}

std::string DpiCatalog::fullName(uint16_t master, uint16_t app) const {
  if (master != NDPI_PROTOCOL_UNKNOWN && master != app && app != NDPI_PROTOCOL_UNKNOWN) {
    return protocolName(master) + "." + protocolName(app);
  }
  return protocolName(app != NDPI_PROTOCOL_UNKNOWN ? app : master);
}

int DpiCatalog::protocolId(const std::string& name) const {
  for (uint32_t id = 0; id < num_protocols_; ++id) {
    if (table_[id].named && strcasecmp(table_[id].name.c_str(), name.c_str()) == 0) return int(id);
  }
  return -1;
}

std::string DpiCatalog::categoryName(uint16_t category) const {
  return category < category_names_.size() ? category_names_[category] : "";
}

int DpiCatalog::categoryId(const std::string& name) const {
  for (const auto& [id, n] : categories_) {
    if (strcasecmp(n.c_str(), name.c_str()) == 0) return id;
  }
  return -1;
}

uint16_t DpiCatalog::categoryOf(uint16_t proto) const {
  if (proto >= table_.size()) return NDPI_PROTOCOL_CATEGORY_UNSPECIFIED;
  std::shared_lock lock(mutex_);
  return table_[proto].category;
}

void DpiCatalog::setCategory(uint16_t proto, uint16_t category) {
  if (proto >= num_protocols_ || category >= NDPI_PROTOCOL_NUM_CATEGORIES) return;
  std::unique_lock lock(mutex_);
  table_[proto].category = category;
}

std::string DpiCatalog::breedName(uint16_t proto) const {
  return breeds_[proto < table_.size() ? table_[proto].breed : breed_beyond_table_];
}

bool DpiCatalog::isCustom(uint16_t proto) const {
  return proto >= num_builtin_ && proto < num_protocols_;
}

std::string DpiCatalog::riskName(int risk) {
  if (risk < 0 || risk >= NDPI_MAX_RISK) return "";
  const char* s = ndpi_risk2str(ndpi_risk_enum(risk));
  return s ? s : "";
}

int DpiCatalog::riskScore(int risk) {
  if (risk <= 0 || risk >= NDPI_MAX_RISK) return 0;
  uint16_t client = 0, server = 0;
  return ndpi_risk2score(ndpi_risk(1) << risk, &client, &server);
}

int DpiCatalog::numRisks() { return NDPI_MAX_RISK; }

int DpiCatalog::riskBitmapScore(uint64_t risks) {
  if (risks == 0) return 0;
  uint16_t client = 0, server = 0;
  return ndpi_risk2score(risks, &client, &server);
}

}  // namespace flowlens::dpi
