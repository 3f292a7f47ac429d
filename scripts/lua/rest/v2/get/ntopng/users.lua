--
-- GET /lua/rest/v2/get/ntopng/users.lua: every user with its settings (administrators only).
-- Password hashes are never part of the answer (ntopng returned their MD5 here).
--
local dirs = ntop.getDirs()
package.path = dirs.installdir .. "/scripts/lua/modules/?.lua;" .. package.path
local rest_utils = require("rest_utils")
require "lua_utils"

if not isAdministrator() then
   rest_utils.answer(rest_utils.consts.err.not_granted)
   return
end
local users = ntop.getUsers()
if users == nil then
   rest_utils.answer(rest_utils.consts.err.internal_error)
   return
end
local res = {}
for name, u in pairs(users) do
   res[name] = {
      full_name = u.full_name, group = u.group, allowed_nets = u.allowed_nets,
      allowed_ifname = u.allowed_ifname, language = u.language,
      allow_pcap_download = u.allow_pcap_download, allow_historical_flows = u.allow_historical_flows,
      allow_alerts = u.allow_alerts, totp_enabled = u.totp_enabled,
   }
end
rest_utils.answer(rest_utils.consts.success.ok, res)
