--
-- POST /lua/rest/v2/delete/ntopng/user.lua {username} (administrators only; never the last
-- administrator).
--
local dirs = ntop.getDirs()
package.path = dirs.installdir .. "/scripts/lua/modules/?.lua;" .. package.path
local rest_utils = require("rest_utils")
require "lua_utils"
local user_rest = require("user_rest")

if not user_rest.require_admin() then return end
local username = user_rest.params().username
if isEmptyString(username) then
   rest_utils.answer(rest_utils.consts.err.invalid_args)
   return
end
if ntop.getUsers()[username] == nil then
   rest_utils.answer(rest_utils.consts.err.user_does_not_exist)
   return
end
if ntop.deleteUser(username) then
   rest_utils.answer(rest_utils.consts.success.ok)
else
   rest_utils.answer(rest_utils.consts.err.delete_user_failed)
end
