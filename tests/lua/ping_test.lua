-- Spec section 19: Ping (src/lua/ntop/ping.cc). make test runs as root, where a raw ICMP
-- socket opens; elsewhere isPingAvailable() is false and the pings are not tried.

local t = require("testing")
local eq = t.eq

local names = ntop.getPingIfNames()
eq(type(names), "table", "getPingIfNames")
for _, name in ipairs(names) do
   assert(name ~= "lo", "no loopback among the interfaces to ping from")
end
eq(ntop.isPingIfaceAvailable("no-such-if0"), false, "an unknown interface")
eq(select("#", ntop.pingHost("not-an-address", false)), 0, "a bad host logs, returns nothing")
t.expect_error_ignoring_position("ntop.pingHost: argument #1 (host) expected string, got table",
                                 ntop.pingHost, {}, false)

if ntop.isPingAvailable() then
   eq(ntop.isPingIfaceAvailable("lo"), true, "lo can be pinged through")
   ntop.pingHost("127.0.0.1", false)
   ntop.pingHost("127.0.0.1", true)  -- the wrong family: logged, not sent
   local rtt
   for _ = 1, 60 do
      rtt = ntop.collectPingResults()["127.0.0.1"]
      if rtt then break end
      ntop.msleep(50)
   end
   assert(rtt and rtt >= 0 and rtt < 3000, "127.0.0.1 answered: " .. tostring(rtt))
   eq(next(ntop.collectPingResults()), nil, "collected once")
   ntop.pingHost("127.0.0.1", false, "lo")
   local through_lo
   for _ = 1, 60 do
      through_lo = ntop.collectPingResults(false)["127.0.0.1"]
      if through_lo then break end
      ntop.msleep(50)
   end
   assert(through_lo, "an answer through lo")
else
   print("ping_test: no raw ICMP socket here, pings not tried\n")
end
