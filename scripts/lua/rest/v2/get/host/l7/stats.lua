--
-- GET /lua/rest/v2/get/host/l7/stats.lua?ifid=N&host=IP[@VLAN][&vlan=V]
--   [&breed=true | &ndpi_category=true] [&collapse_stats=false]
-- The host's bytes by application (or breed, or category) as pie slices
-- [{label, value, duration}] (slices under 3% collapsed into "Other").
--
local dirs = ntop.getDirs()
package.path = dirs.installdir .. "/scripts/lua/modules/?.lua;" .. package.path
local rest_utils = require("rest_utils")
require "lua_utils"
local rest_query = require("rest_query")

local p = rest_query.params()
local ifid, _, host = rest_query.host(p)
if ifid == nil then return end
local opts = rest_query.booleans(p, { breed = false, ndpi_category = false, collapse_stats = true })
if opts == nil then return end

local slices = rest_query.l7_slices(host.ndpi, host.ndpi_categories, opts)
-- A breed has no duration of its own (0, as ntopng).
local by_name = opts.breed and {} or (opts.ndpi_category and host.ndpi_categories or host.ndpi)
for _, s in ipairs(slices) do s.duration = (by_name[s.label] or {}).duration or 0 end
rest_utils.answer(rest_utils.consts.success.ok, rest_query.l7_collapse(slices, opts))
