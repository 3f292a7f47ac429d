#pragma once
// The nDPI wrapper: the only code that includes nDPI's headers. One DpiEngine per packet thread
// (an nDPI detection module is not safe for concurrent use). Detection looks at a bounded number
// of packets per flow (as ndpiReader 4.2: 80 TCP, 24 UDP), then nDPI's per-flow state is
// released for reuse.

#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

#include "core/result.h"
#include "decode/packet.h"
#include "dpi/custom_categories.h"
#include "util/block_arena.h"
#include "flow/flow.h"

struct ndpi_detection_module_struct;
struct ndpi_flow_struct;

namespace flowlens::dpi {

struct DpiConfig {
  std::string protocols_file;  // -p: custom protocol definitions (nDPI's protos.txt format)
  const CustomCategories* custom = nullptr;  // category overrides applied when detection ends
};

class DpiEngine {
 public:
  static Result<std::unique_ptr<DpiEngine>> create(const DpiConfig& config);
  ~DpiEngine();
  DpiEngine(const DpiEngine&) = delete;
  DpiEngine& operator=(const DpiEngine&) = delete;

  // Feeds one IP packet of `flow` to detection while it runs; releases the state when done.
  void process(flow::Flow& flow, const decode::DecodedPacket& packet);
  // Ends detection now (end of capture, flow expiry, detection idle, a TCP connection closed or
  // reset): nDPI's best guess, state released.
  void giveUp(flow::Flow& flow);

  ndpi_detection_module_struct* module() const { return module_; }
  uint64_t flowsInDetection() const { return in_detection_; }
  // Flow states, what nDPI allocates in them, deferred SYNs.
  const util::BlockArena& memory() const { return memory_; }

 private:
  DpiEngine(ndpi_detection_module_struct* m, const CustomCategories* custom)
      : module_(m), custom_(custom) {}
  // Feeds one packet to nDPI; false when that ended the flow's detection.
  bool inspect(flow::Flow& flow, ndpi_flow_struct* state, const uint8_t* l3, uint16_t len,
               uint64_t ts_ms);
  // A flow's opening SYN waits for its next packet (false: no memory, inspect it now) ...
  bool defer(flow::Flow& flow, const decode::DecodedPacket& packet);
  // ... and goes to nDPI in a fresh state before that packet; false when it ended detection.
  bool replayDeferred(flow::Flow& flow);
  void finish(flow::Flow& flow);
  // A zeroed nDPI state for `flow`; nullptr (detection over, unknown) when memory runs out.
  ndpi_flow_struct* startState(flow::Flow& flow);
  void release(ndpi_flow_struct* state);
  void applyCustomCategory(flow::Flow& flow);

  ndpi_detection_module_struct* module_;
  const CustomCategories* custom_;
  // The engine's snapshot of the published custom categories, taken again only when their
  // version changes: every flow's end reads it, and taking the shared set each time (a global
  // lock in std::atomic_load, a reference count shared by every packet thread) had cost both.
  std::shared_ptr<const CustomCategories::Set> custom_set_;
  uint64_t custom_version_ = UINT64_MAX;
  uint64_t in_detection_ = 0;
  // Every piece of a flow's detection: nDPI's flow states (~700 bytes, one per flow in
  // detection, bounded by -X), what nDPI allocates inside process() and giveUp()
  // (FlowMemory::Scope), deferred SYNs. Huge blocks in size classes, reused, kept at their
  // busiest size. Outlives the module (the member goes after the destructor's body has closed
  // it); every flow's state must be released (giveUp) before the engine goes.
  util::BlockArena memory_;
  bool defer_syns_ = true;  // false with custom protocols (-p): they can name a bare SYN
};

// Names, ids, categories and breeds of the protocols nDPI knows (plus custom ones from -p), read
// once from a module opened for the purpose and closed again: its ~6 MiB of tables are not kept
// for lookups. Thread-safe: lookups share a lock with the (rare) category overrides.
struct ProtocolInfo {
  uint16_t id;
  std::string name;
  uint16_t category;
  std::string breed;
  bool custom;
};

class DpiCatalog {
 public:
  static Result<std::unique_ptr<DpiCatalog>> create(const DpiConfig& config);

  std::vector<ProtocolInfo> protocols() const;
  // (id, name) of every category nDPI names.
  std::vector<std::pair<uint16_t, std::string>> categories() const;
  std::string protocolName(uint16_t id) const;              // "Unknown" for unknown ids
  // "TLS.Google" style, as ndpi_protocol2name() writes it.
  std::string fullName(uint16_t master, uint16_t app) const;
  int protocolId(const std::string& name) const;            // -1 when unknown
  std::string categoryName(uint16_t category) const;
  int categoryId(const std::string& name) const;            // -1 when unknown
  uint16_t categoryOf(uint16_t proto) const;
  void setCategory(uint16_t proto, uint16_t category);
  std::string breedName(uint16_t proto) const;
  bool isCustom(uint16_t proto) const;
  uint32_t numProtocols() const { return num_protocols_; }
  // Risk names and scores.
  static std::string riskName(int risk);
  static int riskScore(int risk);
  // nDPI's score of a flow's whole risk bitmap.
  static int riskBitmapScore(uint64_t risks);
  static int numRisks();

 private:
  DpiCatalog() = default;
  struct Protocol {
    bool named = false;  // nDPI gives a name (possibly empty)
    std::string name;
    uint16_t category = 0;
    uint8_t breed = 0;
  };
  std::vector<Protocol> table_;         // by id, every id nDPI has room for
  std::vector<std::string> breeds_;     // breed names by breed
  uint8_t breed_beyond_table_ = 0;      // what nDPI answers for ids past the table
  std::vector<std::pair<uint16_t, std::string>> categories_;
  std::vector<std::string> category_names_;  // by category; "" when nDPI names none
  uint32_t num_protocols_ = 0;
  uint32_t num_builtin_ = 0;
  mutable std::shared_mutex mutex_;     // the categories of table_
};

}  // namespace flowlens::dpi
