--
-- GET /lua/rest/v2/get/host/data.lua?ifid=N&host=IP[@VLAN][&vlan=V]: everything known of one
-- host (interface.getHostInfo's table). host_stats=false leaves the host's fields out;
-- host_stats_flows=true adds its largest flows (limit, default all) as ntopng does.
--
local dirs = ntop.getDirs()
package.path = dirs.installdir .. "/scripts/lua/modules/?.lua;" .. package.path
local rest_utils = require("rest_utils")
require "lua_utils"
local rest_query = require("rest_query")

local p = rest_query.params()
local ifid, hinfo, host = rest_query.host(p)
if ifid == nil then return end
local opts = rest_query.booleans(p, { host_stats = true, host_stats_flows = false })
if opts == nil then return end
local host_stats, with_flows = opts.host_stats, opts.host_stats_flows
local limit = rest_query.integer(p, "limit", 0)
if limit == false then
   return rest_query.fail()
end

local res = host_stats and host or {}
rest_query.object(res)
if host_stats then
   res.ndpi = rest_query.object(res.ndpi)
   res.ndpi_categories = rest_query.object(res.ndpi_categories)
   res.names = rest_query.object(res.names)
end
if with_flows then
   local fl = interface.getFlowsInfo(hinfo.host, { sortColumn = "column_bytes", a2zSortOrder = false,
                                     maxHits = limit or 99999, toSkip = 0,
                                     vlanIdFilter = hinfo.vlan }) or { flows = {}, numFlows = 0 }
   local flows, thpt = {}, rest_query.object({})
   for _, f in ipairs(fl.flows) do
      local e = { ["cli.ip"] = f["cli.ip"], ["srv.ip"] = f["srv.ip"], ["cli.port"] = f["cli.port"],
                  ["srv.port"] = f["srv.port"], ["proto.ndpi_id"] = f["proto.ndpi_id"],
                  ["proto.ndpi"] = f["proto.ndpi"], bytes = f.bytes }
      if f["proto.l4"] == "TCP" then
         e["cli2srv.tcp_flags"] = f["cli2srv.tcp_flags"]
         e["srv2cli.tcp_flags"] = f["srv2cli.tcp_flags"]
         e.tcp_established = f.tcp_established
      end
      flows[#flows + 1] = e
      local t = thpt[f["proto.ndpi"]] or { bps = 0, pps = 0 }
      t.bps, t.pps = t.bps + f.throughput_bps, t.pps + f.throughput_pps
      thpt[f["proto.ndpi"]] = t
   end
   res.flows = flows
   res.flows_count = fl.numFlows
   res.ndpiThroughputStats = thpt
end
rest_utils.answer(rest_utils.consts.success.ok, res)
