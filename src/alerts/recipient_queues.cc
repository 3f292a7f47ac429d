#include "alerts/recipient_queues.h"

namespace flowlens::alerts {

Status RecipientQueues::registerRecipient(const std::string& id, RecipientFilter filter) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = queues_.find(id);
  if (it == queues_.end()) {
    if (queues_.size() >= kMaxRecipients) {
      return Error{"at most " + std::to_string(kMaxRecipients) + " recipients"};
    }
    it = queues_.emplace(id, Queue{}).first;
    it->second.stats.id = id;
  }
  it->second.filter = std::move(filter);
  return {};
}

bool RecipientQueues::remove(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = queues_.find(id);
  if (it == queues_.end()) return false;
  total_bytes_ -= it->second.bytes;
  queues_.erase(it);
  return true;
}

bool RecipientQueues::passes(const RecipientFilter& f, const Notification& n) {
  if (!n.score) return true;  // a plain notification: the enqueuer chose the recipient
  if (f.skip_alerts && *n.score > 0) return false;
  if (!f.flow_alert_ids.empty() || !f.host_alert_ids.empty() || !f.other_alert_ids.empty()) {
    const std::set<int>& ids = n.entity == 4   ? f.flow_alert_ids
                               : n.entity == 1 ? f.host_alert_ids
                                               : f.other_alert_ids;
    return ids.count(n.alert_id) > 0;
  }
  if (n.severity < f.min_severity) return false;
  if (!f.categories.empty() && n.category >= 0 && f.categories.count(n.category) == 0) {
    return false;
  }
  if (!f.entities.empty() && n.entity >= 0 && f.entities.count(n.entity) == 0) return false;
  return true;
}

RecipientQueues::Enqueued RecipientQueues::enqueue(const std::string& id, Notification n) {
  if (n.body.size() > kMaxNotificationBytes) return Enqueued::kTooLarge;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = queues_.find(id);
  if (it == queues_.end()) return Enqueued::kUnknownRecipient;
  Queue& q = it->second;
  if (!passes(q.filter, n)) {
    ++q.stats.num_filtered_out;
    return Enqueued::kFilteredOut;
  }
  if (q.items.size() >= kMaxQueued || q.bytes + n.body.size() > kMaxQueuedBytes ||
      total_bytes_ + n.body.size() > kMaxTotalBytes) {
    ++q.stats.num_drops;
    return Enqueued::kFull;
  }
  q.bytes += n.body.size();
  total_bytes_ += n.body.size();
  q.items.push_back(std::move(n));
  ++q.stats.num_uses;
  return Enqueued::kQueued;
}

std::optional<Notification> RecipientQueues::dequeue(const std::string& id, time_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = queues_.find(id);
  if (it == queues_.end() || it->second.items.empty()) return std::nullopt;
  Queue& q = it->second;
  Notification n = std::move(q.items.front());
  q.items.pop_front();
  q.bytes -= n.body.size();
  total_bytes_ -= n.body.size();
  q.stats.last_use = now;
  return n;
}

RecipientStats RecipientQueues::snapshot(const Queue& q) {
  RecipientStats s = q.stats;
  s.queued = q.items.size();
  s.fill_pct = 100.0 * double(q.items.size()) / double(kMaxQueued);
  return s;
}

std::optional<RecipientStats> RecipientQueues::stats(const std::string& id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = queues_.find(id);
  if (it == queues_.end()) return std::nullopt;
  return snapshot(it->second);
}

std::vector<RecipientStats> RecipientQueues::allStats() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<RecipientStats> out;
  out.reserve(queues_.size());
  for (const auto& [id, q] : queues_) out.push_back(snapshot(q));
  return out;
}

bool RecipientQueues::addDeliveryStats(const std::string& id, uint64_t delivered,
                                       uint64_t filtered_out, uint64_t failures) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = queues_.find(id);
  if (it == queues_.end()) return false;
  it->second.stats.num_delivered += delivered;
  it->second.stats.num_filtered_out += filtered_out;
  it->second.stats.num_failures += failures;
  return true;
}

time_t RecipientQueues::lastUse(const std::string& id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = queues_.find(id);
  return it == queues_.end() ? 0 : it->second.stats.last_use;
}

}  // namespace flowlens::alerts
