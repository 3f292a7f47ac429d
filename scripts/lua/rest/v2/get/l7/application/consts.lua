--
-- GET /lua/rest/v2/get/l7/application/consts.lua: every application protocol nDPI knows,
-- [{name, appl_id, cat_id}] by name.
--
local dirs = ntop.getDirs()
package.path = dirs.installdir .. "/scripts/lua/modules/?.lua;" .. package.path
local rest_utils = require("rest_utils")
require "lua_utils"

local res = {}
for name, id in pairsByKeys(interface.getnDPIProtocols(), asc) do
   res[#res + 1] = { name = name, appl_id = tonumber(id), cat_id = ntop.getnDPIProtoCategory(tonumber(id)) }
end
rest_utils.answer(rest_utils.consts.success.ok, res)
