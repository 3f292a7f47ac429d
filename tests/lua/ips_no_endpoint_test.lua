-- Spec section 21 without --zmq-publish-events: an IPS message goes nowhere, and says so.
assert(ntop.broadcastIPSMessage('{"rules":[]}') == false)
local ok, err = pcall(ntop.broadcastIPSMessage)
assert(not ok and err:find("ntop.broadcastIPSMessage: argument #1 %(msg%) expected string, got no value"), err)
-- The other functions need no endpoint.
assert(ntop.askToRefreshIPSRules() == true)
assert(ntop.timeToRefreshIPSRules() == true)
assert(ntop.checkFilterSyntax("udp port 53") == true)
