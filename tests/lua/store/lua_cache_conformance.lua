-- Spec section 32 (In-Memory Lua Cache): getLuaCache setLuaCache dumpLuaCache. Values are kept
-- by value (nil, booleans, integers, floats, strings, tables of them); functions and other
-- non-data values are refused with an argument error. Starts from an empty cache.
-- Run by tests/unit/store/lua_conformance_test.cc; a failed check raises an error.

local t = require("testing")
local eq, expect_error, count = t.eq, t.expect_error, t.count

eq(ntop.getLuaCache("missing"), nil, "getLuaCache of a missing key")
eq(count(ntop.dumpLuaCache()), 0, "the cache starts empty")

-- ############################################################################
-- scalar kinds keep their type

eq(select("#", ntop.setLuaCache("s", "str")), 0, "setLuaCache returns nothing")
eq(ntop.getLuaCache("s"), "str", "a string")
ntop.setLuaCache("i", 42)
eq(ntop.getLuaCache("i"), 42, "an integer")
eq(math.type(ntop.getLuaCache("i")), "integer", "an integer stays an integer")
ntop.setLuaCache("f", 2.5)
eq(ntop.getLuaCache("f"), 2.5, "a float")
ntop.setLuaCache("f1", 1.0)
eq(math.type(ntop.getLuaCache("f1")), "float", "1.0 stays a float")
ntop.setLuaCache("maxi", math.maxinteger)
eq(ntop.getLuaCache("maxi"), math.maxinteger, "math.maxinteger")
ntop.setLuaCache("mini", math.mininteger)
eq(ntop.getLuaCache("mini"), math.mininteger, "math.mininteger")
ntop.setLuaCache("inf", -math.huge)
eq(ntop.getLuaCache("inf"), -math.huge, "-inf")
ntop.setLuaCache("nan", 0 / 0)
local nan = ntop.getLuaCache("nan")
assert(type(nan) == "number" and nan ~= nan, "NaN")
ntop.setLuaCache("yes", true)
eq(ntop.getLuaCache("yes"), true, "true")
ntop.setLuaCache("no", false)
eq(ntop.getLuaCache("no"), false, "false is a value, not nil")
ntop.setLuaCache("empty", "")
eq(ntop.getLuaCache("empty"), "", "the empty string")
ntop.setLuaCache("", "empty key")
eq(ntop.getLuaCache(""), "empty key", "the empty key")
ntop.setLuaCache(123, "number key")
eq(ntop.getLuaCache("123"), "number key", "a number key is its text")
eq(ntop.getLuaCache(123), "number key", "a number key is its text")

-- ############################################################################
-- tables are copied in and out

