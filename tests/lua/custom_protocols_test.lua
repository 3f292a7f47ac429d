-- options: -i tests/data/pcap/1kxun.pcap -p tests/data/ndpi_protos.txt
-- -p loads custom nDPI protocols: flows to the named hosts get the custom application.

local t = require("testing")
local eq = t.eq

local id = interface.getnDPIProtoId("KxunMobi")
assert(id > 0, "the custom protocol is known")
eq(ntop.isCustomApplication(id), true, "and it is a custom application")
eq(ntop.isCustomApplication(7), false, "HTTP is not")
local flows = interface.getFlowsInfo(nil, {maxHits = 1000, l7protoFilter = id})
assert(flows.numFlows > 0, "flows classified with the custom protocol")
for _, f in ipairs(flows.flows) do
   assert(f.host_server_name:find("1kxun%.mobi$"), "only the named hosts: " .. f.host_server_name)
end
-- ndpiReader 4.2 calls the flow of mangaweb.1kxun.mobi HTTP; with the rule it is ours.
local found
for _, f in ipairs(flows.flows) do
   if f["cli.port"] == 45380 then found = f end
end
assert(found, "mangaweb.1kxun.mobi's flow is KxunMobi")
