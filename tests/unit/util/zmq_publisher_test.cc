// util::ZmqPublisher (--zmq-publish-events, ntop.broadcastIPSMessage) against a real ZMQ
// subscriber (libzmq, in process, over TCP on loopback): ntopng's two-part form, a 24-byte
// header naming the topic and the payload's size, then the payload.

#include "util/zmq_publisher.h"

#include <gtest/gtest.h>
#include <zmq.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "ports.h"

namespace flowlens::util {
namespace {

class Subscriber {
 public:
  explicit Subscriber(const std::string& endpoint) {
    ctx_ = zmq_ctx_new();
    sock_ = zmq_socket(ctx_, ZMQ_SUB);
    const int linger = 0;
    zmq_setsockopt(sock_, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(sock_, ZMQ_SUBSCRIBE, "", 0);
    EXPECT_EQ(zmq_connect(sock_, endpoint.c_str()), 0);
  }
  ~Subscriber() {
    zmq_close(sock_);
    zmq_ctx_term(ctx_);
  }
  // The parts of the next message within `timeout_ms`; empty when none came.
  std::vector<std::string> receive(int timeout_ms) {
    std::vector<std::string> parts;
    zmq_pollitem_t item{sock_, 0, ZMQ_POLLIN, 0};
    if (zmq_poll(&item, 1, timeout_ms) <= 0) return parts;
    int more = 1;
    while (more) {
      zmq_msg_t m;
      zmq_msg_init(&m);
      if (zmq_msg_recv(&m, sock_, 0) < 0) break;
      parts.emplace_back(static_cast<const char*>(zmq_msg_data(&m)), zmq_msg_size(&m));
      more = zmq_msg_more(&m);
      zmq_msg_close(&m);
    }
    return parts;
  }

 private:
  void* ctx_;
  void* sock_;
};

TEST(ZmqPublisherTest, PublishesNtopngsTwoPartMessage) {
  const std::string endpoint = "tcp://127.0.0.1:" + std::to_string(testing::freePort());
  auto pub = ZmqPublisher::bind(endpoint);
  ASSERT_TRUE(pub) << pub.error();
  Subscriber sub(endpoint);
  const std::string payload = R"({"rules":[{"host":"192.168.1.7","action":"drop"}]})";
  std::vector<std::string> parts;
  // A subscription reaches the publisher a little after connect(): what goes before is lost.
  for (int i = 0; i < 100 && parts.empty(); ++i) {
    ASSERT_TRUE((*pub)->publish("ips", payload));
    parts = sub.receive(50);
  }
  ASSERT_EQ(parts.size(), 2u);
  // ntopng's struct zmq_msg_hdr_v1, filled as its ZMQPublisher fills it.
  struct HeaderV1 {
    char url[16];
    uint8_t version, source_id;
    uint16_t size;
    uint32_t msg_id;
  } want{};
  static_assert(sizeof(HeaderV1) == ZmqPublisher::kHeaderBytes);
  std::strcpy(want.url, "ips");
  want.size = uint16_t(payload.size());
  EXPECT_EQ(parts[0], std::string(reinterpret_cast<const char*>(&want), sizeof want));
  EXPECT_EQ(parts[1], payload);
}

TEST(ZmqPublisherTest, RefusesWhatTheHeaderCannotSay) {
  const std::string endpoint = "tcp://127.0.0.1:" + std::to_string(testing::freePort());
  auto pub = ZmqPublisher::bind(endpoint);
  ASSERT_TRUE(pub) << pub.error();
  EXPECT_FALSE((*pub)->publish("a-topic-of-16-by", "x"));
  EXPECT_TRUE((*pub)->publish("a-topic-of-15-b", "x"));  // no subscriber: dropped, not an error
  EXPECT_FALSE((*pub)->publish("ips", std::string(ZmqPublisher::kMaxPayloadBytes + 1, 'x')));
  EXPECT_TRUE((*pub)->publish("ips", std::string(ZmqPublisher::kMaxPayloadBytes, 'x')));
}

TEST(ZmqPublisherTest, ABadEndpointIsAnError) {
  auto pub = ZmqPublisher::bind("nonsense://here");
  ASSERT_FALSE(pub);
  EXPECT_NE(pub.error().find("cannot bind a ZMQ publisher to nonsense://here"), std::string::npos);
  // A port taken already.
  const std::string endpoint = "tcp://127.0.0.1:" + std::to_string(testing::freePort());
  auto first = ZmqPublisher::bind(endpoint);
  ASSERT_TRUE(first) << first.error();
  EXPECT_FALSE(ZmqPublisher::bind(endpoint));
}

}  // namespace
}  // namespace flowlens::util
