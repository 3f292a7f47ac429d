-- options: --zmq-publish-events ipc://%DATA_DIR%/events.ipc
-- Spec section 21, the functions ntopng has outside nEdge (src/lua/ntop/ips.cc): IPS messages
-- published on --zmq-publish-events, the refresh flag, BPF syntax checks. The runner monitors
-- "lo" (Ethernet link type), runs as an administrator, and publishes on the endpoint above
-- (%DATA_DIR%: the run's own data directory).

-- BPF syntax, for the selected interface's link type.
assert(ntop.checkFilterSyntax("tcp port 80 and host 192.168.1.1") == true)
assert(ntop.checkFilterSyntax("vlan 10 and udp") == true)
assert(ntop.checkFilterSyntax("tcp port") == false)
assert(ntop.checkFilterSyntax("l7proto 119") == false, "ntopng Pro's nDPI extension is not BPF")
assert(ntop.checkFilterSyntax("") == true, "the empty filter takes everything")
assert(ntop.checkSubInterfaceSyntax("net 10.0.0.0/8") == true)
assert(ntop.checkSubInterfaceSyntax("net 10.0.0.0/33") == false)
assert(ntop.checkFilterSyntax("tcp\0 and junk") == false, "a NUL does not end the filter")
assert(ntop.checkFilterSyntax("ip and " .. string.rep("tcp or ", 700) .. "udp") == false,
       "over 4096 bytes")
local ok, err = pcall(ntop.checkFilterSyntax)
assert(not ok and err:find("ntop.checkFilterSyntax: argument #1 %(filter%) expected string, got no value"), err)

-- The refresh flag: set by askToRefreshIPSRules, cleared by the answer.
assert(ntop.timeToRefreshIPSRules() == false, "nobody asked yet")
assert(ntop.askToRefreshIPSRules() == true)
assert(ntop.askToRefreshIPSRules() == true)
assert(ntop.timeToRefreshIPSRules() == true)
assert(ntop.timeToRefreshIPSRules() == false, "answered once")

-- An IPS message reaches a subscriber of the events endpoint: its payload is the message.
ntop.zmq_connect("ipc://" .. ntop.getDirs().workingdir .. "/events.ipc", "ips")
local msg = '{"rules":[{"ip":"10.1.2.3","action":"drop"}]}'
local got
for _ = 1, 100 do  -- a subscription reaches the publisher a little after zmq_connect
  assert(ntop.broadcastIPSMessage(msg) == true)
  got = ntop.zmq_receive(50)
  if got ~= nil then break end
end
assert(got == msg, "received " .. tostring(got))
ntop.zmq_disconnect()
assert(ntop.broadcastIPSMessage(string.rep("x", 65536)) == false, "over the header's 16-bit size")
