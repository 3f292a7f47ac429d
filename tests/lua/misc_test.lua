-- Spec section 33: Miscellaneous (msleep, md5, getservbyport, getTLSVersionName, getMac64,
-- decodeMac64, isDeadlineApproaching, getDeadline). The exec functions have their own files.

local t = require("testing")
local expect_error = t.expect_error

-- ############################################################################
-- msleep

local before = ntop.gettimemsec()
assert(select("#", ntop.msleep(50)) == 0, "msleep returns nothing")
local slept = ntop.gettimemsec() - before
assert(slept >= 49 and slept < 5000, "msleep(50) sleeps 50 ms: " .. slept)
before = ntop.gettimemsec()
ntop.msleep(0)
ntop.msleep(-100)  -- negative: no sleep
assert(ntop.gettimemsec() - before < 1000, "msleep(0) and msleep(-100) return at once")
expect_error("ntop.msleep: argument #1 (ms) expected integer, got string", ntop.msleep, "10ms")
expect_error("ntop.msleep: argument #1 (ms) expected integer (got a fraction), got number",
             ntop.msleep, 0.5)

-- ############################################################################
-- md5 (RFC 1321 test suite, and binary data)

local vectors = {
   [""] = "d41d8cd98f00b204e9800998ecf8427e",
   ["a"] = "0cc175b9c0f1b6a831c399e269772661",
   ["abc"] = "900150983cd24fb0d6963f7d28e17f72",
   ["message digest"] = "f96b697d7cb7938d525a2f31aaf161d0",
   ["abcdefghijklmnopqrstuvwxyz"] = "c3fcd3d76192e4007dfb496cca67e13b",
   ["The quick brown fox jumps over the lazy dog"] = "9e107d9d372bb6826bd81d3542a419d6",
   ["12345678901234567890123456789012345678901234567890123456789012345678901234567890"] =
      "57edf4a22be3c955ac49da2e2107b67a",
   ["\0"] = "93b885adfe0da089cdf634904fd59f71",
}
for input, digest in pairs(vectors) do
   local got = ntop.md5(input)
   assert(got == digest, "md5(" .. string.format("%q", input) .. ") = " .. tostring(got))
end
assert(ntop.md5(123) == ntop.md5("123"), "a number is hashed as its text")
assert(ntop.md5(string.rep("x", 1000000)) == ntop.md5(string.rep("x", 1000000)),
       "large input is deterministic")
expect_error("ntop.md5: argument #1 (data) expected string, got nil", ntop.md5, nil)
expect_error("ntop.md5: argument #1 (data) expected string, got table", ntop.md5, {})

-- ############################################################################
-- getservbyport (/etc/services)

assert(ntop.getservbyport(80, "tcp") == "http", "80/tcp is http: " .. ntop.getservbyport(80, "tcp"))
assert(ntop.getservbyport(22) == "ssh", "the protocol defaults to tcp")
assert(ntop.getservbyport(22, "tcp") == "ssh", "22/tcp is ssh")
assert(ntop.getservbyport(443, "tcp") == "https", "443/tcp is https")
assert(ntop.getservbyport(53, "udp") == "domain", "53/udp is domain")
assert(ntop.getservbyport(65535, "tcp") == "65535", "an unnamed port gives its number")
assert(ntop.getservbyport(80, "nosuchproto") == "80", "an unknown protocol gives the number")
assert(ntop.getservbyport(70000, "tcp") == "70000", "out of range: the number")
assert(ntop.getservbyport(-1, "tcp") == "-1", "negative: the number")
expect_error("ntop.getservbyport: argument #1 (port) expected integer, got nil",
             ntop.getservbyport, nil, "tcp")
expect_error("ntop.getservbyport: argument #2 (proto) expected string, got table",
             ntop.getservbyport, 80, {})

