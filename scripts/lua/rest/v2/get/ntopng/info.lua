--
-- GET /lua/rest/v2/get/ntopng/info.lua: ntop.getInfo() (add verbose=false for the short form).
--
local dirs = ntop.getDirs()
package.path = dirs.installdir .. "/scripts/lua/modules/?.lua;" .. package.path
local rest_utils = require("rest_utils")
require "lua_utils"

rest_utils.answer(rest_utils.consts.success.ok, ntop.getInfo(_GET["verbose"] ~= "false"))
