#pragma once
// Recipient queues (spec section 16): one bounded FIFO of alert notifications per
// notification channel (a Slack webhook, an e-mail recipient, syslog...), filled by scripts (or
// the alert engine) and drained by each channel's sender at its own pace. A full queue drops
// the new notification and counts it. Thread-safe: one mutex, held for a queue operation only.

#include <cstdint>
#include <ctime>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/result.h"

namespace flowlens::alerts {

// What a recipient wants (ntopng's recipient filters). An empty set lets everything through.
struct RecipientFilter {
  int min_severity = 0;          // ntopng's alert level; notifications below it are filtered out
  std::set<int> categories;      // alert categories
  std::set<int> entities;        // alert entities (host, flow, interface...)
  // When any is set, only these alert ids pass (severity etc. ignored), each list for its own
  // entity: flow alerts (entity 4), host alerts (entity 1), the others.
  std::set<int> flow_alert_ids, host_alert_ids, other_alert_ids;
  bool skip_alerts = false;      // a recipient of other notifications only: scored ones skipped
};

struct Notification {
  std::string body;  // the notification (JSON text)
  // ntopng's attributes, present when the enqueuer gave them: the answer of a dequeue is then
  // ntopng's table; without them, the body alone (the spec's string).
  std::optional<int> score;
  int severity = 0;
  int alert_id = -1, entity = -1, category = -1;
};

struct RecipientStats {
  std::string id;
  time_t last_use = 0;             // the last dequeue that returned a notification
  uint64_t num_uses = 0;           // notifications queued
  uint64_t num_drops = 0;          // refused: the queue was full
  uint64_t num_filtered_out = 0;   // let through by the enqueuer, refused by the filter
  uint64_t num_delivered = 0, num_failures = 0;  // reported by the sender (inc_stats)
  size_t queued = 0;
  double fill_pct = 0;
};

class RecipientQueues {
 public:
  static constexpr size_t kMaxRecipients = 64;
  static constexpr size_t kMaxQueued = 8192;              // notifications per recipient
  static constexpr size_t kMaxQueuedBytes = 32u << 20;    // bytes per recipient
  static constexpr size_t kMaxNotificationBytes = 1u << 20;
  static constexpr size_t kMaxTotalBytes = 256u << 20;   // all recipients together

  // Registers `id`, or updates its filter (keeping what is queued). Fails when
  // kMaxRecipients others exist.
  Status registerRecipient(const std::string& id, RecipientFilter filter);
  // Forgets `id` and what it had queued. False when it was not registered.
  bool remove(const std::string& id);

  enum class Enqueued { kQueued, kFilteredOut, kFull, kTooLarge, kUnknownRecipient };
  Enqueued enqueue(const std::string& id, Notification n);
  // The oldest notification; nullopt when none (or `id` is unknown). Sets last use.
  std::optional<Notification> dequeue(const std::string& id, time_t now);

  std::optional<RecipientStats> stats(const std::string& id) const;
  std::vector<RecipientStats> allStats() const;
  // Adds a sender's counts. False when `id` is unknown.
  bool addDeliveryStats(const std::string& id, uint64_t delivered, uint64_t filtered_out,
                        uint64_t failures);
  // 0 when never used or unknown.
  time_t lastUse(const std::string& id) const;

 private:
  struct Queue {
    RecipientFilter filter;
    std::deque<Notification> items;
    size_t bytes = 0;
    RecipientStats stats;
  };
  static bool passes(const RecipientFilter& f, const Notification& n);
  static RecipientStats snapshot(const Queue& q);

  mutable std::mutex mu_;
  std::map<std::string, Queue> queues_;
  size_t total_bytes_ = 0;
};

}  // namespace flowlens::alerts
