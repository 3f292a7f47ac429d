#include "util/zmq_subscriber.h"

#include <zmq.h>

#include <memory>
#include <vector>

namespace flowlens::util {
namespace {

Error zmqError(const std::string& what) { return Error{what + ": " + zmq_strerror(zmq_errno())}; }

}  // namespace

Result<std::unique_ptr<ZmqSubscriber>> ZmqSubscriber::connect(const std::string& endpoint,
                                                              const std::string& topic) {
  std::unique_ptr<ZmqSubscriber> s(new ZmqSubscriber());
  s->context_ = zmq_ctx_new();
  if (!s->context_) return zmqError("cannot create a ZMQ context");
  s->socket_ = zmq_socket(s->context_, ZMQ_SUB);
  if (!s->socket_) return zmqError("cannot create a ZMQ socket");
  const int linger = 0;
  const int64_t max_size = static_cast<int64_t>(kMaxMessageBytes);
  const int hwm = 1000;
  zmq_setsockopt(s->socket_, ZMQ_LINGER, &linger, sizeof linger);
  zmq_setsockopt(s->socket_, ZMQ_MAXMSGSIZE, &max_size, sizeof max_size);
  zmq_setsockopt(s->socket_, ZMQ_RCVHWM, &hwm, sizeof hwm);
  if (zmq_setsockopt(s->socket_, ZMQ_SUBSCRIBE, topic.data(), topic.size()) != 0) {
    return zmqError("cannot subscribe to '" + topic + "'");
  }
  if (zmq_connect(s->socket_, endpoint.c_str()) != 0) {
    return zmqError("cannot connect to " + endpoint);
  }
  return s;
}

ZmqSubscriber::~ZmqSubscriber() {
  if (socket_) zmq_close(socket_);
  if (context_) zmq_ctx_term(context_);
}

Result<std::optional<std::string>> ZmqSubscriber::receive(std::chrono::milliseconds wait) {
  zmq_pollitem_t item{socket_, 0, ZMQ_POLLIN, 0};
  const int rc = zmq_poll(&item, 1, static_cast<long>(std::max<int64_t>(0, wait.count())));
  if (rc < 0) return zmqError("cannot wait for a ZMQ message");
  if (rc == 0) return std::optional<std::string>();
  // Every part of the message; the payload is the last.
  std::vector<std::string> parts;
  int more = 1;
  while (more) {
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    if (zmq_msg_recv(&msg, socket_, 0) < 0) {
      zmq_msg_close(&msg);
      return zmqError("cannot receive a ZMQ message");
    }
    parts.emplace_back(static_cast<const char*>(zmq_msg_data(&msg)), zmq_msg_size(&msg));
    more = zmq_msg_more(&msg);
    zmq_msg_close(&msg);
  }
  return std::optional<std::string>(std::move(parts.back()));
}

}  // namespace flowlens::util
