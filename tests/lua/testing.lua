-- Helpers shared by the tests in this directory: local t = require("testing").
-- (tests/support/lua_runner.cc puts this directory first on package.path.)
-- A failed check raises its message with the caller's "file:line: " in front of it.

local M = {}

-- Calls f(...) and requires it to raise exactly `message`.
function M.expect_error(message, f, ...)
   local ok, err = pcall(f, ...)
   if ok then error("expected the error: " .. message, 2) end
   if err ~= message then
      error("expected the error '" .. message .. "', got '" .. tostring(err) .. "'", 2)
   end
end

-- Calls f(...) and requires it to raise `message`, once a leading "file:line: " (the position
-- Lua's own errors, and errors raised for a Lua caller, start with) is taken off.
function M.expect_error_ignoring_position(message, f, ...)
   local ok, err = pcall(f, ...)
   if ok then error("expected the error: " .. message, 2) end
   local bare = tostring(err):gsub("^[^:]+:%d+: ", "")
   if bare ~= message then
      error("expected the error '" .. message .. "', got '" .. tostring(err) .. "'", 2)
   end
end

-- Requires got == want; `what` names the value in the failure message.
function M.eq(got, want, what)
   if got ~= want then
      error(what .. ": expected " .. tostring(want) .. ", got " .. tostring(got), 2)
   end
end

-- Creates (or truncates) the file at `path` and writes `data` to it.
function M.write_file(path, data)
   local f = assert(io.open(path, "wb"), "cannot create " .. path)
   f:write(data)
   f:close()
end

-- The whole content of the file at `path`.
function M.read_file(path)
   local f = assert(io.open(path, "rb"))
   local data = f:read("a")
   f:close()
   return data
end

-- The number of entries in table `t` (any keys).
function M.count(t)
   local n = 0
   for _ in pairs(t) do n = n + 1 end
   return n
end

return M
