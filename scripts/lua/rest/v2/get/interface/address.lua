--
-- GET /lua/rest/v2/get/interface/address.lua?ifid=N: the interface's IP addresses,
-- {addresses = [...]}.
--
local dirs = ntop.getDirs()
package.path = dirs.installdir .. "/scripts/lua/modules/?.lua;" .. package.path
local rest_utils = require("rest_utils")
require "lua_utils"
local rest_query = require("rest_query")

if rest_query.select_interface(rest_query.params()) == nil then return end
local s = interface.getStats() or {}
local addresses = {}
-- ntopng lists them in getStats().ip_addresses ("a,b,..."); flowlens does not fill it yet.
for _, a in ipairs(split(s.ip_addresses or "", ",")) do
   if not isEmptyString(a) then addresses[#addresses + 1] = a end
end
rest_utils.answer(rest_utils.consts.success.ok, { addresses = addresses })
