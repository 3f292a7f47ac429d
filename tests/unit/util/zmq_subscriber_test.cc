// util::ZmqSubscriber and ntop.zmq_* against a real ZMQ publisher (libzmq, in process, over TCP
// on loopback).

#include "util/zmq_subscriber.h"

#include <gtest/gtest.h>
#include <zmq.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "test_env.h"

namespace flowlens::util {
namespace {

using std::chrono::milliseconds;

class Publisher {
 public:
  Publisher() {
    ctx_ = zmq_ctx_new();
    sock_ = zmq_socket(ctx_, ZMQ_PUB);
    const int linger = 0;
    zmq_setsockopt(sock_, ZMQ_LINGER, &linger, sizeof linger);
    EXPECT_EQ(zmq_bind(sock_, "tcp://127.0.0.1:*"), 0);
    char buf[256];
    size_t len = sizeof buf;
    zmq_getsockopt(sock_, ZMQ_LAST_ENDPOINT, buf, &len);
    endpoint_ = buf;
  }
  ~Publisher() {
    zmq_close(sock_);
    zmq_ctx_term(ctx_);
  }
  const std::string& endpoint() const { return endpoint_; }
  void send(const std::string& part, bool more = false) {
    zmq_send(sock_, part.data(), part.size(), more ? ZMQ_SNDMORE : 0);
  }

 private:
  void* ctx_;
  void* sock_;
  std::string endpoint_;
};

// Publishes `parts` until the subscriber receives `want` (ZMQ drops what a publisher sends
// before a new subscription reaches it; copies sent meanwhile are read and passed over), then
// reads what is left so the next step starts empty.
bool publishUntilReceived(Publisher& pub, ZmqSubscriber& sub, const std::vector<std::string>& parts,
                          const std::string& want) {
  bool got_it = false;
  for (int i = 0; i < 100 && !got_it; ++i) {
    for (size_t p = 0; p < parts.size(); ++p) pub.send(parts[p], p + 1 < parts.size());
    auto got = sub.receive(milliseconds(50));
    got_it = got.ok() && got->has_value() && **got == want;
  }
  for (;;) {  // drain the copies
    auto more = sub.receive(milliseconds(100));
    if (!more.ok() || !more->has_value()) break;
  }
  return got_it;
}

TEST(ZmqSubscriberTest, SinglePartAndNtopngsTwoPartMessages) {
  Publisher pub;
  auto sub = ZmqSubscriber::connect(pub.endpoint(), "flow");
  ASSERT_TRUE(sub.ok()) << sub.error();
  EXPECT_TRUE(publishUntilReceived(pub, **sub, {"flow {\"a\":1}"}, "flow {\"a\":1}"));
  // A header part (ntopng's: topic name, version, size) then the payload: the payload.
  std::string header("flow\0\0\0\0\0\0\0\0\0\0\0\0\x02\x00\x05\x00\x00\x00\x00\x00", 24);
  EXPECT_TRUE(publishUntilReceived(pub, **sub, {header, "{\"b\":2}"}, "{\"b\":2}"));
}

TEST(ZmqSubscriberTest, OtherTopicsAndTimeouts) {
  Publisher pub;
  auto sub = ZmqSubscriber::connect(pub.endpoint(), "event");
  ASSERT_TRUE(sub.ok()) << sub.error();
  ASSERT_TRUE(publishUntilReceived(pub, **sub, {"event 1"}, "event 1"));  // subscribed by now
  for (int i = 0; i < 5; ++i) pub.send("flow not for us");
  const auto t0 = std::chrono::steady_clock::now();
  auto got = (*sub)->receive(milliseconds(200));
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->has_value());
  EXPECT_GE(std::chrono::steady_clock::now() - t0, milliseconds(150));
}

TEST(ZmqSubscriberTest, MessagesOfTooManyPartsAreSkipped) {
  Publisher pub;
  auto sub = ZmqSubscriber::connect(pub.endpoint(), "");
  ASSERT_TRUE(sub.ok()) << sub.error();
  ASSERT_TRUE(publishUntilReceived(pub, **sub, {"ready"}, "ready"));
  std::vector<std::string> many(ZmqSubscriber::kMaxParts + 1, "part");
  for (size_t p = 0; p < many.size(); ++p) pub.send(many[p], p + 1 < many.size());
  pub.send("after");
  auto got = (*sub)->receive(milliseconds(2000));
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->has_value()) << "the long message skipped";
  got = (*sub)->receive(milliseconds(2000));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->value_or("<none>"), "after");
}

TEST(ZmqSubscriberTest, BadEndpointIsAnError) {
  EXPECT_FALSE(ZmqSubscriber::connect("nonsense", "").ok());
  EXPECT_FALSE(ZmqSubscriber::connect("tcp://", "").ok());
}

TEST(ZmqBindingTest, ReceivesFromAScript) {
  testing::TestEnv env;
  auto state = env.newState();
  Publisher pub;
  lua::ScriptContext ctx;
  ctx.services = &env.services();
  lua::Response resp;
  ctx.response = &resp;
  // The publisher keeps sending while the script waits for one message.
  std::atomic<bool> done{false};
  std::thread sender([&] {
    while (!done) {
      pub.send("t hello from zmq");
      std::this_thread::sleep_for(milliseconds(20));
    }
  });
  const std::string code =
      "ntop.zmq_connect('" + pub.endpoint() + "', 't')\n"
      "local m = ntop.zmq_receive(5000)\n"
      "print(m)\n"
      "ntop.zmq_disconnect()\n"
      "print(pcall(ntop.zmq_receive, 10))\n";
  Status st = state->runString(code, "zmq", ctx);
  done = true;
  sender.join();
  ASSERT_TRUE(st.ok()) << st.error();
  EXPECT_EQ(resp.body.rfind("t hello from zmq", 0), 0u) << resp.body;
  EXPECT_NE(resp.body.find("false"), std::string::npos) << "receive after disconnect raises";
}

}  // namespace
}  // namespace flowlens::util
