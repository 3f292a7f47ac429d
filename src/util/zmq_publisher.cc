#include "util/zmq_publisher.h"

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "util/zmq_api.h"

namespace flowlens::util {

Result<std::unique_ptr<ZmqPublisher>> ZmqPublisher::bind(const std::string& endpoint) {
  const ZmqApi* api = zmqApi();
  if (!api) return Error{"libzmq is not installed (Debian package libzmq5)"};
  std::unique_ptr<ZmqPublisher> p(new ZmqPublisher());
  p->endpoint_ = endpoint;
  p->context_ = api->ctx_new();
  if (!p->context_) return zmqError("cannot create a ZMQ context");
  p->socket_ = api->socket(p->context_, ZMQ_PUB);
  if (!p->socket_) return zmqError("cannot create a ZMQ socket");
  const int linger = 0, hwm = 100;  // a stalled subscriber holds at most 100 x 64 KiB
  api->setsockopt(p->socket_, ZMQ_LINGER, &linger, sizeof linger);
  api->setsockopt(p->socket_, ZMQ_SNDHWM, &hwm, sizeof hwm);  // then dropped, never blocking
  if (api->bind(p->socket_, endpoint.c_str()) != 0) {
    return zmqError("cannot bind a ZMQ publisher to " + endpoint);
  }
  return p;
}

ZmqPublisher::~ZmqPublisher() {
  if (socket_) zmqApi()->close(socket_);
  if (context_) zmqApi()->ctx_term(context_);
}

Status ZmqPublisher::publish(std::string_view topic, std::string_view payload) {
  if (topic.size() > 15) return Error{"a ZMQ topic has at most 15 bytes"};
  if (payload.size() > kMaxPayloadBytes) {
    return Error{"a message has at most " + std::to_string(kMaxPayloadBytes) + " bytes"};
  }
  unsigned char header[kHeaderBytes] = {};
  std::memcpy(header, topic.data(), topic.size());  // url[16], NUL-terminated
  const uint16_t size = uint16_t(payload.size());
  std::memcpy(header + 18, &size, 2);  // after version and source_id
  const ZmqApi* api = zmqApi();
  std::lock_guard g(mutex_);
  // A PUB socket never says EAGAIN (it drops what a subscriber has no room for); a signal may
  // interrupt a send, and then it goes again.
  const auto send = [&](const void* data, size_t n, int flags) {
    int rc;
    do {
      rc = api->send(socket_, data, n, flags | ZMQ_DONTWAIT);
    } while (rc < 0 && api->error_number() == EINTR);
    return rc >= 0;
  };
  if (!send(header, sizeof header, ZMQ_SNDMORE)) return zmqError("cannot publish on " + endpoint_);
  if (!send(payload.data(), payload.size(), 0)) {
    Error e = zmqError("cannot publish on " + endpoint_);
    send("", 0, 0);  // ends the message begun: the next one must not continue it
    return e;
  }
  return Status::Ok();
}

}  // namespace flowlens::util
