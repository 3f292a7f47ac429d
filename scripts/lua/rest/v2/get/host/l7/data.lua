--
-- GET /lua/rest/v2/get/host/l7/data.lua?ifid=N&host=IP[@VLAN][&vlan=V][&view=applications]
-- The host's traffic by category (default) or by application (view=applications), each with
-- its share of the host's total.
--
local dirs = ntop.getDirs()
package.path = dirs.installdir .. "/scripts/lua/modules/?.lua;" .. package.path
local rest_utils = require("rest_utils")
require "lua_utils"
local rest_query = require("rest_query")

local p = rest_query.params()
local ifid, _, host = rest_query.host(p)
if ifid == nil then return end
local view = rest_query.enum(p, "view", { "applications", "categories" }, "categories")
if view == nil then
   return rest_query.fail()
end

local function pct(part, total) return (total > 0) and (part * 100 / total) or 0 end

-- ntopng's list of a category's applications: up to 5 names, then "and N more".
local function category_apps(cat_id)
   local names = {}
   for name in pairs(interface.getnDPIProtocols(cat_id)) do names[#names + 1] = name end
   table.sort(names, function(a, b) return a:lower() < b:lower() end)
   if #names <= 5 then return table.concat(names, ", ") end
   return { label = table.concat(names, ", ", 1, 5), more_protos = "and " .. (#names - 5) .. " more",
            category_id = cat_id,
            href = "lua/admin/edit_categories.lua?tab=protocols&category=cat_" .. cat_id }
end

local rsp, total = {}, 0
local source = (view == "applications") and host.ndpi or host.ndpi_categories
for _, v in pairs(source) do total = total + rest_query.bytes_of(v) end
for name, v in pairsByKeys(source, asc) do
   local bytes = rest_query.bytes_of(v)
   if view == "applications" then
      rsp[#rsp + 1] = { application = { id = v.id, label = name }, duration = v.duration,
                        bytes_sent = v["bytes.sent"], bytes_rcvd = v["bytes.rcvd"],
                        tot_bytes = bytes, percentage = pct(bytes, total) }
   else
      rsp[#rsp + 1] = { category = { id = v.category, label = name },
                        applications = category_apps(v.category), duration = v.duration,
                        tot_bytes = bytes, percentage = pct(bytes, total) }
   end
end
rest_utils.answer(rest_utils.consts.success.ok, rsp)
