-- Spec section 33: without --allow-exec, execCmd, execCmdAsync and readResultCmdAsync refuse
-- (nil, and a log line) and run nothing. Argument types are still checked.

local t = require("testing")
local expect_error = t.expect_error

local wd = ntop.getDirs().workingdir

local out = ntop.execCmd("echo hi")
assert(out == nil, "execCmd without --allow-exec is nil, got " .. tostring(out))
assert(select("#", ntop.execCmd("echo hi")) == 1, "one nil")
assert(ntop.execCmd("touch '" .. wd .. "/ran'") == nil, "refused")

local h = ntop.execCmdAsync("touch '" .. wd .. "/ran_async'")
assert(h == nil, "execCmdAsync without --allow-exec is nil, got " .. tostring(h))
assert(ntop.readResultCmdAsync(1) == nil, "readResultCmdAsync without --allow-exec is nil")

ntop.msleep(300)  -- long enough for a command that did start to have run
assert(not ntop.exists(wd .. "/ran"), "execCmd ran nothing")
assert(not ntop.exists(wd .. "/ran_async"), "execCmdAsync ran nothing")

expect_error("ntop.execCmd: argument #1 (cmd) expected string, got nil", ntop.execCmd, nil)
expect_error("ntop.execCmdAsync: argument #1 (cmd) expected string, got boolean",
             ntop.execCmdAsync, false)
expect_error("ntop.readResultCmdAsync: argument #1 (handle) expected integer, got nil",
             ntop.readResultCmdAsync, nil)
