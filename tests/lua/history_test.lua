-- Spec section 13: Historical Statistics (src/lua/ntop/history.cc over store/sampling_store).
-- Keys, ranges and deletion are tested on the service in tests/unit/store; here the Lua
-- answers, read the way ntopng's top-talkers modules read them.

local t = require("testing")
local eq = t.eq
local json = require("dkjson")

local t0 = os.time()
local doc = json.encode({ vlan = { { hosts = { { senders = { { address = "10.0.0.1", value = 42 } } } } } } })
eq(select("#", ntop.insertMinuteSampling(0, doc)), 0, "insert returns nothing")
ntop.insertHourSampling(0, "hour sample")
ntop.insertDaySampling(0, "day sample")
local t1 = os.time()

-- ntopng's reader: for record, _ in pairs(samples) do json.decode(record) end
local found, when = 0, nil
for record, at in pairs(ntop.getMinuteSamplingsInterval(0, t0, t1)) do
   local d = json.decode(record)
   eq(d.vlan[1].hosts[1].senders[1].value, 42, "the document as stored")
   found, when = found + 1, at
end
eq(found, 1, "one minute sample in the interval")
eq(when >= t0 and when <= t1, true, "the value is the sample's time")
eq(ntop.getMinuteSampling(0, when), doc, "the sample of that minute")
eq(ntop.getMinuteSampling(0, when - 3600), nil, "no sample an hour before")

eq(ntop.getMinuteSamplingsFromEpoch(0, t0)[doc], when, "from epoch on (the spec)")
eq(t.count(ntop.getMinuteSamplingsFromEpoch(0, t1 + 1)), 0, "nothing after")
eq(ntop.getMinuteSamplingsFromEpoch(0, t1 + 120, 5)[doc], when, "ntopng's (end, minutes)")
eq(t.count(ntop.getMinuteSamplingsFromEpoch(0, t0 - 600, 5)), 0, "ntopng's window before it")

local hours = ntop.getHourSamplingsFromEpoch(0, t0 - 60)
eq(hours["hour sample"] ~= nil, true, "hour sample")
eq(hours["hour sample"] % 60, 0, "hour samples keyed to the minute")
eq(ntop.getDaySamplingsFromEpoch(0, t0 - 60)["day sample"] ~= nil, true, "day sample")
eq(ntop.getDaySamplingsFromEpoch(0, t1 + 120, 1)["day sample"] ~= nil, true, "ntopng's form")
eq(t.count(ntop.getMinuteSamplingsInterval(0, t1 + 60, t1 + 120)), 0, "empty interval")

-- An unknown interface: nil, logged.
eq(ntop.getMinuteSampling(99, t0), nil, "unknown ifid")
eq(ntop.getMinuteSamplingsInterval(99, t0, t1), nil, "unknown ifid")
eq(select("#", ntop.insertMinuteSampling(99, "x")), 0, "insert into an unknown ifid logs")

-- Deletion keeps what is newer than the cut (this test's samples are from now).
ntop.deleteMinuteStatsOlderThan(0, 1)
ntop.deleteHourStatsOlderThan(0, 1)
ntop.deleteDayStatsOlderThan(0, 1)
eq(ntop.getMinuteSampling(0, when), doc, "a day's retention keeps this minute")
t.expect_error_ignoring_position("ntop.deleteDayStatsOlderThan: argument #2 (days) must not be negative",
                                 ntop.deleteDayStatsOlderThan, 0, -1)
t.expect_error_ignoring_position("ntop.insertMinuteSampling: argument #2 (data) expected string, got no value",
                                 ntop.insertMinuteSampling, 0)
