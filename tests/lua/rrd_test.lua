-- Spec section 14: RRD (src/lua/ntop/rrd.cc over util/rrd). The files themselves are checked
-- with rrdtool in tests/unit/util/rrd_test.cc; here the Lua answers, used the way ntopng's
-- timeseries driver (rrd.lua) uses them.

local t = require("testing")
local eq = t.eq

local dir = ntop.getDirs().workingdir .. "/rrd_test"
local path = dir .. "/0/iface/traffic.rrd"
local t0 = 1700000000 - 1700000000 % 60

-- rrd.lua: ntop.rrd_create(path, step, start, DS..., RRA...), nil on success.
eq(select("#", ntop.rrd_create(path, 60, t0, "DS:bytes:DERIVE:120:U:U", "DS:hosts:GAUGE:120:0:U",
                               "RRA:AVERAGE:0.5:1:1440", "RRA:MAX:0.5:5:288")), 0,
   "create returns nothing")
eq(ntop.exists(path), true, "parents created")
local when, count = ntop.rrd_lastupdate(path)
eq(when, t0, "last update is the start")
eq(count, 2, "two data sources")

-- Updates as rrd.lua writes them: the time and values as strings; numbers work too.
eq(ntop.rrd_update(path, tostring(t0 + 60), "6000", "5"), nil, "update as strings")
eq(ntop.rrd_update(path, t0 + 120, 12000, 7), nil, "update as numbers")
eq(ntop.rrd_update(path, t0 + 180, 18000, 0/0), nil, "NaN is unknown")
eq(ntop.rrd_update(path, t0 + 240, 24000, 9.5), nil, "a float")
eq(ntop.rrd_lastupdate(path), t0 + 240, "last update moved")

-- Errors answer their text (rrd.lua treats any answer as a failure) and log.
local err = ntop.rrd_update(path, t0 + 240, 1, 1)
eq(type(err), "string", "an update in the past answers the error")
t.expect_error_ignoring_position("ntop.rrd_update: argument #3 (value) expected number or string, got table",
                                 ntop.rrd_update, path, "N", {})
eq(type(ntop.rrd_create(dir .. "/bad.rrd", 60, t0, "DS:x:NOPE:1:U:U", "RRA:AVERAGE:0.5:1:10")),
   "string", "a bad definition answers the error")
eq(ntop.exists(dir .. "/bad.rrd"), false, "and leaves no file")
t.expect_error_ignoring_position("ntop.rrd_create: argument #2 (step) must be positive",
                                 ntop.rrd_create, path, 0, "DS:x:GAUGE:1:U:U")

-- rrd_fetch_columns, as rrd.lua reads it: fstart, fstep, fdata, fend, fcount, names.
local fstart, fstep, fdata, fend, fcount, names = ntop.rrd_fetch_columns(path, "AVERAGE", t0, t0 + 240)
eq(fstart, t0, "start")
eq(fstep, 60, "step")
-- librrd ends a range one step past an end on a step boundary (rrd.lua drops that last point).
eq(fend, t0 + 300, "end")
eq(fcount, 5, "points")
eq(names[1], "bytes", "names in order")
eq(names[2], "hosts", "names in order")
eq(fdata.bytes[2], 100.0, "6000 bytes a minute is 100/s")
eq(fdata.bytes[4], 100.0, "rate")
eq(fdata.bytes[1] ~= fdata.bytes[1], true, "no rate before the second update: NaN")
eq(fdata.hosts[1], 5.0, "gauge")
eq(fdata.hosts[3] ~= fdata.hosts[3], true, "unknown gauge: NaN")
eq(fdata.hosts[4], 9.5, "gauge")

-- rrd_fetch: start, step, names, rows, end; unknown values left out of a row.
local s, step, n, rows, e = ntop.rrd_fetch(path, "AVERAGE", t0, t0 + 240)
eq(table.concat({s, step, e, #rows, n[1], n[2]}, " "),
   table.concat({t0, 60, t0 + 300, 5, "bytes", "hosts"}, " "), "fetch header")
eq(rows[2][1], 100.0, "row 2 bytes")
eq(rows[2][2], 7.0, "row 2 hosts")
eq(rows[1][1], nil, "unknown left out")
eq(rows[3][2], nil, "unknown left out")
-- At-style times, and a coarser archive by step.
local s2, step2 = ntop.rrd_fetch_columns(path, "MAX", "end-1h", t0 + 300, 300)
eq(step2, 300, "the 5-minute archive")
eq(type(s2), "number", "at-style start")
eq(ntop.rrd_fetch(path, "AVERAGE", t0 + 60, t0), nil, "a backwards range is nil")
eq(ntop.rrd_fetch(dir .. "/missing.rrd", "AVERAGE", t0, t0 + 60), nil, "a missing file is nil")
eq(ntop.rrd_lastupdate(dir .. "/missing.rrd"), nil, "a missing file is nil")

-- rrd_tune
eq(select("#", ntop.rrd_tune(path, "--heartbeat", "bytes:600")), 0, "tune")
eq(type(ntop.rrd_tune(path, "--heartbeat", "nosuch:600")), "string", "a bad tune answers the error")

-- rrd_inc_num_drops counts in ntop.systemHostStat()
local before = ntop.systemHostStat().timeseries_write_drops
ntop.rrd_inc_num_drops()
ntop.rrd_inc_num_drops(3)
ntop.rrd_inc_num_drops(path)  -- the spec's form counts one
eq(ntop.systemHostStat().timeseries_write_drops, before + 5, "drops counted")

-- deleteOldRRDs(dir, secs): the file was last updated in 2023, so it is older than a day.
local keep = dir .. "/0/iface/keep.txt"
t.write_file(keep, "not an RRD")
ntop.deleteOldRRDs(dir, 86400)
eq(ntop.exists(path), false, "stale RRD removed")
eq(ntop.exists(keep), true, "other files stay")
ntop.rmdir(dir)
