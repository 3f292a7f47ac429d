--
-- GET /lua/rest/v2/get/interface/l7/stats.lua?ifid=N&ndpistats_mode=sinceStartup|count
--   [&breed=true | &ndpi_category=true] [&collapse_stats=false] [&max_values=5&all_values=true]
-- Pie slices [{label, value, url?}]: bytes by application since start (or by breed, or by
-- category), or active flows by application (mode count).
--
local dirs = ntop.getDirs()
package.path = dirs.installdir .. "/scripts/lua/modules/?.lua;" .. package.path
local rest_utils = require("rest_utils")
require "lua_utils"
local rest_query = require("rest_query")

local p = rest_query.params()
if rest_query.select_interface(p) == nil then return end
local mode = rest_query.enum(p, "ndpistats_mode", { "sinceStartup", "count" })
local opts = rest_query.booleans(p, { breed = false, ndpi_category = false,
                                      collapse_stats = true, all_values = false })
if opts == nil then return end
local max_values = rest_query.integer(p, "max_values", 1, 65535)
if mode == nil or max_values == false then
   return rest_query.fail()
end
local known = interface.getnDPIProtocols()
local res

if mode == "count" then
   -- Active flows per application: the largest, each above 3% of all, at most max_values
   -- (all with all_values); the rest summed in "Other".
   local slices = rest_query.slices(interface.getFlowsStats().ndpi, function(v) return v.count end)
   local limit = opts.all_values and 65535 or (max_values or 5)
   local tot = 0
   for _, s in ipairs(slices) do tot = tot + s.value end
   local threshold = tot * 3 / 100
   table.sort(slices, function(a, b)
      if a.value ~= b.value then return a.value > b.value end
      return a.label < b.label
   end)
   res = {}
   for _, s in ipairs(slices) do
      if #res >= limit or s.value <= threshold then break end
      res[#res + 1] = { label = s.label, value = s.value, url = rest_query.app_url(s.label, known) }
      tot = tot - s.value
   end
   if tot > 0 then
      res[#res + 1] = { label = "Other", value = tot }
   elseif #res == 0 then
      res[1] = { label = "No flows", value = 0 }
   end
else
   local st = interface.getnDPIStats()
   local slices = rest_query.l7_slices(st.ndpi, st.ndpi_categories, opts)
   if not (opts.breed or opts.ndpi_category) then
      for _, s in ipairs(slices) do s.url = rest_query.app_url(s.label, known) end
   end
   res = rest_query.l7_collapse(slices, opts)
end
rest_utils.answer(rest_utils.consts.success.ok, res)
