#pragma once
// A ZMQ subscriber for scripts (spec section 22): a SUB socket connected to one publisher
// endpoint and subscribed to one topic prefix. receive() waits at most its timeout for the
// next message. Messages of ntopng's and nProbe's two-part form (a small header, then the
// payload) answer the payload; single-part messages answer themselves. Not thread-safe: one
// owner (a script run).

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "core/result.h"

namespace flowlens::util {

class ZmqSubscriber {
 public:
  static constexpr size_t kMaxMessageBytes = 1u << 20;  // a part larger: the peer is dropped
  static constexpr int kMaxQueued = 64;                  // messages unread; more are dropped
  static constexpr int kMaxParts = 16;                   // a message of more parts is skipped

  // tcp://host:port, ipc://path, inproc://name (ZMQ's syntax). An empty topic takes everything.
  static Result<std::unique_ptr<ZmqSubscriber>> connect(const std::string& endpoint,
                                                        const std::string& topic);
  ~ZmqSubscriber();
  ZmqSubscriber(const ZmqSubscriber&) = delete;
  ZmqSubscriber& operator=(const ZmqSubscriber&) = delete;

  // The next message's payload (its last part); nullopt when none came within `wait`, or when
  // the message that came had more than kMaxParts parts (skipped). A part larger than
  // kMaxMessageBytes makes libzmq drop the publisher's connection (ZMQ_MAXMSGSIZE); it
  // reconnects.
  Result<std::optional<std::string>> receive(std::chrono::milliseconds wait);

 private:
  ZmqSubscriber() = default;
  void* context_ = nullptr;
  void* socket_ = nullptr;
};

}  // namespace flowlens::util
