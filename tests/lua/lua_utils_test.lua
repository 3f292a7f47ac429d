-- scripts/lua/modules/lua_utils.lua: the helpers ntopng scripts expect as globals.

local dirs = ntop.getDirs()
package.path = dirs.installdir .. "/scripts/lua/modules/?.lua;" .. package.path
require "lua_utils"

local t = require("testing")
-- Raised from a binding called by Lua code, an error message starts with that caller's
-- "file:line: ", as Lua's own errors do: expect_error compares what follows it.
local expect_error = t.expect_error_ignoring_position
local eq = t.eq

-- Compares two arrays element by element.
local function same_list(got, want, what)
   assert(type(got) == "table", what .. ": expected a table, got " .. tostring(got))
   assert(#got == #want, what .. ": expected " .. #want .. " elements, got " .. #got)
   for i = 1, #want do eq(got[i], want[i], what .. " [" .. i .. "]") end
end

-- ############################################################################
-- Requests and sessions

eq(isEmptyString(nil), true, "isEmptyString(nil)")
eq(isEmptyString(""), true, "isEmptyString('')")
eq(isEmptyString(" "), false, "isEmptyString(' ')")
eq(isEmptyString("0"), false, "isEmptyString('0')")
eq(isEmptyString(0), false, "isEmptyString(0)")
eq(isAdministrator(), true, "outside HTTP the session is the administrator's")
eq(_SESSION.group, "administrator", "_SESSION.group")
eq(isAdministratorOrPrintErr(), true, "isAdministratorOrPrintErr for an administrator")

-- The header helpers shape the response; bad values are refused by the bindings under them.
sendHTTPHeader("application/json")
sendHTTPContentTypeHeader("text/plain", "attachment; filename=x.txt", "latin1", { ["X-Test"] = 1 }, 200)
sendHTTPHeaderIfName("text/html", "lo", 60)
expect_error("flowlens.setHTTPStatus: status must be 100..599", sendHTTPHeader, "text/plain",
             nil, nil, 99)
expect_error("flowlens.setHTTPHeader: invalid header 'Bad Name'", sendHTTPHeader, "text/plain",
             nil, { ["Bad Name"] = "x" })
expect_error("flowlens.setHTTPHeader: invalid header 'X-Split'", sendHTTPHeader, "text/plain",
             nil, { ["X-Split"] = "a\r\nSet-Cookie: evil=1" })
sendHTTPHeader("text/plain")  -- leave a sane response behind

-- ############################################################################
-- Debugging

eq(__LINE__(), debug.getinfo(1, "l").currentline, "__LINE__ is the caller's line")
assert(__FILE__():find("lua_utils_test.lua", 1, true), "__FILE__ names this file: " .. __FILE__())

-- ############################################################################
-- Strings

eq(string.starts("flowlens", "flow"), true, "starts")
eq(string.starts("flowlens", "lens"), false, "starts (no)")
eq(string.starts(nil, "x"), false, "starts(nil)")
eq(string.ends("flowlens", "lens"), true, "ends")
eq(string.ends("flowlens", ""), true, "ends with ''")
eq(string.ends("flowlens", "flow"), false, "ends (no)")
eq(string.contains("a.b", "."), true, "contains is plain text")
eq(string.contains("ab", "."), false, "'.' is no pattern")
eq(string.containsIgnoreCase("Hello", "ELL"), true, "containsIgnoreCase")

same_list(string.split("a,b,c", ","), { "a", "b", "c" }, "string.split")
same_list(string.split("a::b", "::"), { "a", "b" }, "multi-char separator")
same_list(string.split("a.b", "."), { "a", "b" }, "the separator is plain text")
same_list(string.split("a,,b,", ","), { "a", "", "b", "" }, "empty fields kept")
same_list(string.split("x,y"), { "x", "y" }, "default separator ','")
eq(string.split("abc", ","), nil, "string.split is nil when the separator is absent")
eq(string.split("", ","), nil, "string.split('') is nil")
eq(string.split(nil, ","), nil, "string.split(nil) is nil")

same_list(split("a,b,c", ","), { "a", "b", "c" }, "split")
same_list(split("a b", " "), { "a", "b" }, "split on space")
same_list(split("abc", ","), { "abc" }, "split without the separator: the whole string")
same_list(split("1,2"), { "1", "2" }, "split's default separator")
same_list(split(nil, ","), {}, "split(nil) is empty")

eq(trimString("  x y \t\n"), "x y", "trimString")
eq(trimString(""), "", "trimString('')")
eq(trimString(nil), nil, "trimString(nil)")
eq(shortenString("abcdefghij", 5), "abcde...", "shortenString")
eq(shortenString("abc", 5), "abc", "short strings unchanged")
eq(shortenString(string.rep("x", 24)), string.rep("x", 24), "default length 24")
eq(shortenString(string.rep("x", 25)), string.rep("x", 24) .. "...", "25 > 24")
eq(firstToUpper("flow"), "Flow", "firstToUpper")
eq(firstToUpper("Flow"), "Flow", "firstToUpper keeps an upper case letter")
eq(ternary(true, 1, 2), 1, "ternary true")
eq(ternary(nil, 1, 2), 2, "ternary nil")
eq(toboolean("true"), true, "toboolean('true')")
eq(toboolean("1"), true, "toboolean('1')")
eq(toboolean(1), true, "toboolean(1)")
eq(toboolean("false"), false, "toboolean('false')")
eq(toboolean(nil), false, "toboolean(nil)")

-- ############################################################################
-- Numbers and formatting

eq(round(2.5), 3, "round(2.5)")
eq(round(1.2345, 2), 1.23, "round(1.2345, 2)")
eq(round(nil), 0, "round(nil)")

eq(bytesToSize(0), "0 B", "bytesToSize(0)")
eq(bytesToSize(1023), "1023 B", "bytesToSize(1023)")
eq(bytesToSize(1024), "1.00 KB", "bytesToSize(1024)")
eq(bytesToSize(1536), "1.50 KB", "bytesToSize(1536)")
eq(bytesToSize(1048576), "1.00 MB", "bytesToSize(1 MiB)")
eq(bytesToSize(5 * 1024 ^ 3), "5.00 GB", "bytesToSize(5 GiB)")
eq(bytesToSize(1024 ^ 4), "1.00 TB", "bytesToSize(1 TiB)")
eq(bytesToSize(1024 ^ 5), "1.00 PB", "bytesToSize(1 PiB)")
eq(bytesToSize(2 * 1024 ^ 6), "2048.00 PB", "PB is the largest unit")
eq(bytesToSize(-2048), "-2.00 KB", "negative sizes")
eq(bytesToSize(nil), "0 B", "bytesToSize(nil)")
eq(bytesToSize("2048"), "2.00 KB", "a numeric string")
eq(bitsToSize(999), "999 bps", "bitsToSize(999)")
eq(bitsToSize(1000), "1.00 Kbps", "bitsToSize(1000): decimal units")
eq(bitsToSize(2500000), "2.50 Mbps", "bitsToSize(2.5M)")
eq(formatThroughput(1000000000), "1.00 Gbps", "formatThroughput")

eq(formatValue(0), "0", "formatValue(0)")
eq(formatValue(123), "123", "formatValue(123)")
eq(formatValue(1234), "1,234", "formatValue(1234)")
eq(formatValue(100000), "100,000", "formatValue(100000)")
eq(formatValue(1234567), "1,234,567", "formatValue(1234567)")
eq(formatValue(-1234567), "-1,234,567", "formatValue(-1234567)")
eq(formatValue(-100), "-100", "formatValue(-100)")
eq(formatValue(-100000), "-100,000", "formatValue(-100000)")
eq(formatValue(1234.5678, 2), "1,234.57", "formatValue with precision")
eq(formatValue("9876543"), "9,876,543", "formatValue of a numeric string")
eq(formatValue(nil), "0", "formatValue(nil)")
eq(formatPackets(1500), "1,500 Pkts", "formatPackets")
eq(formatPps(0.5), "0.50 pps", "formatPps below 1")
eq(formatPps(0), "0 pps", "formatPps(0)")
eq(formatPps(1500), "1.50 Kpps", "formatPps(1500)")

eq(secondsToTime(0), "< 1 sec", "secondsToTime(0)")
eq(secondsToTime(-5), "< 1 sec", "secondsToTime(-5)")
eq(secondsToTime(59), "59 sec", "secondsToTime(59)")
eq(secondsToTime(60), "1 min", "secondsToTime(60)")
eq(secondsToTime(61), "1 min, 1 sec", "secondsToTime(61)")
eq(secondsToTime(3600), "1 h", "secondsToTime(3600)")
eq(secondsToTime(3661), "1 h, 1 min, 1 sec", "secondsToTime(3661)")
eq(secondsToTime(86400), "1 day", "secondsToTime(86400)")
eq(secondsToTime(2 * 86400 + 3600 + 5), "2 days, 1 h, 5 sec", "secondsToTime(2d 1h 5s)")
eq(secondsToTime(90.9), "1 min, 30 sec", "fractions are dropped")

eq(formatEpoch(0), "", "formatEpoch(0)")
eq(formatEpoch(nil), "", "formatEpoch(nil)")
eq(formatEpoch(1700000000), os.date("%d/%m/%Y %X", 1700000000), "formatEpoch is dd/mm/yyyy time")
assert(formatEpoch(1700000000):match("^1[45]/11/2023 %d%d:%d%d:%d%d$"), "formatEpoch's shape: " ..
       formatEpoch(1700000000))

-- ############################################################################
-- Tables

eq(table.len({ 1, 2, x = 3 }), 3, "table.len counts every key")
eq(table.len({}), 0, "table.len({})")
eq(table.len(nil), 0, "table.len(nil)")
eq(table.empty({}), true, "table.empty({})")
eq(table.empty({ x = false }), false, "table.empty with a key")
eq(table.empty(nil), true, "table.empty(nil)")

local a = { x = 1, y = 2, nested = { k = "v" } }
local b = { y = 3, z = 4 }
local m = table.merge(a, b)
eq(m.x, 1, "merge keeps a's fields")
eq(m.y, 3, "b wins on a clash")
eq(m.z, 4, "merge adds b's fields")
eq(m.nested.k, "v", "nested fields copied")
eq(a.y, 2, "merge leaves a alone")
eq(a.z, nil, "merge adds nothing to a")
m.nested.k = "changed"
eq(a.nested.k, "v", "merge copies deeply")
eq(table.len(table.merge(nil, { q = 1 })), 1, "merge(nil, b)")
eq(table.len(table.merge({ q = 1 }, nil)), 1, "merge(a, nil)")

local orig = { 1, 2, { 3, { 4 } }, name = "n" }
local copy = table.clone(orig)
assert(copy ~= orig and copy[3] ~= orig[3] and copy[3][2] ~= orig[3][2], "clone makes new tables")
eq(copy[3][2][1], 4, "clone copies nested values")
eq(copy.name, "n", "clone copies string keys")
copy[3][2][1] = 99
eq(orig[3][2][1], 4, "changing the clone leaves the original alone")
eq(table.clone(5), 5, "clone of a non-table is itself")

local keys = table.keys({ a = 1, b = 2 })
table.sort(keys)
same_list(keys, { "a", "b" }, "table.keys")
eq(table.has_key({ a = false }, "a"), true, "has_key with a false value")
eq(table.has_key({}, "a"), false, "has_key missing")
eq(table.contains({ "x", "y" }, "y"), true, "contains")
eq(table.contains({ "x" }, "z"), false, "contains (no)")
eq(table.contains(nil, "z"), false, "contains(nil)")

local function collect(iter)
   local ks, vs = {}, {}
   for k, v in iter do
      ks[#ks + 1] = k
      vs[#vs + 1] = v
   end
   return ks, vs
end
local ks, vs = collect(pairsByKeys({ c = 3, a = 1, b = 2, d = 4 }))
same_list(ks, { "a", "b", "c", "d" }, "pairsByKeys orders keys")
same_list(vs, { 1, 2, 3, 4 }, "pairsByKeys yields each key's value")
ks = collect(pairsByKeys({ c = 3, a = 1, b = 2 }, rev))
same_list(ks, { "c", "b", "a" }, "pairsByKeys with rev")
ks = collect(pairsByKeys({ [10] = "x", [2] = "y", [33] = "z" }, asc))
same_list(ks, { 2, 10, 33 }, "numeric keys in numeric order")
ks = collect(pairsByKeys({ [1] = "a", x = "b", [2] = "c" }))
same_list(ks, { 1, 2, "x" }, "mixed key types do not break the sort")
ks = collect(pairsByKeys({}))
eq(#ks, 0, "pairsByKeys({})")
ks = collect(pairsByValues({ a = 3, b = 1, c = 2 }))
same_list(ks, { "b", "c", "a" }, "pairsByValues ascending")
ks = collect(pairsByValues({ a = 3, b = 1, c = 2 }, rev))
same_list(ks, { "a", "c", "b" }, "pairsByValues with rev")

-- ############################################################################
-- Interfaces

eq(getInterfaceId("lo"), 0, "getInterfaceId('lo')")
eq(getInterfaceId("0"), 0, "getInterfaceId('0')")
eq(getInterfaceId(0), 0, "getInterfaceId(0)")
eq(getInterfaceId("nope"), -1, "getInterfaceId of an unknown interface")
eq(getInterfaceName(0), "lo", "getInterfaceName(0)")
eq(getInterfaceName("0"), "lo", "getInterfaceName('0')")
eq(getInterfaceName(7), nil, "getInterfaceName of an unknown ifid")

-- ############################################################################
-- HTML

eq(escapeHTML("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;",
   "escapeHTML")
eq(escapeHTML("plain"), "plain", "escapeHTML of plain text")
eq(escapeHTML("&amp;"), "&amp;amp;", "escapeHTML escapes an existing entity again")
eq(escapeHTML(nil), "", "escapeHTML(nil)")
eq(escapeHTML(42), "42", "escapeHTML(42)")
eq(select("#", escapeHTML("<")), 1, "escapeHTML returns one value")
eq(noHtml("<b>bold</b> and <i>it</i>"), "bold and it", "noHtml")
eq(noHtml(nil), nil, "noHtml(nil)")
eq(getHttpPrefix(), "", "getHttpPrefix")

-- ############################################################################
-- Robustness: inputs real pages produce. Failures are collected so that one does not hide
-- the others.

local failures = {}

-- Non-finite numbers: a rate over a zero interval is 0/0 (NaN), x/0 is inf. ntopng's
-- formatters return text for them; a page must not die on one.
for _, f in ipairs({ "bytesToSize", "bitsToSize", "formatThroughput", "formatValue",
                     "formatPackets", "formatPps", "secondsToTime" }) do
   for _, v in ipairs({ 0 / 0, math.huge, -math.huge }) do
      local ok, r = pcall(_ENV[f], v)
      if not ok or type(r) ~= "string" then
         failures[#failures + 1] = f .. "(" .. tostring(v) .. ") raised: " .. tostring(r)
      end
   end
end

-- An empty separator must not loop forever: a runaway loop would end this run at its time
-- limit (scripts may not set hooks of their own), failing the test.
local function bounded(f, ...)
   return pcall(f, ...)
end
local ok, r = bounded(string.split, "abc", "")
if not ok then failures[#failures + 1] = "string.split('abc', ''): " .. tostring(r) end
ok, r = bounded(split, "abc", "")
if not ok or type(r) ~= "table" then
   failures[#failures + 1] = "split('abc', ''): " .. tostring(r)
end

assert(#failures == 0, #failures .. " robustness failure(s):\n  " .. table.concat(failures, "\n  "))
