--
-- GET /lua/rest/v2/get/l4/protocol/consts.lua: ntopng's list of L4 protocols,
-- [{name, other, id}] in its order (other is the key of host fields: tcp.bytes.sent ...).
--
local dirs = ntop.getDirs()
package.path = dirs.installdir .. "/scripts/lua/modules/?.lua;" .. package.path
local rest_utils = require("rest_utils")
require "lua_utils"
local rest_query = require("rest_query")

local res = {}
for _, k in ipairs(rest_query.l4_keys) do res[#res + 1] = { name = k[1], other = k[2], id = k[3] } end
rest_utils.answer(rest_utils.consts.success.ok, res)
