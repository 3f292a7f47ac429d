--
-- GET /lua/rest/v2/get/ntopng/interfaces.lua: the monitored interfaces, [{ifid, ifname, name}].
--
local dirs = ntop.getDirs()
package.path = dirs.installdir .. "/scripts/lua/modules/?.lua;" .. package.path
local rest_utils = require("rest_utils")
require "lua_utils"

local res = {}
for ifid, ifname in pairsByKeys(interface.getIfNames(), function(a, b) return tonumber(a) < tonumber(b) end) do
   res[#res + 1] = { ifid = tonumber(ifid), ifname = ifname, name = ifname:match("([^/]+)$") }
end
rest_utils.answer(rest_utils.consts.success.ok, res)
