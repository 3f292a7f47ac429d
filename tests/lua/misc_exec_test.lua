-- options: --allow-exec
-- Spec section 33: execCmd, execCmdAsync, readResultCmdAsync with --allow-exec (the runner's
-- run has no HTTP request, so it counts as an administrator's).

local t = require("testing")
local expect_error = t.expect_error

-- Polls an async handle until its output is there (or ~5 s pass).
local function wait_result(handle)
   for _ = 1, 500 do
      local out = ntop.readResultCmdAsync(handle)
      if out ~= nil then return out end
      ntop.msleep(10)
   end
   return nil
end

-- ############################################################################
-- execCmd: standard output of /bin/sh -c

assert(ntop.execCmd("echo hi") == "hi\n", "execCmd('echo hi'): " .. tostring(ntop.execCmd("echo hi")))
assert(ntop.execCmd("printf 'a\\0b'") == "a\0b", "binary output, NUL included")
assert(ntop.execCmd("true") == "", "no output: empty string")
assert(ntop.execCmd("echo out; exit 3") == "out\n", "the exit status does not matter")
assert(ntop.execCmd("echo err 1>&2") == "", "standard error is not captured")
assert(ntop.execCmd("cat") == "", "standard input is /dev/null")
assert(ntop.execCmd("echo $((6 * 7)) | tr -d '\\n'") == "42", "a shell runs the command")
local big = ntop.execCmd("head -c 5000000 /dev/zero")
assert(type(big) == "string" and #big == 4 * 1024 * 1024, "output is capped at 4 MiB: " .. #big)
expect_error("ntop.execCmd: argument #1 (cmd) expected string, got nil", ntop.execCmd, nil)

-- ############################################################################
-- execCmdAsync + readResultCmdAsync

local h = ntop.execCmdAsync("echo hi")
assert(math.type(h) == "integer" and h > 0, "execCmdAsync returns an integer handle")
assert(wait_result(h) == "hi\n", "the async result is the output")
assert(ntop.readResultCmdAsync(h) == nil, "a result is read once: the handle is then forgotten")

local t0 = ntop.gettimemsec()
local slow = ntop.execCmdAsync("sleep 1; echo late")
assert(slow ~= nil and slow ~= h, "each command has its own handle")
assert(ntop.readResultCmdAsync(slow) == nil, "nil while the command runs")
assert(wait_result(slow) == "late\n", "then its output")
assert(ntop.gettimemsec() - t0 >= 1000, "the result came after the command's sleep")

-- Several at once, each with its own output.
local handles = {}
for i = 1, 4 do handles[i] = ntop.execCmdAsync("sleep 0.1; echo job" .. i) end
for i = 4, 1, -1 do
   assert(wait_result(handles[i]) == "job" .. i .. "\n", "async job " .. i .. " has its own output")
end

assert(ntop.readResultCmdAsync(987654) == nil, "an unknown handle: nil")
expect_error("ntop.execCmdAsync: argument #1 (cmd) expected string, got table",
             ntop.execCmdAsync, {})
expect_error("ntop.readResultCmdAsync: argument #1 (handle) expected integer, got string",
             ntop.readResultCmdAsync, "one")

-- ############################################################################
-- At most 16 commands run at once; reading results frees the slots.

local running = {}
for i = 1, 16 do
   running[i] = ntop.execCmdAsync("sleep 3")  -- none ends while the 16 start
   assert(running[i] ~= nil, "async command " .. i .. " of 16 starts")
end
assert(ntop.execCmdAsync("echo seventeen") == nil, "a 17th running command is refused")
for i = 1, 16 do assert(wait_result(running[i]) == "", "slot " .. i .. " read") end
local again = ntop.execCmdAsync("echo again")
assert(again ~= nil and wait_result(again) == "again\n", "slots are free again once read")

-- ############################################################################
-- ntop.setDefaultFilePermissions (section 4), checked with stat(1)

local wd = ntop.getDirs().workingdir
local f = wd .. "/perm.txt"
local d = wd .. "/permdir"
local fh = assert(io.open(f, "w"))
fh:write("x")
fh:close()
ntop.mkdir(d)
ntop.execCmd("chmod 600 '" .. f .. "'; chmod 700 '" .. d .. "'")
assert(ntop.execCmd("stat -c %a '" .. f .. "'") == "600\n", "the file starts at 600")
ntop.setDefaultFilePermissions(f)
ntop.setDefaultFilePermissions(d)
assert(ntop.execCmd("stat -c %a '" .. f .. "'") == "644\n", "a file gets 0644")
assert(ntop.execCmd("stat -c %a '" .. d .. "'") == "755\n", "a directory gets 0755")
