--
-- GET /lua/rest/v2/get/l7/category/consts.lua: every nDPI category with its applications,
-- [{name, cat_id, app_list = [{name, id}]}] (ids of applications as strings, as ntopng).
--
local dirs = ntop.getDirs()
package.path = dirs.installdir .. "/scripts/lua/modules/?.lua;" .. package.path
local rest_utils = require("rest_utils")
require "lua_utils"

local function ci(a, b) return a:lower() < b:lower() end
local res = {}
for name, cat_id in pairsByKeys(interface.getnDPICategories(), asc) do
   local apps = {}
   for app, id in pairsByKeys(interface.getnDPIProtocols(tonumber(cat_id)), ci) do
      apps[#apps + 1] = { name = app, id = tostring(id) }
   end
   res[#res + 1] = { name = name, cat_id = tonumber(cat_id), app_list = apps }
end
rest_utils.answer(rest_utils.consts.success.ok, res)
