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
   ntop.pingHost("::1", false)  -- the wrong family: logged, not sent
   ntop.pingHost("127.0.0.1", false)
   local got = {}
   for _ = 1, 60 do
      for host, ms in pairs(ntop.collectPingResults()) do got[host] = ms end
      if got["127.0.0.1"] then break end
      ntop.msleep(50)
   end
   local rtt = got["127.0.0.1"]
   assert(rtt and rtt >= 0 and rtt < 3000, "127.0.0.1 answered: " .. tostring(rtt))
   ntop.msleep(200)  -- time for a reply from ::1, had the ping gone out
   for host, ms in pairs(ntop.collectPingResults()) do got[host] = ms end
   eq(got["::1"], nil, "the ping of the wrong family was not sent")
   eq(next(ntop.collectPingResults()), nil, "collected once")
   if ntop.isLocalInterfaceAddress("::1") then  -- IPv6 on lo (some containers have none)
      ntop.pingHost("::1", true)
      local v6
      for _ = 1, 60 do
         v6 = ntop.collectPingResults(false)  -- IPv4 only: ::1's answer stays
         if next(v6) then break end
         ntop.msleep(20)
      end
      eq(v6["::1"], nil, "collectPingResults(false) leaves IPv6 answers")
      local later
      for _ = 1, 60 do
         later = ntop.collectPingResults(true)["::1"]
         if later then break end
         ntop.msleep(50)
      end
      assert(later, "::1 answered, collected with collectPingResults(true)")
   end
   ntop.pingHost("127.0.0.1", false, true, "lo")  -- ntopng's order: continuous, then iface
   eq(ntop.isPingIfaceAvailable("lo\0x"), false, "a name with a NUL is no interface")
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