-- ############################################################################
-- getTLSVersionName (nDPI's names)

local tls = {
   [0x0300] = "SSLv3", [0x0301] = "TLSv1", [0x0302] = "TLSv1.1", [0x0303] = "TLSv1.2",
   [0x0304] = "TLSv1.3", [0xFB1A] = "TLSv1.3 (Fizz)", [0xFEFF] = "DTLSv1.0",
   [0xFEFD] = "DTLSv1.2", [0xFEFC] = "DTLSv1.3",
   [0x0A0A] = "GREASE", [0x1A1A] = "GREASE", [0xFAFA] = "GREASE",
   [0x1234] = "TLS (1234)", [0x0A1A] = "TLS (0A1A)",
}
for id, name in pairs(tls) do
   local got = ntop.getTLSVersionName(id)
   assert(got == name, string.format("getTLSVersionName(0x%04X) = %s, expected %s", id,
                                     tostring(got), name))
end
expect_error("ntop.getTLSVersionName: argument #1 (id) expected integer, got string",
             ntop.getTLSVersionName, "TLSv1.3")

-- ############################################################################
-- getMac64, decodeMac64

assert(ntop.getMac64("aa:bb:cc:dd:ee:ff") == "AA:BB:CC:FF:FE:DD:EE:FF",
       "getMac64: " .. tostring(ntop.getMac64("aa:bb:cc:dd:ee:ff")))
assert(ntop.getMac64("00:11:22:33:44:55") == "00:11:22:FF:FE:33:44:55", "getMac64 of 00:11:...")
assert(ntop.getMac64("AA-BB-CC-DD-EE-FF") == "AA:BB:CC:FF:FE:DD:EE:FF", "dashes are accepted")
assert(ntop.decodeMac64("AA:BB:CC:FF:FE:DD:EE:FF") == "AA:BB:CC:DD:EE:FF", "decodeMac64")
assert(ntop.decodeMac64(ntop.getMac64("aa:bb:cc:dd:ee:ff")) == "AA:BB:CC:DD:EE:FF", "round trip")
assert(ntop.decodeMac64("aa:bb:cc:ff:fe:dd:ee:ff") == "AA:BB:CC:DD:EE:FF", "lower case accepted")

for _, bad in ipairs({ "", "aa:bb:cc:dd:ee", "aa:bb:cc:dd:ee:ff:00", "zz:bb:cc:dd:ee:ff",
                       "aa:bb:cc:dd:ee:f", "aabbccddeeff", "aa.bb.cc.dd.ee.ff", "aa:bb:cc:dd:ee:ff " }) do
   assert(ntop.getMac64(bad) == nil, "getMac64 of an invalid MAC is nil: '" .. bad .. "'")
end
assert(select("#", ntop.getMac64("nope")) == 1, "getMac64 returns one nil")
for _, bad in ipairs({ "", "AA:BB:CC:DD:EE:FF", "AA:BB:CC:00:00:DD:EE:FF", "AA:BB:CC:FE:FF:DD:EE:FF",
                       "GG:BB:CC:FF:FE:DD:EE:FF" }) do
   assert(ntop.decodeMac64(bad) == nil, "decodeMac64 of a non-MAC EUI-64 is nil: '" .. bad .. "'")
end
expect_error("ntop.getMac64: argument #1 (mac) expected string, got nil", ntop.getMac64, nil)
expect_error("ntop.decodeMac64: argument #1 (mac64) expected string, got boolean",
             ntop.decodeMac64, true)

-- ############################################################################
-- isDeadlineApproaching, getDeadline (default --lua-timeout: 30 s; see misc_deadline_test.lua)

assert(ntop.isDeadlineApproaching() == false, "30 s left: the deadline is not approaching")
local deadline = ntop.getDeadline()
assert(math.type(deadline) == "integer", "getDeadline is an integer")
assert(deadline > os.time(), "the deadline is in the future: " .. deadline .. " vs " .. os.time())
assert(deadline <= os.time() + 30, "and at most the 30 s time limit away")

-- Offline mode (isOffline, isForcedOffline, setOffline, setOnline): the runner acts as admin.
t.eq(ntop.isForcedOffline(), false, "not forced (no --offline)")
t.eq(ntop.isOffline(), false, "online at start")
ntop.setOffline()
t.eq(ntop.isOffline(), true, "offline")
t.eq(ntop.isForcedOffline(), false, "still not forced")
ntop.setOnline()
t.eq(ntop.isOffline(), false, "online again")
