-- Spec section 23: Time & Ticks.

local t = require("testing")
local expect_error = t.expect_error

-- ############################################################################
-- gettimemsec: wall-clock milliseconds, with a fraction

local ms = ntop.gettimemsec()
assert(type(ms) == "number", "gettimemsec is a number")
assert(math.abs(ms - os.time() * 1000) < 2000,
       "gettimemsec is milliseconds since the epoch: " .. ms .. " vs " .. os.time() * 1000)
local ms2 = ntop.gettimemsec()
assert(ms2 >= ms, "gettimemsec does not go backwards")
ntop.msleep(30)
local ms3 = ntop.gettimemsec()
assert(ms3 - ms2 >= 29 and ms3 - ms2 < 2000, "30 ms sleep shows in gettimemsec: " .. (ms3 - ms2))

-- ############################################################################
-- getticks, gettickspersec

local tps = ntop.gettickspersec()
assert(math.type(tps) == "integer" and tps > 0, "gettickspersec is a positive integer")
local t1 = ntop.getticks()
assert(math.type(t1) == "integer" and t1 > 0, "getticks is a positive integer")
ntop.msleep(20)
local t2 = ntop.getticks()
assert(t2 > t1, "getticks increases")
assert(t2 - t1 >= tps * 20 // 1000, "20 ms worth of ticks passed: " .. (t2 - t1) .. " ticks")
assert((t2 - t1) / tps < 5, "and not seconds of them: " .. ((t2 - t1) / tps) .. " s")

-- ############################################################################
-- tzset

assert(select("#", ntop.tzset()) == 0, "tzset returns nothing")

-- ############################################################################
-- roundTime(epoch, secs [, timezone]): round down to a multiple of secs

assert(ntop.roundTime(3661, 60) == 3660, "roundTime(3661, 60)")
assert(ntop.roundTime(3660, 60) == 3660, "an exact multiple is kept")
assert(ntop.roundTime(3661, 3600) == 3600, "to the hour")
assert(ntop.roundTime(59, 60) == 0, "down, not to the nearest")
assert(ntop.roundTime(3661, 1) == 3661, "secs = 1 keeps the epoch")
assert(math.type(ntop.roundTime(3661, 60)) == "integer", "roundTime returns an integer")
assert(ntop.roundTime(-1, 60) == -60, "before the epoch rounds down too")
local now = os.time()
local r = ntop.roundTime(now, 60)
assert(r <= now and now - r < 60 and r % 60 == 0, "roundTime(os.time(), 60) is the last minute")
assert(ntop.roundTime(3661, 60, nil) == 3660, "nil timezone is UTC")

-- 2023-11-14 22:13:20 UTC is 23:13:20 in Rome (CET, +1h): the Rome day began at 23:00 UTC
-- the day before, the UTC day at 00:00 UTC.
local e = 1700000000
assert(ntop.roundTime(e, 86400) == 1699920000, "UTC day")
assert(ntop.roundTime(e, 86400, "Europe/Rome") == 1699916400,
       "Rome day: " .. ntop.roundTime(e, 86400, "Europe/Rome"))
assert(ntop.roundTime(e, 86400, 3600) == 1699916400, "a +3600 s offset is the same as CET")
assert(ntop.roundTime(e, 86400, -3600) == 1699920000 + 3600,
       "-1h: the day began at 01:00 UTC on the 14th")
-- In summer Rome is CEST (+2h): 2023-07-01 12:00:00 UTC -> day began 2023-06-30 22:00 UTC.
assert(ntop.roundTime(1688212800, 86400, "Europe/Rome") == 1688162400, "Rome summer day")
assert(ntop.roundTime(e, 86400, "UTC") == 1699920000, "'UTC' is UTC")
assert(ntop.roundTime(3661, 60, "Europe/Rome") == 3660, "zones of whole hours keep minutes")
-- India is +5:30 (03:43:20 local): the local hour began at 21:30 UTC.
assert(ntop.roundTime(e, 3600, "Asia/Kolkata") == 1699997400,
       "Kolkata hour: " .. ntop.roundTime(e, 3600, "Asia/Kolkata"))
assert(ntop.roundTime(e, 3600, 19800) == ntop.roundTime(e, 3600, "Asia/Kolkata"),
       "+19800 s == Asia/Kolkata")

-- true: the process's local zone. Its offset, from Lua's own view of the local time:
local lt, ut = os.date("*t", e), os.date("!*t", e)
ut.isdst = lt.isdst
local local_offset = e - os.time(ut)
assert(ntop.roundTime(e, 86400, true) == ntop.roundTime(e, 86400, local_offset),
       "true uses the local zone (offset " .. local_offset .. ")")
assert(ntop.roundTime(e, 86400, false) == 1699920000, "false is UTC")
-- Asking for a zone leaves the process's zone alone.
assert(os.date("*t", e).hour == lt.hour, "the local zone is unchanged after a named zone")

-- Bad values.
expect_error("ntop.roundTime: argument #2 (secs) must be positive", ntop.roundTime, 3661, 0)
expect_error("ntop.roundTime: argument #2 (secs) must be positive", ntop.roundTime, 3661, -60)
expect_error("ntop.roundTime: unknown timezone 'Mars/Olympus'", ntop.roundTime, e, 60,
             "Mars/Olympus")
expect_error("ntop.roundTime: unknown timezone '../../etc/passwd'", ntop.roundTime, e, 60,
             "../../etc/passwd")
expect_error("ntop.roundTime: argument #1 (epoch) expected integer, got nil", ntop.roundTime,
             nil, 60)
expect_error("ntop.roundTime: argument #2 (secs) expected integer, got string", ntop.roundTime,
             e, "minute")
expect_error("ntop.roundTime: argument #3 (timezone) expected boolean, string or integer, got table",
             ntop.roundTime, e, 60, {})

-- A zone name must name a zone file: "Europe" is a directory of them, not a zone (glibc would
-- silently fall back to UTC).
expect_error("ntop.roundTime: unknown timezone 'Europe'", ntop.roundTime, e, 86400, "Europe")
