--
-- GET /lua/rest/v2/get/flowlens/dashboard.lua?ifid=N: everything the dashboard draws, in one
-- answer, so that a refresh is one request: the interface's counters and throughput, and its
-- top 10 hosts (by traffic), applications (by traffic since start) and active flows (by bytes).
--
local dirs = ntop.getDirs()
package.path = dirs.installdir .. "/scripts/lua/modules/?.lua;" .. package.path
local rest_utils = require("rest_utils")
local ui_records = require("ui_records")
require "lua_utils"

local TOP = 10

if interface.select(isEmptyString(_GET["ifid"]) and "0" or _GET["ifid"]) == nil then
   rest_utils.answer(rest_utils.consts.err.invalid_interface)
   return
end

local stats = interface.getStats()

local hosts = {}
for _, h in pairs(interface.getHostsInfo(false, "column_traffic", TOP, 0, false).hosts) do
   hosts[#hosts + 1] = ui_records.host(h)
end
table.sort(hosts, function(a, b)
   if a.bytes.total ~= b.bytes.total then return a.bytes.total > b.bytes.total end
   return a.key < b.key
end)

local apps = {}
for name, a in pairs(interface.getnDPIStats().ndpi or {}) do
   apps[#apps + 1] = { name = name, id = a.id, bytes = a.bytes, packets = a.packets,
                       num_flows = a.num_flows, breed = a.breed }
end
table.sort(apps, function(a, b)
   if a.bytes ~= b.bytes then return a.bytes > b.bytes end
   return a.name < b.name
end)
for i = #apps, TOP + 1, -1 do apps[i] = nil end

local flows = {}
for _, f in ipairs(interface.getFlowsInfo(nil, { sortColumn = "column_bytes", maxHits = TOP }).flows) do
   flows[#flows + 1] = ui_records.flow(f)
end

rest_utils.answer(rest_utils.consts.success.ok, {
   ifid = stats.id,
   ifname = stats.name,
   epoch = os.time(),
   throughput_bps = stats.throughput_bps,
   throughput_pps = stats.throughput_pps,
   num_hosts = stats.num_hosts,
   num_local_hosts = stats.num_local_hosts,
   num_flows = stats.num_flows,
   bytes = stats.stats.bytes,
   packets = stats.stats.packets,
   drops = stats.stats.drops,
   top_hosts = hosts,
   top_apps = apps,
   top_flows = flows,
})