local orig = {
   a = 1, s = "x\0y", list = {1, 2, 3}, nested = {b = 2, deeper = {c = "x"}},
   [10] = "ten", [2.5] = "float key", [true] = "bool key", flag = false,
}
ntop.setLuaCache("tbl", orig)
orig.a = 99
orig.nested.b = 99
orig.nested.deeper.c = "changed"
orig.list[1] = 99
orig.added = "new"
local got = ntop.getLuaCache("tbl")
eq(type(got), "table", "a table")
eq(got.a, 1, "mutating the original after setLuaCache does not change the cached copy")
eq(got.nested.b, 2, "nested tables are copied too")
eq(got.nested.deeper.c, "x", "deeply nested tables are copied too")
eq(got.list[1], 1, "array part copied")
eq(#got.list, 3, "array length")
eq(got.added, nil, "a key added later is not in the copy")
eq(got.s, "x\0y", "NUL bytes in a table value")
eq(got[10], "ten", "integer keys")
for k, v in pairs(got) do
   if v == "ten" then eq(math.type(k), "integer", "an integer key stays an integer") end
end
eq(got[2.5], "float key", "float keys")
eq(got[true], "bool key", "boolean keys")
eq(got.flag, false, "false values inside tables")
got.a = 7
got.nested.b = 7
eq(ntop.getLuaCache("tbl").a, 1, "mutating a copy read from the cache does not change it")
eq(ntop.getLuaCache("tbl").nested.b, 2, "nor its nested tables")
assert(ntop.getLuaCache("tbl") ~= ntop.getLuaCache("tbl"), "each read is a fresh copy")
local shared = {v = 1}
ntop.setLuaCache("aliases", {one = shared, two = shared})
local al = ntop.getLuaCache("aliases")
eq(al.one.v, 1, "a table referenced twice")
eq(al.two.v, 1, "a table referenced twice")
ntop.setLuaCache("empty_table", {})
local et = ntop.getLuaCache("empty_table")
eq(type(et), "table", "an empty table is a table, not nil")
eq(next(et), nil, "an empty table stays empty")
local deep = {}
local cur = deep
for _ = 1, 10 do cur.next = {}; cur = cur.next end
cur.leaf = "bottom"
ntop.setLuaCache("deep", deep)
local d = ntop.getLuaCache("deep")
for _ = 1, 10 do d = d.next end
eq(d.leaf, "bottom", "10 levels of nesting")

-- ############################################################################
-- values that cannot be cached: an argument error, and the old value stays

ntop.setLuaCache("keep", "old")
local fn_error = "ntop.setLuaCache: argument #2 (value): cannot cache a function"
expect_error(fn_error, ntop.setLuaCache, "keep", function() end)
expect_error(fn_error, ntop.setLuaCache, "keep", print)
expect_error(fn_error, ntop.setLuaCache, "keep", {ok = 1, bad = function() end})
expect_error(fn_error, ntop.setLuaCache, "keep", {nested = {deeper = {print}}})
expect_error("ntop.setLuaCache: argument #2 (value): cannot cache a thread",
             ntop.setLuaCache, "keep", coroutine.create(function() end))
expect_error("ntop.setLuaCache: argument #2 (value): cannot cache a userdata",
             ntop.setLuaCache, "keep", io.stdout)
local cycle = {}
cycle.self = cycle
expect_error("ntop.setLuaCache: argument #2 (value): table nested too deeply (or a cycle)",
             ntop.setLuaCache, "keep", cycle)
eq(ntop.getLuaCache("keep"), "old", "a refused value leaves the old one")
expect_error(fn_error, ntop.setLuaCache, "fresh", function() end)
eq(ntop.getLuaCache("fresh"), nil, "a refused value creates nothing")

-- nil erases
eq(select("#", ntop.setLuaCache("keep", nil)), 0, "setLuaCache(key, nil) returns nothing")
eq(ntop.getLuaCache("keep"), nil, "setLuaCache(key, nil) erases")
ntop.setLuaCache("keep2", "v")
ntop.setLuaCache("keep2")
eq(ntop.getLuaCache("keep2"), nil, "setLuaCache(key) erases")

-- argument errors
expect_error("ntop.getLuaCache: argument #1 (key) expected string, got nil", ntop.getLuaCache, nil)
expect_error("ntop.getLuaCache: argument #1 (key) expected string, got table",
             ntop.getLuaCache, {})
expect_error("ntop.setLuaCache: argument #1 (key) expected string, got no value",
             ntop.setLuaCache)
expect_error("ntop.setLuaCache: argument #3 (ttl) expected integer (got a fraction), got number",
             ntop.setLuaCache, "k", "v", 1.5)
eq(ntop.getLuaCache("k"), nil, "a refused TTL writes nothing")

-- ############################################################################
-- NUL bytes, non-ASCII keys, 1 MB values

ntop.setLuaCache("nul\0key", "v\0al")
eq(ntop.getLuaCache("nul\0key"), "v\0al", "NUL bytes in keys and values")
eq(ntop.getLuaCache("nul"), nil, "a key is not cut at its NUL")
ntop.setLuaCache("ключ", {["значение"] = "键"})
eq(ntop.getLuaCache("ключ")["значение"], "键", "non-ASCII keys and values")
local big = string.rep("0123456789abcdef", 65536)
ntop.setLuaCache("big", big)
assert(ntop.getLuaCache("big") == big, "a 1 MB string")
ntop.setLuaCache("big_table", {payload = big, n = 1})
assert(ntop.getLuaCache("big_table").payload == big, "a 1 MB string in a table")

-- ############################################################################
-- TTLs: 0 = none, negative = argument error, huge = very long, 1 s observed to expire

expect_error("ntop.setLuaCache: argument #3 (ttl) must be >= 0", ntop.setLuaCache, "neg", "v", -1)
eq(ntop.getLuaCache("neg"), nil, "a refused TTL writes nothing")
ntop.setLuaCache("ttl0", "v", 0)
ntop.setLuaCache("ttl1", {v = 1}, 1)
ntop.setLuaCache("ttl_reset", "v", 1)
ntop.setLuaCache("ttl_reset", "v2")  -- a new set without TTL replaces the entry
ntop.setLuaCache("ttl_100y", "v", 100 * 365 * 86400)
eq(ntop.getLuaCache("ttl1").v, 1, "a value with a TTL before it expires")
eq(ntop.getLuaCache("ttl_100y"), "v", "a 100-year TTL")
ntop.msleep(1200)
eq(ntop.getLuaCache("ttl1"), nil, "a 1 s TTL has expired after 1.2 s")
eq(ntop.getLuaCache("ttl0"), "v", "TTL 0 never expires")
eq(ntop.getLuaCache("ttl_reset"), "v2", "the entry set again without a TTL stays")
eq(ntop.getLuaCache("ttl_100y"), "v", "a 100-year TTL")

-- ############################################################################
-- dumpLuaCache: every live entry, by value

local dump = ntop.dumpLuaCache()
eq(dump.s, "str", "dumpLuaCache string")
eq(dump.i, 42, "dumpLuaCache integer")
eq(dump.no, false, "dumpLuaCache false")
eq(dump.tbl.a, 1, "dumpLuaCache table")
eq(dump.tbl.nested.deeper.c, "x", "dumpLuaCache nested table")
eq(dump["nul\0key"], "v\0al", "dumpLuaCache NUL key")
eq(dump.ttl1, nil, "dumpLuaCache leaves out expired entries")
eq(dump.keep, nil, "dumpLuaCache leaves out erased entries")
eq(dump.ttl0, "v", "dumpLuaCache entry without TTL")
dump.s = "changed"
eq(ntop.getLuaCache("s"), "str", "the dump is a copy")

-- ############################################################################
-- TTLs beyond what a clock can add: very long, not already past

ntop.setLuaCache("ttl_1e10", "v", 10000000000)
eq(ntop.getLuaCache("ttl_1e10"), "v", "a TTL of 1e10 s is very long, not already past")
ntop.setLuaCache("ttl_huge", "v", math.maxinteger)
eq(ntop.getLuaCache("ttl_huge"), "v", "a TTL of math.maxinteger is very long, not already past")
eq(ntop.dumpLuaCache().ttl_huge, "v", "dumpLuaCache lists a value with a huge TTL")

print("lua_cache_conformance: ok")
