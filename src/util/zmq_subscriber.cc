#include "util/zmq_subscriber.h"

#include <memory>
#include <vector>

#include "util/zmq_api.h"

namespace flowlens::util {
namespace {

const ZmqApi* api() { return zmqApi(); }

}  // namespace

Result<std::unique_ptr<ZmqSubscriber>> ZmqSubscriber::connect(const std::string& endpoint,
                                                              const std::string& topic) {
  if (!api()) return Error{"libzmq is not installed (Debian package libzmq5)"};
  std::unique_ptr<ZmqSubscriber> s(new ZmqSubscriber());
  s->context_ = api()->ctx_new();
  if (!s->context_) return zmqError("cannot create a ZMQ context");
  s->socket_ = api()->socket(s->context_, ZMQ_SUB);
  if (!s->socket_) return zmqError("cannot create a ZMQ socket");
  const int linger = 0;
  const int64_t max_size = static_cast<int64_t>(kMaxMessageBytes);
  const int hwm = kMaxQueued;
  api()->setsockopt(s->socket_, ZMQ_LINGER, &linger, sizeof linger);
  api()->setsockopt(s->socket_, ZMQ_MAXMSGSIZE, &max_size, sizeof max_size);
  api()->setsockopt(s->socket_, ZMQ_RCVHWM, &hwm, sizeof hwm);
  if (api()->setsockopt(s->socket_, ZMQ_SUBSCRIBE, topic.data(), topic.size()) != 0) {
    return zmqError("cannot subscribe to '" + topic + "'");
  }
  if (api()->connect(s->socket_, endpoint.c_str()) != 0) {
    return zmqError("cannot connect to " + endpoint);
  }
  return s;
}

ZmqSubscriber::~ZmqSubscriber() {
  if (socket_) api()->close(socket_);
  if (context_) api()->ctx_term(context_);
}

Result<std::optional<std::string>> ZmqSubscriber::receive(std::chrono::milliseconds wait) {
  zmq_pollitem_t item{socket_, 0, ZMQ_POLLIN, 0};
  const int rc = api()->poll(&item, 1, static_cast<long>(std::max<int64_t>(0, wait.count())));
  if (rc < 0) return zmqError("cannot wait for a ZMQ message");
  if (rc == 0) return std::optional<std::string>();
  // The payload is the last part; the others (a header) are read and dropped.
  std::string last;
  int parts = 0, more = 1;
  while (more) {
    zmq_msg_t msg;
    api()->msg_init(&msg);
    if (api()->msg_recv(&msg, socket_, 0) < 0) {
      api()->msg_close(&msg);
      return zmqError("cannot receive a ZMQ message");
    }
    if (++parts <= kMaxParts) {
      last.assign(static_cast<const char*>(api()->msg_data(&msg)), api()->msg_size(&msg));
    }
    more = api()->msg_more(&msg);
    api()->msg_close(&msg);
  }
  if (parts > kMaxParts) return std::optional<std::string>();
  return std::optional<std::string>(std::move(last));
}

}  // namespace flowlens::util
