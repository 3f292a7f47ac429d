-- Spec section 6 (Preferences): setPref getPref getPrefs reloadPreferences, on the backend named
-- by _GET.backend, starting from an empty store. Preferences live at ntopng.prefs.<name> and
-- are read through a cache that every write through the section-5 functions invalidates.
-- Run by tests/unit/store/lua_conformance_test.cc; a failed check raises an error.

local t = require("testing")
local eq, expect_error, count = t.eq, t.expect_error, t.count

assert(ntop.getCacheStatus().backend == _GET.backend, "the backend under test")

-- ############################################################################
-- setPref / getPref: names with or without the prefix name one key

eq(ntop.getPref("x"), nil, "getPref of a missing preference")
eq(select("#", ntop.setPref("x", "1")), 0, "setPref returns nothing")
eq(ntop.getPref("x"), "1", "getPref")
eq(ntop.getPref("ntopng.prefs.x"), "1", "getPref with the prefix")
eq(ntop.getCache("ntopng.prefs.x"), "1", "setPref writes ntopng.prefs.<name>")
ntop.setPref("ntopng.prefs.my_feature_enabled", "1")  -- the spec's example
eq(ntop.getPref("ntopng.prefs.my_feature_enabled") == "1", true, "the spec's example")
eq(ntop.getCache("ntopng.prefs.my_feature_enabled"), "1", "the prefix is not doubled")
eq(ntop.getCache("ntopng.prefs.ntopng.prefs.my_feature_enabled"), nil, "no doubled prefix")
ntop.setPref("x", "2")
eq(ntop.getPref("x"), "2", "setPref overwrites, and getPref sees it at once")

-- ############################################################################
-- getPref sees writes made through the section-5 functions at once

eq(ntop.getPref("z"), nil, "an absent preference (now cached as absent)")
ntop.setCache("ntopng.prefs.z", "3")
eq(ntop.getPref("z"), "3", "setCache invalidates the cached preference")
ntop.setCache("ntopng.prefs.z", "4", 3600)
eq(ntop.getPref("z"), "4", "setCache with a TTL")
eq(ntop.incrCache("ntopng.prefs.z"), 5, "incrCache of a preference")
eq(ntop.getPref("z"), "5", "incrCache invalidates")
ntop.delCache("ntopng.prefs.z")
eq(ntop.getPref("z"), nil, "delCache invalidates")
eq(ntop.setnxCache("ntopng.prefs.z", "6"), true, "setnxCache of a preference")
eq(ntop.getPref("z"), "6", "setnxCache invalidates")
ntop.setCache("tmp", "7")
ntop.renameCache("tmp", "ntopng.prefs.z")
eq(ntop.getPref("z"), "7", "renameCache invalidates the target")
ntop.renameCache("ntopng.prefs.z", "ntopng.prefs.w")
eq(ntop.getPref("z"), nil, "renameCache invalidates the source")
eq(ntop.getPref("w"), "7", "the renamed preference")
eq(ntop.restoreCache("ntopng.prefs.w", ntop.dumpCache("ntopng.prefs.x")), true, "restore")
eq(ntop.getPref("w"), "2", "restoreCache invalidates")
-- TTLs apply to preferences written with setCache
ntop.setCache("ntopng.prefs.short", "s", 1)
eq(ntop.getPref("short"), "s", "a preference with a TTL")

-- ############################################################################
-- unusual names and values

ntop.setPref("empty", "")
eq(ntop.getPref("empty"), "", "an empty preference is not nil")
ntop.setPref("ünï.名前", "v\0x")
eq(ntop.getPref("ünï.名前"), "v\0x", "a non-ASCII name and a NUL byte")
local big = string.rep("p", 1024 * 1024)
ntop.setPref("big", big)
assert(ntop.getPref("big") == big, "a 1 MB preference")
ntop.setPref("glob*[x]?", "g")
eq(ntop.getPref("glob*[x]?"), "g", "glob characters in a name are plain characters")

-- ############################################################################
-- getPrefs: every string preference by name, without the prefix

ntop.setCache("ntopng.user.admin.language", "it")        -- not a preference
ntop.setHashCache("ntopng.prefs.a_hash", "f", "v")      -- not a string: left out
local prefs = ntop.getPrefs()
eq(prefs.x, "2", "getPrefs().x")
eq(prefs.w, "2", "getPrefs().w")
eq(prefs.my_feature_enabled, "1", "getPrefs() names have no prefix")
eq(prefs["ntopng.prefs.x"], nil, "getPrefs() names have no prefix")
eq(prefs.empty, "", "getPrefs() keeps empty values")
eq(prefs["ünï.名前"], "v\0x", "getPrefs() non-ASCII")
eq(prefs.short, "s", "getPrefs() includes preferences with a TTL")
assert(prefs.big == big, "getPrefs() 1 MB")
eq(prefs["glob*[x]?"], "g", "getPrefs() glob characters")
eq(prefs.a_hash, nil, "getPrefs() leaves out a hash")
eq(prefs["ntopng.user.admin.language"], nil, "getPrefs() leaves out other keys")
eq(count(prefs), 8, "getPrefs() size")

-- ############################################################################
-- a preference of the wrong type: nil and a log line, no error

eq(ntop.getPref("a_hash"), nil, "getPref of a hash")

-- ############################################################################
-- reloadPreferences([set_defaults])

eq(select("#", ntop.reloadPreferences()), 0, "reloadPreferences returns nothing")
eq(ntop.getPref("housekeeping_frequency"), nil, "no defaults without set_defaults")
ntop.reloadPreferences(false)
eq(ntop.getPref("housekeeping_frequency"), nil, "no defaults with set_defaults = false")
ntop.setPref("max_ui_strlen", "99")
eq(select("#", ntop.reloadPreferences(true)), 0, "reloadPreferences(true) returns nothing")
eq(ntop.getPref("max_ui_strlen"), "99", "a default does not overwrite a value")
eq(ntop.getPref("housekeeping_frequency"), "5", "a missing default is written")
eq(ntop.getPref("active_local_hosts_cache_interval"), "3600", "a missing default is written")
ntop.setPref("housekeeping_frequency", "9")
ntop.reloadPreferences(true)
eq(ntop.getPref("housekeeping_frequency"), "9", "defaults again: the value stays")
-- A value written behind the cache's back (another Redis client) shows after a reload.
ntop.setPref("behind", "old")
eq(ntop.getPref("behind"), "old", "cached")
ntop.reloadPreferences()
eq(ntop.getPref("behind"), "old", "reloaded")

-- ############################################################################
-- argument errors

expect_error("ntop.setPref: argument #2 (value) expected string, got no value", ntop.setPref, "k")
expect_error("ntop.setPref: argument #1 (key) expected string, got nil", ntop.setPref, nil, "v")
expect_error("ntop.getPref: argument #1 (key) expected string, got no value", ntop.getPref)
expect_error("ntop.reloadPreferences: argument #1 (set_defaults) expected boolean, got string",
             ntop.reloadPreferences, "yes")

-- ############################################################################
-- TTL expiry and flushCache reach the preference cache too

ntop.msleep(1200)
eq(ntop.getCache("ntopng.prefs.short"), nil, "the TTL expired")
eq(ntop.getPrefs().short, nil, "an expired preference is not listed")
eq(ntop.flushCache(), true, "flushCache")
eq(ntop.getPref("x"), nil, "flushCache empties the preference cache")
eq(count(ntop.getPrefs()), 0, "no preference after flushCache")

print("prefs_conformance: ok")
