--
-- POST /lua/rest/v2/edit/ntopng/user.lua {username, full_name?, user_role?, allowed_networks?,
-- allowed_interface?, user_language?, allow_pcap_download?, allow_historical_flows?,
-- allow_alerts?, password?, confirm_password?, old_password?}
-- Administrators edit anyone; a user may change its own full name, language and password
-- (with its old password).
--
local dirs = ntop.getDirs()
package.path = dirs.installdir .. "/scripts/lua/modules/?.lua;" .. package.path
local rest_utils = require("rest_utils")
require "lua_utils"
local user_rest = require("user_rest")

local p = user_rest.params()
local username = p.username
if isEmptyString(username) then
   rest_utils.answer(rest_utils.consts.err.invalid_args)
   return
end
local admin = isAdministrator()
local self = (_SESSION["user"] == username)
if not admin and not self then
   rest_utils.answer(rest_utils.consts.err.not_granted)
   return
end
if admin and ntop.getUsers()[username] == nil then
   rest_utils.answer(rest_utils.consts.err.user_does_not_exist)
   return
end
local admin_only = { "user_role", "allowed_networks", "allowed_interface", "allow_pcap_download",
                     "allow_historical_flows", "allow_alerts" }
if not admin then
   for _, f in ipairs(admin_only) do
      if p[f] ~= nil then
         rest_utils.answer(rest_utils.consts.err.not_granted)
         return
      end
   end
end

local ok = true
local function apply(r) ok = ok and (r == true) end
if p.password ~= nil then
   if p.confirm_password ~= nil and p.confirm_password ~= p.password then
      rest_utils.answer(rest_utils.consts.err.password_mismatch)
      return
   end
   apply(ntop.resetUserPassword(_SESSION["user"], username, p.old_password or "", p.password))
end
if p.full_name ~= nil then apply(ntop.changeUserFullName(username, p.full_name)) end
if p.user_language ~= nil then apply(ntop.changeUserLanguage(username, p.user_language)) end
if p.user_role ~= nil then apply(ntop.changeUserRole(username, p.user_role)) end
if p.allowed_networks ~= nil then apply(ntop.changeAllowedNets(username, p.allowed_networks)) end
if p.allowed_interface ~= nil then apply(ntop.changeAllowedIfname(username, p.allowed_interface)) end
if p.allow_pcap_download ~= nil then
   apply(ntop.changePcapDownloadPermission(username, user_rest.truthy(p.allow_pcap_download)))
end
if p.allow_historical_flows ~= nil then
   apply(ntop.changeHistoricalFlowPermission(username, user_rest.truthy(p.allow_historical_flows)))
end
if p.allow_alerts ~= nil then
   apply(ntop.changeAlertsPermission(username, user_rest.truthy(p.allow_alerts)))
end
if ok then
   rest_utils.answer(rest_utils.consts.success.ok)
else
   rest_utils.answer(rest_utils.consts.err.edit_user_failed)
end
