#pragma once
// The flows of one packet thread: an open-addressing index (linear probing, backward-shift
// deletion) over a chunked pool with stable addresses, capped at `max_flows`. Not thread-safe:
// the owning packet thread mutates it under its shard lock (and reads it without, for cache
// hints); readers take that lock to copy.

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "flow/flow.h"
#include "util/huge_block.h"

namespace flowlens::flow {

class FlowTable {
 public:
  explicit FlowTable(uint32_t max_flows);

  // The flow of `key`, created when absent; nullptr when the table is full (counted).
  // `hash` is the key's (flow::hashKey); the table keeps and compares its low half.
  Flow* findOrCreate(const FlowKey& key, uint64_t hash, bool* created);
  Flow* find(const FlowKey& key, uint64_t hash) const;
  // Cache hints for a lookup of `hash` a few packets ahead: its index slot, then (once that is
  // in cache) every line of the flow the slot names, if any. They only read the table, and the
  // owning thread calls them without the lock: only it writes the table.
  void prefetchSlot(uint64_t hash) const { __builtin_prefetch(&slots_[uint32_t(hash) & mask_]); }
  void prefetchFlow(uint64_t hash) const {
    const uint32_t v = slots_[uint32_t(hash) & mask_];
    if (v == 0) return;
    const char* f = reinterpret_cast<const char*>(&at(v - 1));
    for (size_t line = 0; line < sizeof(Flow); line += 64) __builtin_prefetch(f + line);
  }
  // Removes a flow found in this table. The caller has released its DPI state.
  void erase(Flow* flow);

  // Visits every flow (order unspecified); the visitor may not erase.
  void forEach(const std::function<void(Flow&)>& visit);
  void forEach(const std::function<void(const Flow&)>& visit) const;
  // Visits the flows in pool slots [from, from + count); returns the next slot, or slotEnd()
  // at the end. A flow keeps its slot for its life, so a scan in several calls (with the lock
  // released between them) sees each flow that stays exactly once.
  size_t forEachSlotIn(size_t from, size_t count, const std::function<void(const Flow&)>& visit) const;
  size_t slotEnd() const { return next_unused_; }
  // Erases every flow for which `expired` returns true (after it has been called on it).
  size_t eraseIf(const std::function<bool(Flow&)>& expired);
  // The same over iteration positions [from, from + count): returns the next position, or
  // size() at the end. A flow created meanwhile is visited by a later call (new flows go last).
  size_t eraseIfIn(size_t from, size_t count, const std::function<bool(Flow&)>& expired);

  size_t size() const { return size_; }
  uint32_t capacity() const { return max_flows_; }
  uint64_t dropped() const { return dropped_; }  // creations refused because the table was full
  uint64_t created() const { return created_; }

 private:
  // Flows come in 2 MiB chunks, backed by a transparent huge page where the kernel allows:
  // one page fault per ~7,000 new flows instead of one per ~15.
  static constexpr size_t kChunkBytes = util::kHugeBlockBytes;
  static constexpr uint32_t kChunk = uint32_t(kChunkBytes / sizeof(Flow));
  struct ChunkDeleter {
    void operator()(Flow* flows) const;
  };
  using Chunk = std::unique_ptr<Flow[], ChunkDeleter>;
  static Chunk newChunk();
  static constexpr uint32_t kInitialFlows = 4096;  // the index's first size, in flows
  void grow();  // doubles the index
  Flow& at(uint32_t index) const { return chunks_[index / kChunk][index % kChunk]; }
  uint32_t allocate();  // UINT32_MAX when memory runs out

  uint32_t max_flows_;
  uint32_t mask_;                  // slots_.size() - 1
  // Pool index + 1; 0 = empty. From 1 MiB on in huge blocks: the index is written all over
  // as flows come, and with 4 KiB pages its doublings had cost ~1,000 page faults at 156k flows.
  std::vector<uint32_t, util::HugePageAllocator<uint32_t>> slots_;
  std::vector<Chunk> chunks_;
  std::vector<uint32_t> free_;     // released pool indexes
  uint32_t next_unused_ = 0;       // pool indexes never handed out start here
  std::vector<uint32_t> used_;     // pool index -> position in live_ (for iteration)
  std::vector<uint32_t> live_;     // pool indexes in use
  size_t size_ = 0;
  uint64_t dropped_ = 0, created_ = 0;
  uint32_t next_serial_ = 1;  // 0 is never handed out (a walk's cursor starts there)
};

}  // namespace flowlens::flow
