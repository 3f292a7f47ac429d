#pragma once
// A ZMQ publisher for events (ntopng's --zmq-publish-events, ntop.broadcastIPSMessage): a PUB
// socket bound to one endpoint. Each message goes out in ntopng's two-part form: a 24-byte
// header (the topic in 16 bytes, version 0, source id 0, the payload's size in 16 bits, host
// order, message id 0), then the payload, uncompressed. Thread-safe (one lock per send).

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "core/result.h"

namespace flowlens::util {

class ZmqPublisher {
 public:
  static constexpr size_t kMaxPayloadBytes = 65535;  // the header's size field
  static constexpr size_t kHeaderBytes = 24;

  // tcp://*:port, tcp://address:port, ipc://path (ZMQ's syntax).
  static Result<std::unique_ptr<ZmqPublisher>> bind(const std::string& endpoint);
  ~ZmqPublisher();
  ZmqPublisher(const ZmqPublisher&) = delete;
  ZmqPublisher& operator=(const ZmqPublisher&) = delete;

  // Queues the message for the subscribers connected now (none: it is dropped, as PUB does).
  // Refused: a topic over 15 bytes or a payload over kMaxPayloadBytes.
  Status publish(std::string_view topic, std::string_view payload);
  const std::string& endpoint() const { return endpoint_; }

 private:
  ZmqPublisher() = default;
  std::mutex mutex_;
  void* context_ = nullptr;
  void* socket_ = nullptr;
  std::string endpoint_;
};

}  // namespace flowlens::util
