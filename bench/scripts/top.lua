-- What a dashboard asks every refresh: interface counters, the top 10 flows by bytes and the top
-- 10 hosts by traffic (the concurrency benchmark's REST load).
local s = interface.getStats()
local flows = interface.getFlowsInfo(nil, {maxHits = 10, sortColumn = "column_bytes",
                                           a2zSortOrder = false})
local hosts = interface.getHostsInfo(false, "column_traffic", 10, 0, false)
flowlens.setContentType("application/json")
print(flowlens.jsonEncode({packets = s.stats.packets, flows = flows.numFlows,
                           hosts = hosts.numHosts}))
