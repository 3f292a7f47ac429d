--
-- GET /lua/rest/v2/get/flow/l4/counters.lua?ifid=N: active flows the user may see by IP
-- protocol, [{id, count}] by protocol number.
--
local dirs = ntop.getDirs()
package.path = dirs.installdir .. "/scripts/lua/modules/?.lua;" .. package.path
local rest_utils = require("rest_utils")
require "lua_utils"
local rest_query = require("rest_query")

if rest_query.select_interface(rest_query.params()) == nil then return end
local by_name = interface.getFlowsStats().l4_protocols
local counts, unknown = {}, false
for name, v in pairs(by_name) do
   local id = rest_query.l4_id(name)
   if id == nil then unknown = true else counts[id] = (counts[id] or 0) + v.count end
end
if unknown then
   -- A protocol without a name in ntopng's list: count the flows by their number instead.
   counts = {}
   for _, f in ipairs(interface.getFlowsInfo(nil, {}).flows) do
      counts[f["proto.l4_id"]] = (counts[f["proto.l4_id"]] or 0) + 1
   end
end
local res = {}
for id, count in pairsByKeys(counts, asc) do res[#res + 1] = { id = id, count = count } end
rest_utils.answer(rest_utils.consts.success.ok, res)
