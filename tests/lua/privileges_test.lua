-- Spec section 29: Privilege Management. The test runner never drops privileges (no -U drop
-- happens outside the daemon), so there is nothing to raise or lower: both calls answer false,
-- as booleans, and change nothing.

local t = require("testing")
local eq = t.eq

eq(type(ntop.gainWriteCapabilities), "function", "gainWriteCapabilities exists")
eq(type(ntop.dropWriteCapabilities), "function", "dropWriteCapabilities exists")

local gained = ntop.gainWriteCapabilities()
eq(type(gained), "boolean", "gainWriteCapabilities returns a boolean")
eq(gained, false, "gainWriteCapabilities when privileges were not dropped")
eq(select("#", ntop.gainWriteCapabilities()), 1, "gainWriteCapabilities returns one value")

local dropped = ntop.dropWriteCapabilities()
eq(type(dropped), "boolean", "dropWriteCapabilities returns a boolean")
eq(dropped, false, "dropWriteCapabilities when privileges were not dropped")
eq(select("#", ntop.dropWriteCapabilities()), 1, "dropWriteCapabilities returns one value")

-- Repeated and unbalanced calls are harmless.
for _ = 1, 3 do
   eq(ntop.dropWriteCapabilities(), false, "drop again")
   eq(ntop.gainWriteCapabilities(), false, "gain again")
end

-- The process keeps working as before: it can still write its data directory.
local path = ntop.getDirs().workingdir .. "/privileges_test.txt"
t.write_file(path, "ok")
eq(t.read_file(path), "ok", "writes still work")
os.remove(path)
