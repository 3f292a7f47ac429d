--
-- GET /lua/rest/v2/get/interface/dscp/stats.lua?ifid=N: packets by DSCP class, as pie slices
-- [{label, value}] (slices under 1% collapsed into "Other").
--
local dirs = ntop.getDirs()
package.path = dirs.installdir .. "/scripts/lua/modules/?.lua;" .. package.path
local rest_utils = require("rest_utils")
require "lua_utils"
local rest_query = require("rest_query")

if rest_query.select_interface(rest_query.params()) == nil then return end
local s = interface.getStats() or {}
-- ntopng's getStats().dscp ({[class] = {packets.sent, packets.rcvd, ...}}); flowlens does not
-- count DSCP classes yet, so the list is empty.
local slices = rest_query.slices(s.dscp, function(v)
   return (v["packets.sent"] or 0) + (v["packets.rcvd"] or 0)
end)
rest_utils.answer(rest_utils.consts.success.ok, rest_query.collapse(slices, 1, 1))
