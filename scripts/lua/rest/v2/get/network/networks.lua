--
-- GET /lua/rest/v2/get/network/networks.lua?ifid=N: the local networks,
-- [{id, label, network_id}] by network id.
--
local dirs = ntop.getDirs()
package.path = dirs.installdir .. "/scripts/lua/modules/?.lua;" .. package.path
local rest_utils = require("rest_utils")
require "lua_utils"
local rest_query = require("rest_query")

if rest_query.select_interface(rest_query.params()) == nil then return end
local res = {}
for name, n in pairs(interface.getNetworksStats()) do
   res[#res + 1] = { id = name, label = name, network_id = n.network_id }
end
table.sort(res, function(a, b) return a.network_id < b.network_id end)
rest_utils.answer(rest_utils.consts.success.ok, res)
