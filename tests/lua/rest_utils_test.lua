-- scripts/lua/modules/rest_utils.lua: the REST v2 envelope and return codes (spec section 2).

local dirs = ntop.getDirs()
package.path = dirs.installdir .. "/scripts/lua/modules/?.lua;" .. package.path
local rest_utils = require("rest_utils")
require "lua_utils"
local json = require("dkjson")

local function eq(got, want, what)
   assert(got == want, what .. ": expected " .. tostring(want) .. ", got " .. tostring(got))
end

-- ############################################################################
-- The codes of the spec's table

local expected = {
   success = { ok = { 200, 0 } },
   err = {
      not_found = { 404, -1 },
      invalid_interface = { 400, -2 },
      not_granted = { 401, -3 },
      invalid_host = { 400, -4 },
      invalid_args = { 400, -5 },
      internal_error = { 500, -6 },
      bad_format = { 400, -7 },
      bad_content = { 400, -8 },
   },
}
for group, entries in pairs(expected) do
   for name, codes in pairs(entries) do
      local c = rest_utils.consts[group][name]
      assert(type(c) == "table", "rest_utils.consts." .. group .. "." .. name .. " exists")
      eq(c.http_code, codes[1], group .. "." .. name .. " http_code")
      eq(c.rc, codes[2], group .. "." .. name .. " rc")
   end
end
eq(rest_utils.consts.success.ok.str, "OK", "ok's rc_str")
eq(rest_utils.consts.err.not_found.str, "NOT_FOUND", "not_found's rc_str")
eq(rest_utils.consts.err.invalid_args.str, "INVALID_ARGUMENTS", "invalid_args's rc_str")

-- Every constant is well formed; success codes are rc 0 and HTTP 2xx, errors distinct and < 0.
local seen = {}
for name, c in pairs(rest_utils.consts.success) do
   eq(c.rc, 0, "success." .. name .. " rc")
   assert(c.http_code >= 200 and c.http_code < 300, "success." .. name .. " is a 2xx")
end
for name, c in pairs(rest_utils.consts.err) do
   assert(math.type(c.rc) == "integer" and c.rc < 0, "err." .. name .. " rc is negative")
   assert(seen[c.rc] == nil, "err." .. name .. " rc " .. c.rc .. " is also " .. tostring(seen[c.rc]))
   seen[c.rc] = name
   assert(c.http_code >= 400 and c.http_code < 600, "err." .. name .. " is a 4xx/5xx")
   assert(type(c.str) == "string" and c.str:match("^[A-Z_]+$"), "err." .. name .. " rc_str")
   assert(type(c.hr) == "string" and c.hr ~= "", "err." .. name .. " has a readable text")
end

-- ############################################################################
-- rest_utils.rc: the envelope as JSON

local text = rest_utils.rc(rest_utils.consts.success.ok, { hosts = 3, names = { "a", "b" } })
assert(type(text) == "string", "rc() returns text")
local env, _, err = json.decode(text)
assert(env, "rc() is valid JSON: " .. tostring(err))
eq(env.rc, 0, "envelope rc")
eq(env.rc_str, "OK", "envelope rc_str")
eq(env.rc_str_hr, "Success", "envelope rc_str_hr")
assert(type(env.rsp) == "table", "envelope rsp")
eq(env.rsp.hosts, 3, "rsp carries the payload")
eq(env.rsp.names[2], "b", "nested payload")
local n = 0
for _ in pairs(env) do n = n + 1 end
eq(n, 4, "exactly rc, rc_str, rc_str_hr and rsp")

env = json.decode(rest_utils.rc(rest_utils.consts.err.invalid_interface))
eq(env.rc, -2, "error envelope rc")
eq(env.rc_str, "INVALID_INTERFACE", "error envelope rc_str")
eq(env.rc_str_hr, "Invalid interface", "error envelope rc_str_hr")
assert(type(env.rsp) == "table" and next(env.rsp) == nil, "no payload: rsp is empty")

-- rc_str_hr falls back to rc_str for a constant without readable text.
env = json.decode(rest_utils.rc({ http_code = 200, rc = 0, str = "CUSTOM" }))
eq(env.rc_str_hr, "CUSTOM", "rc_str_hr falls back to rc_str")

-- ############################################################################
-- answer / extended_answer / vanilla_payload_response: what they print and the status they set.
-- The module prints through the state's real globals (this run's _ENV falls through to them).

local real_G = package.loaded._G  -- the state's globals (a guarded view of them)
assert(type(real_G) == "table" and real_G.print, "the run's globals fall through to the state's")
local printed, status, content_type
local saved = { print = real_G.print, status = flowlens.setHTTPStatus,
                ct = flowlens.setContentType }
local function capture(f)
   printed, status, content_type = {}, nil, nil
   real_G.print = function(s) printed[#printed + 1] = s end
   flowlens.setHTTPStatus = function(c) status = c; return saved.status(c) end
   flowlens.setContentType = function(c) content_type = c; return saved.ct(c) end
   local ok, e = pcall(f)
   real_G.print, flowlens.setHTTPStatus, flowlens.setContentType = saved.print, saved.status, saved.ct
   assert(ok, e)
end

capture(function() rest_utils.answer(rest_utils.consts.err.not_found, { id = 7 }) end)
eq(#printed, 1, "answer prints once")
eq(status, 404, "answer sets the constant's HTTP status")
eq(content_type, "application/json; charset=utf-8", "answer's content type")
env = json.decode(printed[1])
eq(env.rc, -1, "answer's envelope rc")
eq(env.rc_str, "NOT_FOUND", "answer's envelope rc_str")
eq(env.rsp.id, 7, "answer's payload")

capture(function() rest_utils.answer(rest_utils.consts.success.ok) end)
eq(status, 200, "ok is HTTP 200")
eq(json.decode(printed[1]).rc, 0, "ok envelope")

capture(function()
   rest_utils.extended_answer(rest_utils.consts.success.ok, { a = 1 },
                              { recordsTotal = 10, rc = 99 })
end)
env = json.decode(printed[1])
eq(env.recordsTotal, 10, "extended_answer adds top-level fields")
eq(env.rc, 0, "but does not override the envelope's")
eq(env.rsp.a, 1, "extended_answer's payload")
eq(status, 200, "extended_answer's status")

capture(function()
   rest_utils.vanilla_payload_response(rest_utils.consts.err.bad_format, "a,b\n1,2", "text/csv")
end)
eq(printed[1], "a,b\n1,2", "vanilla_payload_response prints the payload as it is")
eq(status, 400, "vanilla_payload_response's status")
eq(content_type, "text/csv; charset=utf-8", "vanilla_payload_response's content type")

local ok, e = pcall(rest_utils.answer, nil)
assert(not ok and e == "rest_utils.answer: argument #1 must be a rest_utils.consts entry",
       "answer refuses a non-constant: " .. tostring(e))
ok, e = pcall(rest_utils.answer, { http_code = 200 })
assert(not ok and e:find("must be a rest_utils.consts entry", 1, true), "a table without rc")
rest_utils.answer(rest_utils.consts.success.ok, { done = true })  -- the run's real answer
