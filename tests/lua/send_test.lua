-- Spec section 24: UDP / TCP Send (src/lua/ntop/send.cc over util/net_send). Delivery itself
-- is tested in tests/unit/util/net_send_test.cc; here the Lua side: arguments, answers, and
-- failures that log and return nil.

local t = require("testing")
local eq = t.eq

-- The spec: send_udp_data and send_tcp_data return nil.
eq(select("#", ntop.send_udp_data("127.0.0.1", 9, "x")), 0, "send_udp_data returns nothing")
eq(ntop.send_udp_data("::1", 9, "x"), nil, "IPv6 too")
eq(select("#", ntop.send_udp_data("not-an-address", 9, "x")), 0, "a bad host logs, returns nothing")
-- Port 1 on loopback: nothing listens there in the test machine's namespace.
eq(ntop.tcpProbe("127.0.0.1", 1, 1), false, "a closed port")
eq(ntop.tcpProbe("not-an-address", 80), nil, "not an address: nil")
eq(select("#", ntop.send_tcp_data("127.0.0.1", 1, "x", 1)), 0, "a refused connection logs")
t.expect_error_ignoring_position("ntop.send_udp_data: argument #2 (port) must be 1-65535",
                                 ntop.send_udp_data, "127.0.0.1", 70000, "x")
t.expect_error_ignoring_position("ntop.tcpProbe: argument #2 (port) expected integer, got string",
                                 ntop.tcpProbe, "127.0.0.1", "http")
