--
-- GET /lua/rest/v2/get/interface/data.lua?ifid=N: the interface's counters (ntopng's
-- footer/dashboard summary).
--
local dirs = ntop.getDirs()
package.path = dirs.installdir .. "/scripts/lua/modules/?.lua;" .. package.path
local rest_utils = require("rest_utils")
require "lua_utils"
local rest_query = require("rest_query")

local ifid = rest_query.select_interface(rest_query.params())
if ifid == nil then return end
local s = interface.getStats()
if s == nil then
   rest_utils.answer(rest_utils.consts.err.internal_error)
   return
end

local now = os.time()
local uptime = secondsToTime(math.max(0, now - (s.startEpoch or now)))
local res = {
   ifid = tostring(ifid),                -- a string, as ntopng
   ifname = s.name,
   speed = s.speed or 0,
   epoch = now,
   localtime = os.date("%H:%M:%S %z", now),
   uptime = uptime,
   packets = s.stats.packets,
   bytes = s.stats.bytes,
   drops = s.stats.drops,
   tot_pkt_drops = s.stats.drops,
   packets_since_reset = s.stats_since_reset.packets,
   bytes_since_reset = s.stats_since_reset.bytes,
   drops_since_reset = s.stats_since_reset.drops,
   throughput_bps = s.throughput_bps,
   throughput_pps = s.throughput_pps,
   num_flows = s.num_flows,
   num_hosts = s.num_hosts,
   num_local_hosts = s.num_local_hosts,
   num_remote_hosts = s.num_hosts - s.num_local_hosts,
   num_devices = s.num_macs,
   is_view = s.isView,
   is_pcap_dump = interface.isPcapDumpInterface(),
   -- flowlens raises no alerts yet: ntopng's alert counters are 0.
   engaged_alerts = 0, engaged_alerts_error = 0, engaged_alerts_warning = 0,
   engaged_alerts_notice = 0, alerted_flows = 0, alerted_flows_error = 0,
   alerted_flows_warning = 0, alerted_flows_notice = 0,
}
if isAdministrator() then  -- as ntopng: the running live captures, for administrators
   res.num_live_captures = s.stats.num_live_captures
end
rest_utils.answer(rest_utils.consts.success.ok, res)
