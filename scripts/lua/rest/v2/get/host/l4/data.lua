--
-- GET /lua/rest/v2/get/host/l4/data.lua?ifid=N&host=IP[@VLAN][&vlan=V]: the host's bytes by
-- L4 protocol, [{protocol, bytes_sent, bytes_rcvd, total_bytes, total_percentage}], protocols
-- with traffic only.
--
local dirs = ntop.getDirs()
package.path = dirs.installdir .. "/scripts/lua/modules/?.lua;" .. package.path
local rest_utils = require("rest_utils")
require "lua_utils"
local rest_query = require("rest_query")

local ifid, _, host = rest_query.host(rest_query.params())
if ifid == nil then return end

local rows, total = {}, 0
for _, k in ipairs(rest_query.l4_keys) do
   local sent, rcvd = host[k[2] .. ".bytes.sent"], host[k[2] .. ".bytes.rcvd"]
   if (sent or rcvd) and (sent or 0) + (rcvd or 0) > 0 then
      rows[#rows + 1] = { protocol = k[1], bytes_sent = sent or 0, bytes_rcvd = rcvd or 0,
                          total_bytes = (sent or 0) + (rcvd or 0) }
      total = total + (sent or 0) + (rcvd or 0)
   end
end
for _, r in ipairs(rows) do r.total_percentage = round(r.total_bytes * 100 / total, 2) end
rest_utils.answer(rest_utils.consts.success.ok, rows)
