-- Spec section 5 (Redis / Cache): every function, on the backend named by _GET.backend
-- ("embedded" or "redis"), starting from an empty store. Run by
-- tests/unit/store/lua_conformance_test.cc; a failed check raises an error.
-- Failures of the operation itself (wrong type, missing key) return nil/false and log;
-- wrong arguments raise "ntop.<fn>: argument #n (name) ...".

local t = require("testing")
local eq, expect_error, count = t.eq, t.expect_error, t.count

local backend = _GET.backend
assert(backend == "embedded" or backend == "redis", "_GET.backend: " .. tostring(backend))

-- The names of a {name = true} table, sorted and joined; every value must be true.
local function names(set)
   assert(type(set) == "table", "expected a table, got " .. type(set))
   local out = {}
   for k, v in pairs(set) do
      assert(v == true, "name " .. k .. " maps to " .. tostring(v))
      out[#out + 1] = k
   end
   table.sort(out)
   return table.concat(out, ",")
end

-- An array joined (in its order, or sorted).
local function joined(list, sort)
   assert(type(list) == "table", "expected a table, got " .. type(list))
   local copy = {}
   for i, v in ipairs(list) do copy[i] = v end
   assert(#copy == count(list), "not an array")
   if sort then table.sort(copy) end
   return table.concat(copy, ",")
end

-- Number of values f(...) returns.
local function nret(f, ...) return select("#", f(...)) end

local all_counters = {
   "num_get", "num_set", "num_setnx", "num_del", "num_rename", "num_incr", "num_flush",
   "num_keys", "num_dump", "num_restore", "num_hget", "num_hset", "num_hdel", "num_hkeys",
   "num_hgetall", "num_lpush", "num_rpush", "num_lpop", "num_rpop", "num_lrem", "num_ltrim",
   "num_lrange", "num_llen", "num_lindex", "num_sadd", "num_srem", "num_smembers",
}

-- Runs f and requires each counter of getCacheStats() to grow by want[name] (0 if absent).
local function counted(want, f)
   local before = ntop.getCacheStats()
   f()
   local after = ntop.getCacheStats()
   for _, name in ipairs(all_counters) do
      eq(after[name] - before[name], want[name] or 0, "getCacheStats()." .. name .. " increase")
   end
end

-- ############################################################################
-- getCacheStatus / getCacheStats on the empty store

local st = ntop.getCacheStatus()
eq(st.backend, backend, "getCacheStatus().backend")
eq(st.connected, true, "getCacheStatus().connected")
eq(st.health, "green", "getCacheStatus().health")
eq(st.dbsize, 0, "getCacheStatus().dbsize of an empty store")
eq(math.type(st.memory), "integer", "getCacheStatus().memory")
assert(type(st.version) == "string" and #st.version > 0, "getCacheStatus().version")
assert(type(st.location) == "string" and #st.location > 0, "getCacheStatus().location")
eq(math.type(st.reconnects), "integer", "getCacheStatus().reconnects")
eq(type(st.last_error), "string", "getCacheStatus().last_error")

local stats = ntop.getCacheStats()
for _, name in ipairs(all_counters) do
   eq(math.type(stats[name]), "integer", "getCacheStats()." .. name)
   assert(stats[name] >= 0, name)
end

-- ############################################################################
-- strings: getCache setCache setnxCache delCache renameCache incrCache

eq(ntop.getCache("missing"), nil, "getCache of a missing key")
eq(nret(ntop.setCache, "k", "v"), 0, "setCache returns nothing")
eq(ntop.getCache("k"), "v", "getCache")
ntop.setCache("k", "v2")
eq(ntop.getCache("k"), "v2", "setCache overwrites")
ntop.setCache("num", 42)  -- numbers are taken as their text, keys and values alike
eq(ntop.getCache("num"), "42", "setCache of a number value")
ntop.setCache(7, "seven")
eq(ntop.getCache("7"), "seven", "setCache with a number key")

eq(ntop.setnxCache("nx", "first"), true, "setnxCache of an absent key")
eq(ntop.setnxCache("nx", "second"), false, "setnxCache of a present key")
eq(ntop.getCache("nx"), "first", "setnxCache keeps the value")

eq(nret(ntop.delCache, "nx"), 0, "delCache returns nothing")
eq(ntop.getCache("nx"), nil, "delCache")
ntop.delCache("never-existed")

eq(nret(ntop.renameCache, "k", "k.renamed"), 0, "renameCache returns nothing")
eq(ntop.getCache("k"), nil, "renameCache removes the old name")
eq(ntop.getCache("k.renamed"), "v2", "renameCache")
ntop.setCache("target", "old")
ntop.renameCache("k.renamed", "target")
eq(ntop.getCache("target"), "v2", "renameCache overwrites the target")
-- A missing source fails: nothing raised, nothing changed.
eq(nret(ntop.renameCache, "no-such-key", "target"), 0, "renameCache of a missing key")
eq(ntop.getCache("target"), "v2", "a failed renameCache leaves the target")

eq(ntop.incrCache("counter"), 1, "incrCache of a missing key")
eq(math.type(ntop.incrCache("counter")), "integer", "incrCache returns an integer")
eq(ntop.incrCache("counter", 10), 12, "incrCache by n")
eq(ntop.incrCache("counter", -20), -8, "incrCache by a negative n")
eq(ntop.getCache("counter"), "-8", "the counter is a string")
ntop.setCache("text", "abc")
eq(ntop.incrCache("text"), nil, "incrCache of a non-integer")
eq(ntop.getCache("text"), "abc", "a failed incrCache leaves the value")
ntop.setCache("max", tostring(math.maxinteger))
eq(ntop.incrCache("max"), nil, "incrCache overflow")
eq(ntop.getCache("max"), tostring(math.maxinteger), "overflow leaves the value")
expect_error("ntop.incrCache: argument #2 (n) expected integer (got a fraction), got number",
             ntop.incrCache, "counter", 1.5)
eq(ntop.getCache("counter"), "-8", "a refused incrCache leaves the value")

-- ############################################################################
-- argument errors

expect_error("ntop.getCache: argument #1 (key) expected string, got no value", ntop.getCache)
expect_error("ntop.getCache: argument #1 (key) expected string, got nil", ntop.getCache, nil)
expect_error("ntop.setCache: argument #2 (value) expected string, got no value", ntop.setCache, "k")
expect_error("ntop.setCache: argument #2 (value) expected string, got nil", ntop.setCache, "k", nil)
expect_error("ntop.setCache: argument #2 (value) expected string, got table",
             ntop.setCache, "k", {})
expect_error("ntop.setCache: argument #3 (ttl) expected integer, got string",
             ntop.setCache, "k", "v", "ten")
expect_error("ntop.setnxCache: argument #2 (value) expected string, got boolean",
             ntop.setnxCache, "k", true)
expect_error("ntop.renameCache: argument #2 (new) expected string, got no value",
             ntop.renameCache, "k")
expect_error("ntop.ltrimCache: argument #3 (stop) expected integer, got no value",
             ntop.ltrimCache, "l", 0)
expect_error("ntop.listIndexCache: argument #2 (idx) expected integer, got no value",
             ntop.listIndexCache, "l")
expect_error("ntop.setHashCache: argument #3 (value) expected string, got nil",
             ntop.setHashCache, "h", "f", nil)
expect_error("ntop.getKeysCache: argument #1 (pattern) expected string, got no value",
             ntop.getKeysCache)

-- ############################################################################
-- TTLs: 0 = none, negative = argument error, huge = clamped, 1 s observed to expire

expect_error("ntop.setCache: argument #3 (ttl) must be >= 0", ntop.setCache, "neg", "v", -1)
eq(ntop.getCache("neg"), nil, "a refused setCache writes nothing")
ntop.setCache("ttl0", "v", 0)
ntop.setCache("ttl1", "v", 1)
ntop.setCache("ttl_reset", "v", 1)
ntop.setCache("ttl_reset", "v2")  -- a plain set drops the TTL
ntop.setCache("ttl_huge", "v", math.maxinteger)
ntop.setCache("ttl_100y", "v", 100 * 365 * 86400 + 1)
ntop.setCache("ttl_float", "v", 1e12)
eq(ntop.getCache("ttl1"), "v", "a key with a TTL before it expires")
eq(ntop.getCache("ttl_huge"), "v", "a huge TTL is clamped, not refused")
eq(ntop.getCache("ttl_100y"), "v", "a TTL past 100 years")
eq(ntop.getCache("ttl_float"), "v", "an integral float TTL")
ntop.msleep(1200)
eq(ntop.getCache("ttl1"), nil, "a 1 s TTL has expired after 1.2 s")
eq(ntop.getKeysCache("ttl1")["ttl1"], nil, "an expired key is not listed")
eq(ntop.hasDumpCache("ttl1"), false, "an expired key has no dump")
eq(ntop.getCache("ttl0"), "v", "TTL 0 never expires")
eq(ntop.getCache("ttl_reset"), "v2", "setCache without a TTL made the key persistent")
eq(ntop.getCache("ttl_huge"), "v", "a huge TTL")

-- ############################################################################
-- empty strings, NUL bytes, 1 MB values, non-ASCII keys

ntop.setCache("empty", "")
eq(ntop.getCache("empty"), "", "an empty value is not nil")
ntop.setCache("", "empty key")
eq(ntop.getCache(""), "empty key", "the empty key")
eq(names(ntop.getKeysCache("")), "", "the pattern '' matches the empty key")
eq(count(ntop.getKeysCache("")), 1, "the pattern '' matches the empty key only")

local nul_key, nul_value = "nul\0key", "\0v\0a\0l\0"
ntop.setCache(nul_key, nul_value)
eq(ntop.getCache(nul_key), nul_value, "NUL bytes in keys and values")
eq(#ntop.getCache(nul_key), 7, "NUL bytes are not truncated")
eq(ntop.getCache("nul"), nil, "a key is not cut at its NUL")
assert(ntop.getKeysCache("nul?key")[nul_key], "getKeysCache lists a key with a NUL")

local bytes = {}
for i = 0, 255 do bytes[#bytes + 1] = string.char(i) end
local big = string.rep(table.concat(bytes), 4096)
eq(#big, 1048576, "1 MB")
ntop.setCache("big", big)
assert(ntop.getCache("big") == big, "a 1 MB value with every byte value")
ntop.setHashCache("big.hash", "f", big)
assert(ntop.getHashCache("big.hash", "f") == big, "a 1 MB hash value")
ntop.rpushCache("big.list", big)
assert(ntop.lpopCache("big.list") == big, "a 1 MB list element")
local big_dump = ntop.dumpCache("big")
eq(ntop.restoreCache("big.copy", big_dump), true, "restoreCache of a 1 MB dump")
assert(ntop.getCache("big.copy") == big, "a 1 MB value restored")
ntop.delCache("big.copy")

for _, k in ipairs({"clé", "ключ", "键", "emoji.😀"}) do
   ntop.setCache(k, "value of " .. k)
   eq(ntop.getCache(k), "value of " .. k, "non-ASCII key " .. k)
end
eq(names(ntop.getKeysCache("cl?")), "", "'?' is one byte, é two")
eq(names(ntop.getKeysCache("cl??")), "clé", "'??' covers é")
eq(names(ntop.getKeysCache("emoji.*")), "emoji.😀", "a 4-byte character")

-- ############################################################################
-- getKeysCache with glob special characters: * ? [a-c] [^a] \* \? \[

for _, k in ipairs({"g.a*b", "g.axb", "g.a?b", "g.[x]", "g.a", "g.b", "g.c", "g.d"}) do
   ntop.setCache(k, "1")
end
eq(names(ntop.getKeysCache("g.*")), "g.[x],g.a,g.a*b,g.a?b,g.axb,g.b,g.c,g.d", "g.*")
eq(names(ntop.getKeysCache("g.?")), "g.a,g.b,g.c,g.d", "g.?")
eq(names(ntop.getKeysCache("g.[a-c]")), "g.a,g.b,g.c", "g.[a-c]")
eq(names(ntop.getKeysCache("g.[^a]")), "g.b,g.c,g.d", "g.[^a]")
eq(names(ntop.getKeysCache("g.a*b")), "g.a*b,g.a?b,g.axb", "g.a*b")
eq(names(ntop.getKeysCache("g.a\\*b")), "g.a*b", "g.a\\*b: an escaped star")
eq(names(ntop.getKeysCache("g.a\\?b")), "g.a?b", "g.a\\?b: an escaped question mark")
eq(names(ntop.getKeysCache("g.\\[x\\]")), "g.[x]", "escaped brackets")
eq(names(ntop.getKeysCache("nothing.*")), "", "no match: an empty table, not nil")

-- ############################################################################
-- hasDumpCache dumpCache restoreCache

ntop.setCache("d.s", "dump me\0")
eq(ntop.hasDumpCache("d.s"), true, "hasDumpCache of a present key")
eq(ntop.hasDumpCache("d.missing"), false, "hasDumpCache of a missing key")
local d = ntop.dumpCache("d.s")
assert(type(d) == "string" and #d > 0, "dumpCache returns a string")
eq(ntop.dumpCache("d.missing"), nil, "dumpCache of a missing key")
eq(ntop.restoreCache("d.s2", d), true, "restoreCache")
eq(ntop.getCache("d.s2"), "dump me\0", "the restored value")
ntop.setCache("d.s2", "overwritten")
eq(ntop.restoreCache("d.s2", d), true, "restoreCache replaces an existing key")
eq(ntop.getCache("d.s2"), "dump me\0", "the replaced value")
ntop.setHashCache("d.h", "f1", "v1")
ntop.setHashCache("d.h", "f2", "")
eq(ntop.restoreCache("d.h2", ntop.dumpCache("d.h")), true, "restoreCache of a hash")
eq(ntop.getHashCache("d.h2", "f1"), "v1", "a restored hash")
eq(ntop.getHashCache("d.h2", "f2"), "", "a restored hash keeps empty values")
for _, garbage in ipairs({"", "garbage", string.rep("\255", 64), d:sub(1, #d - 1)}) do
   eq(ntop.restoreCache("d.bad", garbage), false, "restoreCache of garbage")
   eq(ntop.restoreCache("d.s", garbage), false, "restoreCache of garbage over a key")
end
eq(ntop.hasDumpCache("d.bad"), false, "a failed restore creates nothing")
eq(ntop.getCache("d.s"), "dump me\0", "a failed restore leaves the key")

-- ############################################################################
-- hashes: getHashCache setHashCache delHashCache getHashKeysCache getHashAllCache

eq(ntop.getHashCache("h", "f"), nil, "getHashCache of a missing key")
eq(nret(ntop.setHashCache, "h", "f1", "v1"), 0, "setHashCache returns nothing")
ntop.setHashCache("h", "f2", "v2")
ntop.setHashCache("h", "", "empty field")
ntop.setHashCache("h", "f\0nul", "v\0nul")
ntop.setHashCache("h", "f1", "v1b")
eq(ntop.getHashCache("h", "f1"), "v1b", "setHashCache overwrites")
eq(ntop.getHashCache("h", "nope"), nil, "a missing field")
eq(ntop.getHashCache("h", "f\0nul"), "v\0nul", "NUL bytes in fields")
eq(names(ntop.getHashKeysCache("h")), ",f\0nul,f1,f2", "getHashKeysCache: {field = true}")
local h = ntop.getHashAllCache("h")
eq(count(h), 4, "getHashAllCache size")
eq(h.f1, "v1b", "getHashAllCache")
eq(h[""], "empty field", "getHashAllCache with the empty field")
eq(count(ntop.getHashKeysCache("missing.h")), 0, "getHashKeysCache of a missing key")
eq(count(ntop.getHashAllCache("missing.h")), 0, "getHashAllCache of a missing key")
eq(nret(ntop.delHashCache, "h", "f1"), 0, "delHashCache returns nothing")
ntop.delHashCache("h", "not-a-field")
ntop.delHashCache("missing.h", "f")
eq(ntop.getHashCache("h", "f1"), nil, "delHashCache")
for _, f in ipairs({"f2", "", "f\0nul"}) do ntop.delHashCache("h", f) end
eq(ntop.getKeysCache("h")["h"], nil, "deleting the last field deletes the hash")
ntop.setHashCache("ntopng.user.admin", "language", "it")  -- the spec's example
eq(ntop.getHashCache("ntopng.user.admin", "language"), "it", "the spec's example")

-- ############################################################################
-- lists: lpushCache rpushCache lpopCache rpopCache lremCache ltrimCache lrangeCache
--        llenCache listIndexCache

eq(ntop.llenCache("l"), 0, "llenCache of a missing key")
eq(ntop.lpopCache("l"), nil, "lpopCache of a missing key")
eq(ntop.rpopCache("l"), nil, "rpopCache of a missing key")
eq(joined(ntop.lrangeCache("l", 0, -1)), "", "lrangeCache of a missing key")
eq(nret(ntop.rpushCache, "l", "b"), 0, "rpushCache returns nothing")
eq(nret(ntop.lpushCache, "l", "a"), 0, "lpushCache returns nothing")
ntop.rpushCache("l", "c")
ntop.rpushCache("l", "")
eq(ntop.llenCache("l"), 4, "llenCache")
eq(math.type(ntop.llenCache("l")), "integer", "llenCache is an integer")
eq(joined(ntop.lrangeCache("l", 0, -1)), "a,b,c,", "lrangeCache 0 -1")
eq(joined(ntop.lrangeCache("l")), "a,b,c,", "lrangeCache defaults to the whole list")
eq(joined(ntop.lrangeCache("l", 1, 2)), "b,c", "lrangeCache 1 2")
eq(joined(ntop.lrangeCache("l", -3, -2)), "b,c", "lrangeCache -3 -2")
eq(joined(ntop.lrangeCache("l", 2, 100)), "c,", "lrangeCache past the end")
eq(joined(ntop.lrangeCache("l", 3, 1)), "", "lrangeCache start > stop")
eq(joined(ntop.lrangeCache("l", 10, 20)), "", "lrangeCache out of range")
eq(ntop.listIndexCache("l", 0), "a", "listIndexCache 0")
eq(ntop.listIndexCache("l", -1), "", "listIndexCache -1")
eq(ntop.listIndexCache("l", -4), "a", "listIndexCache -4")
eq(ntop.listIndexCache("l", 4), nil, "listIndexCache past the end")
eq(ntop.listIndexCache("l", -5), nil, "listIndexCache before the start")
eq(ntop.listIndexCache("missing.l", 0), nil, "listIndexCache of a missing key")
eq(ntop.lpopCache("l"), "a", "lpopCache")
eq(ntop.rpopCache("l"), "", "rpopCache")
eq(joined(ntop.lrangeCache("l", 0, -1)), "b,c", "after the pops")

local function fill(key, items)
   ntop.delCache(key)
   for _, v in ipairs(items) do ntop.rpushCache(key, v) end
end
local base = {"a", "b", "a", "c", "a", "b", "a"}
fill("r", base)
eq(nret(ntop.lremCache, "r", 2, "a"), 0, "lremCache returns nothing")
eq(joined(ntop.lrangeCache("r", 0, -1)), "b,c,a,b,a", "lremCache(key, 2, v): the first two")
fill("r", base)
ntop.lremCache("r", -1, "a")
eq(joined(ntop.lrangeCache("r", 0, -1)), "a,b,a,c,a,b", "lremCache(key, -1, v): the last one")
fill("r", base)
ntop.lremCache("r", 0, "a")
eq(joined(ntop.lrangeCache("r", 0, -1)), "b,c,b", "lremCache(key, 0, v): all")
-- ntopng's own order: (key, value [, count])
fill("r", base)
ntop.lremCache("r", "a", 1)
eq(joined(ntop.lrangeCache("r", 0, -1)), "b,a,c,a,b,a", "lremCache(key, v, 1)")
ntop.lremCache("r", "a", -2)
eq(joined(ntop.lrangeCache("r", 0, -1)), "b,a,c,b", "lremCache(key, v, -2)")
ntop.lremCache("r", "b")
eq(joined(ntop.lrangeCache("r", 0, -1)), "a,c", "lremCache(key, v): all")
ntop.lremCache("r", 0, "zz")
ntop.lremCache("missing.r", 0, "a")
eq(joined(ntop.lrangeCache("r", 0, -1)), "a,c", "lremCache of an absent value")

local ltrims = {
   {1, -2, "b,c,d"}, {0, -1, "a,b,c,d,e"}, {-100, 100, "a,b,c,d,e"}, {-1, -1, "e"},
   {0, 0, "a"}, {3, 1, ""}, {5, 10, ""}, {0, -6, ""}, {-2, 100, "d,e"},
}
for _, c in ipairs(ltrims) do
   fill("t", {"a", "b", "c", "d", "e"})
   eq(nret(ntop.ltrimCache, "t", c[1], c[2]), 0, "ltrimCache returns nothing")
   eq(joined(ntop.lrangeCache("t", 0, -1)), c[3], "ltrimCache " .. c[1] .. " " .. c[2])
   eq(ntop.getKeysCache("t")["t"] ~= nil, c[3] ~= "", "the key exists after ltrim " .. c[1])
end
ntop.ltrimCache("missing.t", 0, 1)
eq(ntop.llenCache("missing.t"), 0, "ltrimCache of a missing key")

-- ############################################################################
-- sets: setMembersCache delMembersCache getMembersCache

eq(joined(ntop.getMembersCache("s")), "", "getMembersCache of a missing key")
eq(nret(ntop.setMembersCache, "s", "x"), 0, "setMembersCache returns nothing")
ntop.setMembersCache("s", "y")
ntop.setMembersCache("s", "x")
ntop.setMembersCache("s", "")
eq(joined(ntop.getMembersCache("s"), true), ",x,y", "getMembersCache: an array, no duplicates")
eq(nret(ntop.delMembersCache, "s", "x"), 0, "delMembersCache returns nothing")
ntop.delMembersCache("s", "not-a-member")
ntop.delMembersCache("missing.s", "x")
eq(joined(ntop.getMembersCache("s"), true), ",y", "delMembersCache")

-- ############################################################################
-- wrong types: nil (or false, or nothing) and a log line; no error, nothing changed

ntop.setCache("str", "v")
ntop.setHashCache("hash", "f", "v")
ntop.rpushCache("list", "v")
ntop.setMembersCache("set", "v")
eq(ntop.getCache("hash"), nil, "getCache of a hash")
eq(ntop.getCache("list"), nil, "getCache of a list")
eq(ntop.incrCache("set"), nil, "incrCache of a set")
eq(ntop.setnxCache("hash", "x"), false, "setnxCache of a hash")
eq(ntop.getHashCache("str", "f"), nil, "getHashCache of a string")
eq(nret(ntop.setHashCache, "str", "f", "v"), 0, "setHashCache of a string")
ntop.delHashCache("list", "f")
eq(ntop.getHashKeysCache("str"), nil, "getHashKeysCache of a string")
eq(ntop.getHashAllCache("list"), nil, "getHashAllCache of a list")
eq(nret(ntop.lpushCache, "str", "v"), 0, "lpushCache of a string")
ntop.rpushCache("hash", "v")
eq(ntop.lpopCache("set"), nil, "lpopCache of a set")
eq(ntop.rpopCache("str"), nil, "rpopCache of a string")
ntop.lremCache("hash", 0, "v")
ntop.ltrimCache("set", 0, 0)
eq(ntop.lrangeCache("str", 0, -1), nil, "lrangeCache of a string")
eq(ntop.llenCache("hash"), nil, "llenCache of a hash")
eq(ntop.listIndexCache("set", 0), nil, "listIndexCache of a set")
ntop.setMembersCache("list", "v")
ntop.delMembersCache("str", "v")
eq(ntop.getMembersCache("hash"), nil, "getMembersCache of a hash")
-- and nothing changed
eq(ntop.getCache("str"), "v", "the string is intact")
eq(names(ntop.getHashKeysCache("hash")), "f", "the hash is intact")
eq(joined(ntop.lrangeCache("list", 0, -1)), "v", "the list is intact")
eq(joined(ntop.getMembersCache("set")), "v", "the set is intact")

-- ############################################################################
-- counters: each call adds one to its own counter

counted({num_get = 2, num_set = 1, num_setnx = 1, num_del = 1, num_rename = 1, num_incr = 1},
        function()
           ntop.setCache("c", "1")
           ntop.getCache("c")
           ntop.getCache("c.missing")
           ntop.setnxCache("c2", "1")
           ntop.incrCache("c2")
           ntop.renameCache("c2", "c3")
           ntop.delCache("c3")
        end)
counted({num_keys = 1, num_dump = 1, num_restore = 1}, function()
   ntop.getKeysCache("c*")
   ntop.restoreCache("c4", ntop.dumpCache("c"))
end)
counted({num_hset = 2, num_hget = 1, num_hdel = 1, num_hkeys = 1, num_hgetall = 1}, function()
   ntop.setHashCache("ch", "a", "1")
   ntop.setHashCache("ch", "b", "1")
   ntop.getHashCache("ch", "a")
   ntop.getHashKeysCache("ch")
   ntop.getHashAllCache("ch")
   ntop.delHashCache("ch", "a")
end)
counted({num_lpush = 1, num_rpush = 2, num_lpop = 1, num_rpop = 1, num_lrem = 1, num_ltrim = 1,
         num_lrange = 1, num_llen = 1, num_lindex = 1}, function()
   ntop.lpushCache("cl", "a")
   ntop.rpushCache("cl", "b")
   ntop.rpushCache("cl", "c")
   ntop.lremCache("cl", 0, "b")
   ntop.ltrimCache("cl", 0, -1)
   ntop.lrangeCache("cl", 0, -1)
   ntop.llenCache("cl")
   ntop.listIndexCache("cl", 0)
   ntop.lpopCache("cl")
   ntop.rpopCache("cl")
end)
counted({num_sadd = 1, num_srem = 1, num_smembers = 1}, function()
   ntop.setMembersCache("cs", "a")
   ntop.getMembersCache("cs")
   ntop.delMembersCache("cs", "a")
end)
-- A failed call is counted too, and hasDumpCache counts as one store command.
local before = ntop.getCacheStats()
ntop.getHashCache("str", "f")
ntop.hasDumpCache("str")
local after = ntop.getCacheStats()
eq(after.num_hget - before.num_hget, 1, "a failed getHashCache is counted")
local total_before, total_after = 0, 0
for _, name in ipairs(all_counters) do
   total_before = total_before + before[name]
   total_after = total_after + after[name]
end
eq(total_after - total_before, 2, "hasDumpCache is counted once")

-- ############################################################################
-- getCacheStatus after writes; flushCache (this run is an administrator's)

st = ntop.getCacheStatus()
-- Like Redis's DBSIZE, dbsize may still count the expired key "ttl1" until it is reclaimed.
local live = count(ntop.getKeysCache("*"))
assert(st.dbsize == live or st.dbsize == live + 1,
       "getCacheStatus().dbsize " .. st.dbsize .. " for " .. live .. " keys")
assert(st.dbsize > 20, "dbsize " .. st.dbsize)
eq(st.connected, true, "still connected")
local flushes = ntop.getCacheStats().num_flush
eq(ntop.flushCache(), true, "flushCache as an administrator")
eq(ntop.getCacheStats().num_flush, flushes + 1, "num_flush")
eq(count(ntop.getKeysCache("*")), 0, "flushCache empties the store")
eq(ntop.getCacheStatus().dbsize, 0, "dbsize after flushCache")
eq(ntop.getCache("str"), nil, "a flushed key")
ntop.setCache("after.flush", "1")
eq(ntop.getCache("after.flush"), "1", "the store works after flushCache")

print("cache_conformance: ok")
