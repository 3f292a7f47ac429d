--
-- POST /lua/rest/v2/create/ntopng/session.lua: a login session for the authenticated user
-- (HTTP Basic or API token), e.g. for a browser handed over by a script. Administrators may
-- ask for another user's session with {username}, and any caller for a shorter lifetime with
-- {duration} (seconds). Answers {session}.
--
local dirs = ntop.getDirs()
package.path = dirs.installdir .. "/scripts/lua/modules/?.lua;" .. package.path
local rest_utils = require("rest_utils")
require "lua_utils"
local user_rest = require("user_rest")

local p = user_rest.params()
local username = user_rest.target_user(p)
if username == nil then return end
local duration = nil
if p.duration ~= nil then
   duration = math.tointeger(tonumber(p.duration))
   if duration == nil or duration <= 0 then
      rest_utils.answer(rest_utils.consts.err.invalid_args)
      return
   end
end
local session = ntop.createUserSession(username, duration)
if session == nil then
   rest_utils.answer(rest_utils.consts.err.internal_error)
   return
end
rest_utils.answer(rest_utils.consts.success.ok, { session = session })
