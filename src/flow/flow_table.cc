#include "flow/flow_table.h"

#include <algorithm>
#include <bit>
#include <new>

#include "util/huge_block.h"

namespace flowlens::flow {

FlowTable::FlowTable(uint32_t max_flows) : max_flows_(max_flows == 0 ? 1 : max_flows) {
  // At most half full: short probe sequences. The index starts small and doubles with the
  // flows, so a large cap (-X) costs memory only once that many flows come.
  const uint64_t slots = std::bit_ceil(uint64_t(std::min(max_flows_, kInitialFlows)) * 2);
  slots_.assign(slots, 0);
  mask_ = uint32_t(slots - 1);
}

void FlowTable::grow() {
  const uint64_t slots = uint64_t(slots_.size()) * 2;
  decltype(slots_) bigger(slots, 0);
  const uint32_t mask = uint32_t(slots - 1);
  for (uint32_t i : live_) {
    uint32_t s = uint32_t(at(i).hash) & mask;
    while (bigger[s] != 0) s = (s + 1) & mask;
    bigger[s] = i + 1;
  }
  slots_.swap(bigger);
  mask_ = mask;
}

FlowTable::Chunk FlowTable::newChunk() {
  void* memory = util::allocateHugeBlock();
  if (memory == nullptr) return Chunk(nullptr);  // out of memory: the caller drops the flow
  Flow* flows = static_cast<Flow*>(memory);
  for (uint32_t i = 0; i < kChunk; ++i) new (&flows[i]) Flow();
  return Chunk(flows);
}

void FlowTable::ChunkDeleter::operator()(Flow* flows) const {
  for (uint32_t i = 0; i < kChunk; ++i) flows[i].~Flow();
  util::freeHugeBlock(flows);
}

uint32_t FlowTable::allocate() {
  if (!free_.empty()) {
    const uint32_t i = free_.back();
    free_.pop_back();
    return i;
  }
  const uint32_t i = next_unused_;
  if (i / kChunk >= chunks_.size()) {
    Chunk chunk = newChunk();
    if (!chunk) return UINT32_MAX;
    chunks_.push_back(std::move(chunk));
    used_.resize(chunks_.size() * kChunk, UINT32_MAX);
  }
  ++next_unused_;
  return i;
}

Flow* FlowTable::find(const FlowKey& key, uint64_t hash) const {
  for (uint32_t s = uint32_t(hash) & mask_;; s = (s + 1) & mask_) {
    const uint32_t v = slots_[s];
    if (v == 0) return nullptr;
    Flow& f = at(v - 1);
    if (f.hash == uint32_t(hash) && f.key == key) return &f;
  }
}

Flow* FlowTable::findOrCreate(const FlowKey& key, uint64_t hash, bool* created) {
  *created = false;
  uint32_t s = uint32_t(hash) & mask_;
  for (;; s = (s + 1) & mask_) {
    const uint32_t v = slots_[s];
    if (v == 0) break;
    Flow& f = at(v - 1);
    if (f.hash == uint32_t(hash) && f.key == key) return &f;
  }
  if (size_ >= max_flows_) {
    ++dropped_;
    return nullptr;
  }
  const uint32_t i = allocate();
  if (i == UINT32_MAX) {
    ++dropped_;
    return nullptr;
  }
  if ((size_ + 1) * 2 > slots_.size()) {  // more than half full: double the index
    grow();
    for (s = uint32_t(hash) & mask_; slots_[s] != 0; s = (s + 1) & mask_) {
    }
  }
  Flow& f = at(i);
  f = Flow{};
  f.key = key;
  f.hash = uint32_t(hash);
  f.serial = next_serial_++;
  if (next_serial_ == 0) next_serial_ = 1;  // wrapped
  slots_[s] = i + 1;
  used_[i] = uint32_t(live_.size());
  live_.push_back(i);
  ++size_;
  ++created_;
  *created = true;
  return &f;
}

void FlowTable::erase(Flow* flow) {
  // Locate the slot, then shift later members of the probe run back (no tombstones).
  uint32_t s = uint32_t(flow->hash) & mask_;
  while (slots_[s] == 0 || &at(slots_[s] - 1) != flow) s = (s + 1) & mask_;
  const uint32_t index = slots_[s] - 1;
  slots_[s] = 0;
  for (uint32_t j = (s + 1) & mask_; slots_[j] != 0; j = (j + 1) & mask_) {
    const uint32_t home = uint32_t(at(slots_[j] - 1).hash) & mask_;
    // Move j back to s if its home is not in (s, j] (cyclically).
    const bool home_between = s <= j ? (home > s && home <= j) : (home > s || home <= j);
    if (!home_between) {
      slots_[s] = slots_[j];
      slots_[j] = 0;
      s = j;
    }
  }
  // Swap-remove from the live list.
  const uint32_t pos = used_[index];
  const uint32_t last = live_.back();
  live_[pos] = last;
  used_[last] = pos;
  live_.pop_back();
  used_[index] = UINT32_MAX;
  at(index) = Flow{};  // releases text
  free_.push_back(index);
  --size_;
}

void FlowTable::forEach(const std::function<void(Flow&)>& visit) {
  for (uint32_t i : live_) visit(at(i));
}

void FlowTable::forEach(const std::function<void(const Flow&)>& visit) const {
  for (uint32_t i : live_) visit(at(i));
}

size_t FlowTable::forEachSlotIn(size_t from, size_t count,
                                const std::function<void(const Flow&)>& visit) const {
  const size_t end = std::min<size_t>(next_unused_, from + count);
  for (size_t i = from; i < end; ++i) {
    if (used_[i] != UINT32_MAX) visit(at(uint32_t(i)));
  }
  return end;
}

size_t FlowTable::eraseIf(const std::function<bool(Flow&)>& expired) {
  const size_t before = size_;
  eraseIfIn(0, SIZE_MAX, expired);
  return before - size_;
}

size_t FlowTable::eraseIfIn(size_t from, size_t count,
                            const std::function<bool(Flow&)>& expired) {
  size_t k = from;
  for (size_t visited = 0; k < live_.size() && visited < count; ++visited) {
    Flow& f = at(live_[k]);
    if (expired(f)) {
      erase(&f);  // swap-remove: live_[k] now holds the last flow, visit it next
    } else {
      ++k;
    }
  }
  return std::min(k, live_.size());
}

}  // namespace flowlens::flow
