-- Spec section 22: ZMQ (src/lua/ntop/zmq.cc over util/zmq_subscriber). Messages from a real
-- publisher are tested in tests/unit/util/zmq_subscriber_test.cc; here the calls' rules.

local t = require("testing")
local eq = t.eq

t.expect_error_ignoring_position("ntop.zmq_receive: not connected (ntop.zmq_connect first)",
                                 ntop.zmq_receive, 10)
eq(pcall(ntop.zmq_connect, "nonsense", "flow"), false, "a bad endpoint raises")
-- Connecting is asynchronous in ZMQ: nothing needs to listen yet.
eq(select("#", ntop.zmq_connect("tcp://127.0.0.1:1", "flow")), 0, "connect returns nothing")
local t0 = ntop.gettimemsec()
eq(ntop.zmq_receive(150), nil, "no message within the timeout")
local waited = ntop.gettimemsec() - t0
eq(waited >= 100 and waited < 2000, true, "waited about the timeout (" .. waited .. " ms)")
ntop.zmq_disconnect()
eq(pcall(ntop.zmq_receive, 10), false, "disconnected")
ntop.zmq_disconnect()  -- twice is fine
