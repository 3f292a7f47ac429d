--
-- POST /lua/rest/v2/add/ntopng/user.lua {username, full_name, password, confirm_password?,
-- user_role, allowed_networks?, allowed_interface?, user_language?, allow_pcap_download?,
-- allow_historical_flows?, allow_alerts?} (administrators only).
--
local dirs = ntop.getDirs()
package.path = dirs.installdir .. "/scripts/lua/modules/?.lua;" .. package.path
local rest_utils = require("rest_utils")
require "lua_utils"
local user_rest = require("user_rest")

if not user_rest.require_admin() then return end
local p = user_rest.params()
local username, password = p.username, p.password
local role = p.user_role or p.role or "unprivileged"
if isEmptyString(username) or isEmptyString(password) then
   rest_utils.answer(rest_utils.consts.err.invalid_args)
   return
end
if p.confirm_password ~= nil and p.confirm_password ~= password then
   rest_utils.answer(rest_utils.consts.err.password_mismatch)
   return
end
if role ~= "administrator" and role ~= "unprivileged" and role ~= "captivePortal" and role ~= "captive_portal" then
   rest_utils.answer(rest_utils.consts.err.invalid_args)
   return
end
if ntop.getUsers()[username] ~= nil then
   rest_utils.answer(rest_utils.consts.err.user_already_existing)
   return
end
local ok = ntop.addUser(username, p.full_name or "", password, role, p.allowed_networks or "",
                        p.allowed_interface or "", nil, p.user_language or "en",
                        user_rest.truthy(p.allow_pcap_download), user_rest.truthy(p.allow_historical_flows),
                        user_rest.truthy(p.allow_alerts))
if ok then
   rest_utils.answer(rest_utils.consts.success.ok)
else
   rest_utils.answer(rest_utils.consts.err.add_user_failed)
end
