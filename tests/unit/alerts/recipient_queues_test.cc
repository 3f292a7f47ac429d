#include "alerts/recipient_queues.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>

namespace flowlens::alerts {
namespace {

Notification plain(std::string body) {
  Notification n;
  n.body = std::move(body);
  return n;
}

Notification scored(std::string body, int score, int severity, int alert_id = -1,
                    int entity = -1, int category = -1) {
  Notification n = plain(std::move(body));
  n.score = score;
  n.severity = severity;
  n.alert_id = alert_id;
  n.entity = entity;
  n.category = category;
  return n;
}

TEST(RecipientQueuesTest, FifoPerRecipientWithLastUse) {
  RecipientQueues q;
  ASSERT_TRUE(q.registerRecipient("slack", {}).ok());
  ASSERT_TRUE(q.registerRecipient("mail", {}).ok());
  EXPECT_EQ(q.enqueue("slack", plain("a")), RecipientQueues::Enqueued::kQueued);
  EXPECT_EQ(q.enqueue("slack", plain("b")), RecipientQueues::Enqueued::kQueued);
  EXPECT_EQ(q.enqueue("mail", plain("m")), RecipientQueues::Enqueued::kQueued);
  EXPECT_EQ(q.lastUse("slack"), 0);
  EXPECT_EQ(q.dequeue("slack", 100)->body, "a");
  EXPECT_EQ(q.dequeue("slack", 101)->body, "b");
  EXPECT_FALSE(q.dequeue("slack", 102));
  EXPECT_EQ(q.lastUse("slack"), 101);  // an empty dequeue is no use
  EXPECT_EQ(q.dequeue("mail", 5)->body, "m");
  EXPECT_EQ(q.stats("slack")->num_uses, 2u);
}

TEST(RecipientQueuesTest, UnknownRecipients) {
  RecipientQueues q;
  EXPECT_EQ(q.enqueue("x", plain("a")), RecipientQueues::Enqueued::kUnknownRecipient);
  EXPECT_FALSE(q.dequeue("x", 1));
  EXPECT_FALSE(q.stats("x"));
  EXPECT_FALSE(q.addDeliveryStats("x", 1, 0, 0));
  EXPECT_FALSE(q.remove("x"));
  EXPECT_EQ(q.lastUse("x"), 0);
}

TEST(RecipientQueuesTest, FullQueueDropsTheNewAndCounts) {
  RecipientQueues q;
  ASSERT_TRUE(q.registerRecipient("r", {}).ok());
  for (size_t i = 0; i < RecipientQueues::kMaxQueued; ++i) {
    ASSERT_EQ(q.enqueue("r", plain(std::to_string(i))), RecipientQueues::Enqueued::kQueued);
  }
  EXPECT_EQ(q.enqueue("r", plain("late")), RecipientQueues::Enqueued::kFull);
  auto s = q.stats("r");
  EXPECT_EQ(s->num_drops, 1u);
  EXPECT_EQ(s->queued, RecipientQueues::kMaxQueued);
  EXPECT_DOUBLE_EQ(s->fill_pct, 100.0);
  EXPECT_EQ(q.dequeue("r", 1)->body, "0");  // the oldest stayed
  EXPECT_EQ(q.enqueue("r", plain("again")), RecipientQueues::Enqueued::kQueued);
}

TEST(RecipientQueuesTest, BytesAreBoundedToo) {
  RecipientQueues q;
  ASSERT_TRUE(q.registerRecipient("r", {}).ok());
  EXPECT_EQ(q.enqueue("r", plain(std::string(RecipientQueues::kMaxNotificationBytes + 1, 'x'))),
            RecipientQueues::Enqueued::kTooLarge);
  const std::string mib(RecipientQueues::kMaxNotificationBytes, 'x');
  size_t queued = 0;
  while (q.enqueue("r", plain(mib)) == RecipientQueues::Enqueued::kQueued) ++queued;
  EXPECT_EQ(queued, RecipientQueues::kMaxQueuedBytes / RecipientQueues::kMaxNotificationBytes);
}

TEST(RecipientQueuesTest, AtMost64Recipients) {
  RecipientQueues q;
  for (size_t i = 0; i < RecipientQueues::kMaxRecipients; ++i) {
    ASSERT_TRUE(q.registerRecipient(std::to_string(i), {}).ok());
  }
  EXPECT_FALSE(q.registerRecipient("one more", {}).ok());
  EXPECT_TRUE(q.registerRecipient("3", {}).ok());  // an update is not a new one
  EXPECT_TRUE(q.remove("3"));
  EXPECT_TRUE(q.registerRecipient("one more", {}).ok());
}

TEST(RecipientQueuesTest, FiltersApplyToScoredNotifications) {
  RecipientQueues q;
  RecipientFilter f;
  f.min_severity = 4;     // warning
  f.categories = {1};     // security
  f.entities = {4};       // flow
  ASSERT_TRUE(q.registerRecipient("sec", f).ok());
  using E = RecipientQueues::Enqueued;
  EXPECT_EQ(q.enqueue("sec", scored("low", 10, 3, 39, 4, 1)), E::kFilteredOut);
  EXPECT_EQ(q.enqueue("sec", scored("other category", 100, 5, 12, 4, 3)), E::kFilteredOut);
  EXPECT_EQ(q.enqueue("sec", scored("other entity", 100, 5, 39, 1, 1)), E::kFilteredOut);
  EXPECT_EQ(q.enqueue("sec", scored("xss", 250, 8, 39, 4, 1)), E::kQueued);
  EXPECT_EQ(q.enqueue("sec", plain("unscored")), E::kQueued);  // the enqueuer chose
  EXPECT_EQ(q.stats("sec")->num_filtered_out, 3u);

  RecipientFilter ids;
  ids.flow_alert_ids = {39};
  ids.min_severity = 8;  // ignored when alert ids are given
  ASSERT_TRUE(q.registerRecipient("xss only", ids).ok());
  EXPECT_EQ(q.enqueue("xss only", scored("xss", 10, 3, 39, 4)), E::kQueued);
  EXPECT_EQ(q.enqueue("xss only", scored("sqli", 250, 8, 40, 4)), E::kFilteredOut);
  // The id of a host alert is another list's: a host alert 39 does not pass.
  EXPECT_EQ(q.enqueue("xss only", scored("host 39", 250, 8, 39, 1)), E::kFilteredOut);

  RecipientFilter skip;
  skip.skip_alerts = true;
  ASSERT_TRUE(q.registerRecipient("news", skip).ok());
  EXPECT_EQ(q.enqueue("news", scored("alert", 50, 4)), E::kFilteredOut);
  EXPECT_EQ(q.enqueue("news", scored("notice", 0, 0)), E::kQueued);
}

TEST(RecipientQueuesTest, ReRegisteringKeepsTheQueue) {
  RecipientQueues q;
  ASSERT_TRUE(q.registerRecipient("r", {}).ok());
  ASSERT_EQ(q.enqueue("r", plain("kept")), RecipientQueues::Enqueued::kQueued);
  RecipientFilter f;
  f.min_severity = 8;
  ASSERT_TRUE(q.registerRecipient("r", f).ok());
  EXPECT_EQ(q.dequeue("r", 1)->body, "kept");
  ASSERT_TRUE(q.remove("r"));
  ASSERT_TRUE(q.registerRecipient("r", {}).ok());
  EXPECT_FALSE(q.dequeue("r", 1));  // deleting dropped what was queued
}

TEST(RecipientQueuesTest, DeliveryStatsAndAllStats) {
  RecipientQueues q;
  ASSERT_TRUE(q.registerRecipient("a", {}).ok());
  ASSERT_TRUE(q.registerRecipient("b", {}).ok());
  EXPECT_TRUE(q.addDeliveryStats("a", 3, 1, 2));
  auto all = q.allStats();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, "a");
  EXPECT_EQ(all[0].num_delivered, 3u);
  EXPECT_EQ(all[0].num_filtered_out, 1u);
  EXPECT_EQ(all[0].num_failures, 2u);
  EXPECT_EQ(all[1].num_delivered, 0u);
}

TEST(RecipientQueuesTest, ConcurrentProducersAndAConsumerLoseNothing) {
  RecipientQueues q;
  ASSERT_TRUE(q.registerRecipient("r", {}).ok());
  constexpr int kPerThread = 2000;
  std::vector<std::thread> producers;
  for (int t = 0; t < 3; ++t) {
    producers.emplace_back([&q, t] {
      for (int i = 0; i < kPerThread; ++i) {
        EXPECT_EQ(q.enqueue("r", plain(std::to_string(t))), RecipientQueues::Enqueued::kQueued);
      }
    });
  }
  int got = 0;
  std::thread consumer([&] {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (got < 3 * kPerThread && std::chrono::steady_clock::now() < until) {
      if (q.dequeue("r", 1)) ++got;
    }
  });
  for (auto& p : producers) p.join();
  consumer.join();
  EXPECT_EQ(got, 3 * kPerThread);
}

}  // namespace
}  // namespace flowlens::alerts
