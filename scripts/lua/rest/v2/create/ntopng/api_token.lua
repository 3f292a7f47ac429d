--
-- POST /lua/rest/v2/create/ntopng/api_token.lua: a new API token for the authenticated user
-- (the previous one is revoked). Administrators may name another user with {username}.
-- Use it as "Authorization: Token <api_token>".
--
local dirs = ntop.getDirs()
package.path = dirs.installdir .. "/scripts/lua/modules/?.lua;" .. package.path
local rest_utils = require("rest_utils")
require "lua_utils"
local user_rest = require("user_rest")

local username = user_rest.target_user(user_rest.params())
if username == nil then return end
local token = ntop.createUserAPIToken(username)
if token == nil then
   rest_utils.answer(rest_utils.consts.err.user_does_not_exist)
   return
end
rest_utils.answer(rest_utils.consts.success.ok, { api_token = token })
