#include "util/zmq_api.h"

#include "util/lazy_library.h"

namespace flowlens::util {

const ZmqApi* zmqApi() {
  static const ZmqApi* loaded = []() -> const ZmqApi* {
    static LazyLibrary lib("libzmq.so.5");
    static ZmqApi a;
    lib.resolve(a.ctx_new, "zmq_ctx_new");
    lib.resolve(a.socket, "zmq_socket");
    lib.resolve(a.setsockopt, "zmq_setsockopt");
    lib.resolve(a.connect, "zmq_connect");
    lib.resolve(a.bind, "zmq_bind");
    lib.resolve(a.send, "zmq_send");
    lib.resolve(a.close, "zmq_close");
    lib.resolve(a.ctx_term, "zmq_ctx_term");
    lib.resolve(a.poll, "zmq_poll");
    lib.resolve(a.msg_init, "zmq_msg_init");
    lib.resolve(a.msg_recv, "zmq_msg_recv");
    lib.resolve(a.msg_data, "zmq_msg_data");
    lib.resolve(a.msg_size, "zmq_msg_size");
    lib.resolve(a.msg_more, "zmq_msg_more");
    lib.resolve(a.msg_close, "zmq_msg_close");
    lib.resolve(a.strerror, "zmq_strerror");
    lib.resolve(a.error_number, "zmq_errno");
    return lib.ok() ? &a : nullptr;
  }();
  return loaded;
}

Error zmqError(const std::string& what) {
  if (zmqApi() == nullptr) return Error{what + ": libzmq is not installed (Debian package libzmq5)"};
  return Error{what + ": " + zmqApi()->strerror(zmqApi()->error_number())};
}

}  // namespace flowlens::util
