--
-- GET /lua/rest/v2/get/flow/l7/counters.lua?ifid=N: active flows the user may see by
-- application, [{name, count}] by name.
--
local dirs = ntop.getDirs()
package.path = dirs.installdir .. "/scripts/lua/modules/?.lua;" .. package.path
local rest_utils = require("rest_utils")
require "lua_utils"
local rest_query = require("rest_query")

if rest_query.select_interface(rest_query.params()) == nil then return end
local res = {}
for name, v in pairsByKeys(interface.getFlowsStats().ndpi, asc) do
   res[#res + 1] = { name = name, count = v.count }
end
rest_utils.answer(rest_utils.consts.success.ok, res)
