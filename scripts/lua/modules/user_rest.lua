--
-- user_rest: what the user-administration REST endpoints share: reading the request's fields
-- (JSON body or form) and answering with ntopng's codes.
--
local rest_utils = require("rest_utils")
local json = require("dkjson")

local user_rest = {}

-- The request's fields: the JSON body's object, else the form/query parameters.
function user_rest.params()
   local body = _POST["JSON"] and json.decode(_POST["JSON"])
   if type(body) == "table" then return body end
   local p = {}
   for k, v in pairs(_GET or {}) do p[k] = v end
   for k, v in pairs(_POST or {}) do p[k] = v end
   return p
end

-- Answers not_granted (and returns false) unless an administrator asks.
function user_rest.require_admin()
   if isAdministrator() then return true end
   rest_utils.answer(rest_utils.consts.err.not_granted)
   return false
end

-- The user an endpoint acts on: `username` from the request, else the caller itself. Only an
-- administrator may name another user; otherwise answers (invalid_args / not_granted) and
-- returns nil.
function user_rest.target_user(p)
   local username = p.username or _SESSION["user"]
   if isEmptyString(username) then
      rest_utils.answer(rest_utils.consts.err.invalid_args)
      return nil
   end
   if username ~= _SESSION["user"] and not isAdministrator() then
      rest_utils.answer(rest_utils.consts.err.not_granted)
      return nil
   end
   return username
end

function user_rest.truthy(v)
   return v == true or v == "true" or v == "1" or v == 1
end

return user_rest
