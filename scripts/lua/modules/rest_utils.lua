--
-- rest_utils: the REST API v2 envelope {rc, rc_str, rc_str_hr, rsp} and its return codes,
-- with the names, numbers and HTTP statuses ntopng uses.
--

require "lua_utils"
local json = require("dkjson")

local rest_utils = {}

local function c(http_code, rc, str, hr)
   return { http_code = http_code, rc = rc, str = str, hr = hr }
end

rest_utils.consts = {
   success = {
      ok                   = c(200, 0, "OK", "Success"),
      snmp_device_deleted  = c(200, 0, "SNMP_DEVICE_DELETED_SUCCESSFULLY", "SNMP device deleted"),
      snmp_device_added    = c(200, 0, "SNMP_DEVICE_ADDED_SUCCESSFULLY", "SNMP device added"),
      snmp_device_edited   = c(200, 0, "SNMP_DEVICE_EDITED_SUCCESSFULLY", "SNMP device edited"),
      pool_deleted         = c(200, 0, "POOL_DELETED_SUCCESSFULLY", "Pool deleted"),
      pool_added           = c(200, 0, "POOL_ADDED_SUCCESSFULLY", "Pool added"),
      pool_edited          = c(200, 0, "POOL_EDITED_SUCCESSFULLY", "Pool edited"),
      pool_member_bound    = c(200, 0, "POOL_MEMBER_BOUND_SUCCESSFULLY", "Pool member bound"),
   },
   err = {
      not_found                      = c(404, -1, "NOT_FOUND", "Not found"),
      invalid_interface              = c(400, -2, "INVALID_INTERFACE", "Invalid interface"),
      not_granted                    = c(401, -3, "NOT_GRANTED", "Not granted"),
      invalid_host                   = c(400, -4, "INVALID_HOST", "Invalid host"),
      invalid_args                   = c(400, -5, "INVALID_ARGUMENTS", "Invalid arguments"),
      internal_error                 = c(500, -6, "INTERNAL_ERROR", "Internal error"),
      bad_format                     = c(400, -7, "BAD_FORMAT", "Bad format"),
      bad_content                    = c(400, -8, "BAD_CONTENT", "Bad content"),
      resolution_failed              = c(400, -9, "NAME_RESOLUTION_FAILED", "Name resolution failed"),
      snmp_device_already_added      = c(409, -10, "SNMP_DEVICE_ALREADY_ADDED", "SNMP device already added"),
      snmp_device_unreachable        = c(400, -11, "SNMP_DEVICE_UNREACHABLE", "SNMP device unreachable"),
      snmp_device_no_device_discovered = c(400, -12, "NO_SNMP_DEVICE_DISCOVERED", "No SNMP device discovered"),
      add_pool_failed                = c(409, -13, "ADD_POOL_FAILED", "Adding the pool failed"),
      edit_pool_failed               = c(409, -14, "EDIT_POOL_FAILED", "Editing the pool failed"),
      delete_pool_failed             = c(409, -15, "DELETE_POOL_FAILED", "Deleting the pool failed"),
      pool_not_found                 = c(409, -16, "POOL_NOT_FOUND", "Pool not found"),
      bind_pool_member_failed        = c(409, -17, "BIND_POOL_MEMBER_FAILED", "Binding the pool member failed"),
      bind_pool_member_already_bound = c(409, -18, "BIND_POOL_MEMBER_ALREADY_BOUND", "Pool member already bound"),
      password_mismatch              = c(400, -19, "PASSWORD_MISMATCH", "Password mismatch"),
      add_user_failed                = c(409, -20, "ADD_USER_FAILED", "Adding the user failed"),
      delete_user_failed             = c(409, -21, "DELETE_USER_FAILED", "Deleting the user failed"),
      snmp_unknown_device            = c(400, -22, "SNMP_UNKNOWN_DEVICE", "Unknown SNMP device"),
      user_already_existing          = c(409, -23, "USER_ALREADY_EXISTING", "User already existing"),
      user_does_not_exist            = c(409, -24, "USER_DOES_NOT_EXIST", "User does not exist"),
      edit_user_failed               = c(400, -25, "EDIT_USER_FAILED", "Editing the user failed"),
      configuration_file_mismatch    = c(400, -27, "CONFIGURATION_FILE_MISMATCH", "Configuration file mismatch"),
      partial_import                 = c(409, -28, "PARTIAL_IMPORT", "Partial import"),
   },
}

-- Constants are read-only: a write raises an error instead of changing them for every later
-- request served by this Lua state. pairs() still lists them.
local function readonly(t)
   for k, v in pairs(t) do
      if type(v) == "table" then t[k] = readonly(v) end
   end
   return setmetatable({}, {
      __index = t,
      __newindex = function(_, k) error("rest_utils.consts is read-only (" .. tostring(k) .. ")", 2) end,
      __pairs = function() return next, t, nil end,
      __len = function() return #t end,
      __jsontype = "object",
   })
end
rest_utils.consts = readonly(rest_utils.consts)

-- The envelope as a Lua table.
function rest_utils.envelope(ret_const, payload)
   return {
      rc = ret_const.rc,
      rc_str = ret_const.str,
      rc_str_hr = ret_const.hr or ret_const.str,
      rsp = payload or {},
   }
end

-- JSON text as dkjson writes it; flowlens's C encoder does it ~10x faster, and anything it
-- does not handle (custom __tojson metamethods, functions) goes to dkjson itself.
local function encode(value)
   return flowlens.jsonEncode(value) or json.encode(value)
end

-- The envelope as JSON text.
function rest_utils.rc(ret_const, payload)
   return encode(rest_utils.envelope(ret_const, payload))
end

-- Sends the envelope with the constant's HTTP status and a JSON content type.
function rest_utils.answer(ret_const, payload, extra_headers)
   if type(ret_const) ~= "table" or ret_const.rc == nil then
      error("rest_utils.answer: argument #1 must be a rest_utils.consts entry", 2)
   end
   sendHTTPHeader("application/json", nil, extra_headers, ret_const.http_code)
   print(rest_utils.rc(ret_const, payload))
end

-- As answer(), with extra top-level fields merged into the envelope.
function rest_utils.extended_answer(ret_const, payload, additional_response_param, extra_headers)
   local rsp = rest_utils.envelope(ret_const, payload)
   for k, v in pairs(additional_response_param or {}) do
      if rsp[k] == nil then rsp[k] = v end
   end
   sendHTTPHeader("application/json", nil, extra_headers, ret_const.http_code)
   print(encode(rsp))
end

-- Sends `payload` as it is, with the constant's status.
function rest_utils.vanilla_payload_response(ret_const, payload, content_type)
   sendHTTPHeader(content_type or "text/plain", nil, {}, ret_const.http_code)
   print(payload)
end

return rest_utils
