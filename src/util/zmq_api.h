#pragma once
// libzmq's functions that flowlens calls, loaded on first use (util/lazy_library.h: its
// dependencies cost ~2 MiB of resident memory). Shared by the subscriber and the publisher.

#include <zmq.h>

#include <string>

#include "core/result.h"

namespace flowlens::util {

struct ZmqApi {
  decltype(&::zmq_ctx_new) ctx_new;
  decltype(&::zmq_socket) socket;
  decltype(&::zmq_setsockopt) setsockopt;
  decltype(&::zmq_connect) connect;
  decltype(&::zmq_bind) bind;
  decltype(&::zmq_send) send;
  decltype(&::zmq_close) close;
  decltype(&::zmq_ctx_term) ctx_term;
  decltype(&::zmq_poll) poll;
  decltype(&::zmq_msg_init) msg_init;
  decltype(&::zmq_msg_recv) msg_recv;
  decltype(&::zmq_msg_data) msg_data;
  decltype(&::zmq_msg_size) msg_size;
  decltype(&::zmq_msg_more) msg_more;
  decltype(&::zmq_msg_close) msg_close;
  decltype(&::zmq_strerror) strerror;
  decltype(&::zmq_errno) error_number;
};

// nullptr when libzmq (libzmq5) is not installed.
const ZmqApi* zmqApi();
// `what` and libzmq's reason for the last call's failure.
Error zmqError(const std::string& what);

}  // namespace flowlens::util
