-- Spec section 3: System & Information.

local t = require("testing")
local expect_error, write_file, read_file, count =
   t.expect_error, t.write_file, t.read_file, t.count

-- ############################################################################
-- getDirs

local dirs = ntop.getDirs()
assert(type(dirs) == "table", "getDirs returns a table")
for _, k in ipairs({ "installdir", "scriptdir", "httpdocsdir", "workingdir", "bindir",
                     "callbacksdir", "pcapdir", "dbarchivedir", "etcdir", "sharedir" }) do
   assert(type(dirs[k]) == "string" and dirs[k] ~= "", "getDirs()." .. k .. " is a non-empty string")
   assert(dirs[k]:sub(1, 1) == "/", "getDirs()." .. k .. " is absolute: " .. dirs[k])
end
assert(ntop.isdir(dirs.workingdir), "workingdir is a directory: " .. dirs.workingdir)
assert(ntop.isdir(dirs.installdir), "installdir is a directory")
assert(dirs.scriptdir == dirs.installdir .. "/scripts", "scriptdir is <installdir>/scripts")
assert(ntop.exists(dirs.scriptdir .. "/lua/modules/lua_utils.lua"), "scriptdir holds the modules")
assert(dirs.pcapdir:sub(1, #dirs.workingdir) == dirs.workingdir, "pcapdir is under workingdir")
-- The runner's data directory is a fresh temporary one.
assert(dirs.workingdir:find("^/tmp/flowlens%-test%-"), "workingdir is the test's temp dir")

-- ############################################################################
-- getInfo

local info = ntop.getInfo()
assert(info.product == "flowlens", "getInfo().product: " .. tostring(info.product))
assert(type(info.version) == "string" and info.version ~= "", "getInfo().version is set")
assert(type(info.command_line) == "string", "verbose getInfo() has command_line")
assert(type(info["version.lua"]) == "string" and info["version.lua"]:find("^Lua 5%.4"),
       "version.lua names Lua 5.4: " .. tostring(info["version.lua"]))
assert(math.type(info.pid) == "integer" and info.pid > 0, "getInfo().pid")
assert(math.type(info.uptime_sec) == "integer" and info.uptime_sec >= 0, "getInfo().uptime_sec")
assert(info.starttime == ntop.getStartupEpoch(), "getInfo().starttime == getStartupEpoch()")
assert(info["pro.release"] == false, "not a pro release")
assert(type(info.http_port) == "number", "getInfo().http_port")

local verbose_true = ntop.getInfo(true)
assert(type(verbose_true.command_line) == "string", "getInfo(true) has command_line")

local small = ntop.getInfo(false)
assert(small.product == "flowlens" and small.version == info.version,
       "getInfo(false) keeps product and version")
assert(small.command_line == nil, "getInfo(false) omits command_line")
assert(small["version.lua"] == nil and small.instance_name == nil,
       "getInfo(false) omits the verbose fields")
assert(count(small) < count(info), "getInfo(false) is smaller")
expect_error("ntop.getInfo: argument #1 (verbose) expected boolean, got string", ntop.getInfo, "no")

-- ############################################################################
-- getUptime, getStartupEpoch, getStaticFileEpoch

local uptime = ntop.getUptime()
assert(math.type(uptime) == "integer", "getUptime is an integer")
assert(uptime >= 0 and uptime < 120, "getUptime of a fresh test run: " .. uptime)
local start = ntop.getStartupEpoch()
assert(math.type(start) == "integer", "getStartupEpoch is an integer")
assert(start <= os.time() and start > os.time() - 120, "getStartupEpoch is recent: " .. start)
assert(math.abs((os.time() - start) - ntop.getUptime()) <= 1, "uptime == now - startup epoch")
assert(ntop.getStaticFileEpoch() == start, "getStaticFileEpoch == getStartupEpoch")

-- ############################################################################
-- systemHostStat, refreshCPULoad, getSystemAlertsStats

local hs = ntop.systemHostStat()
assert(type(hs.mem_total) == "number" and hs.mem_total > 0, "mem_total > 0")
local meminfo_total = tonumber(read_file("/proc/meminfo"):match("MemTotal:%s+(%d+) kB"))
assert(hs.mem_total == meminfo_total, "mem_total is MemTotal in kB, as ntopng reports it: " ..
       hs.mem_total .. " vs " .. tostring(meminfo_total))
assert(hs.mem_free >= 0 and hs.mem_free <= hs.mem_total, "0 <= mem_free <= mem_total")
assert(hs.mem_used >= 0 and hs.mem_used <= hs.mem_total, "0 <= mem_used <= mem_total")
assert(hs.mem_ntopng_resident > 0, "this process has resident memory")
assert(hs.mem_ntopng_virtual >= hs.mem_ntopng_resident, "virtual >= resident")
assert(type(hs.cpu_states) == "table", "cpu_states is a table")
assert(hs.written_alerts == 0 and hs.dropped_alerts == 0, "no alerts in a fresh run")

local load = ntop.refreshCPULoad()
assert(load == nil or type(load) == "number", "refreshCPULoad: number or nil")
ntop.msleep(120)
load = ntop.refreshCPULoad()
assert(type(load) == "number", "refreshCPULoad has a value after two samples")
assert(load >= 0 and load <= 100, "CPU load is a percentage: " .. load)
hs = ntop.systemHostStat()
assert(hs.cpu_load == load, "systemHostStat reports the refreshed cpu_load")
local sum = 0
for state, pct in pairs(hs.cpu_states) do
   assert(type(state) == "string" and pct >= 0 and pct <= 100.0001, "cpu state " .. state)
   sum = sum + pct
end
assert(hs.cpu_states.idle ~= nil, "cpu_states has idle")
assert(math.abs(sum - 100) < 0.01, "cpu_states add up to 100%: " .. sum)

local as = ntop.getSystemAlertsStats()
assert(as.written_alerts == 0 and as.dropped_alerts == 0, "getSystemAlertsStats: no alerts")

-- ############################################################################
-- threadsInfo

local threads = ntop.threadsInfo()
assert(#threads >= 1, "threadsInfo lists at least one thread")
local main_found = false
for _, t in ipairs(threads) do
   assert(math.type(t.tid) == "integer" and t.tid > 0, "every thread has a tid")
   assert(type(t.name) == "string", "every thread has a name")
   assert(t.user_ticks >= 0 and t.system_ticks >= 0, "ticks are non-negative")
   if t.tid == info.pid then main_found = true end
end
assert(main_found, "the main thread (tid == pid) is listed")

-- ############################################################################
-- checkLicense, getCookieAttributes, getHttpPrefix, isShuttingDown, getDropPoolInfo

assert(ntop.checkLicense() == 1, "checkLicense returns 1")
local cookie = ntop.getCookieAttributes()
assert(type(cookie) == "string" and cookie:find("SameSite=Strict", 1, true),
       "cookie attributes carry SameSite=Strict: " .. tostring(cookie))
assert(cookie:find("HttpOnly", 1, true), "cookie attributes carry HttpOnly")
assert(not cookie:find("Secure", 1, true), "no Secure attribute without HTTPS")
assert(ntop.getHttpPrefix() == "", "no --http-prefix: empty prefix")
assert(ntop.isShuttingDown() == false, "not shutting down")
local pool = ntop.getDropPoolInfo()
assert(type(pool) == "table" and pool.enabled == false, "no drop pool")

-- ############################################################################
-- httpPurifyParam

assert(ntop.httpPurifyParam("abc-DEF_1.2:3/4@x") == "abc-DEF_1.2:3/4@x", "safe text unchanged")
assert(ntop.httpPurifyParam("<script>alert(1)</script>") == "_script_alert(1)_/script_",
       "angle brackets neutralised: " .. ntop.httpPurifyParam("<script>alert(1)</script>"))
assert(ntop.httpPurifyParam("a\"b'c;d") == "a_b_c_d", "quotes and ; neutralised")
assert(ntop.httpPurifyParam("città") == "città", "UTF-8 kept")
assert(ntop.httpPurifyParam("") == "", "empty stays empty")
expect_error("ntop.httpPurifyParam: argument #1 (s) expected string, got nil", ntop.httpPurifyParam, nil)

-- ############################################################################
-- getAllPaths

local root = dirs.workingdir .. "/allpaths"
ntop.mkdir(root .. "/sub/deep")
write_file(root .. "/a.txt", "a")
write_file(root .. "/sub/b.lua", "b")
write_file(root .. "/sub/deep/c.lua", "c")
local all = ntop.getAllPaths(root)
assert(type(all) == "table", "getAllPaths returns a table")
assert(count(all) == 3, "three files, directories excluded: " .. count(all))
for _, rel in ipairs({ "a.txt", "sub/b.lua", "sub/deep/c.lua" }) do
   assert(all[root .. "/" .. rel] == true, "getAllPaths lists " .. rel)
end
local lua_files = ntop.getAllPaths(root, "%.lua$")
assert(count(lua_files) == 2 and lua_files[root .. "/sub/b.lua"] and
       lua_files[root .. "/sub/deep/c.lua"], "getAllPaths with a Lua pattern filters")
local deep = ntop.getAllPaths(root, "^sub/deep/")
assert(count(deep) == 1 and deep[root .. "/sub/deep/c.lua"],
       "the pattern is matched against the path below the root")
assert(count(ntop.getAllPaths(root, "nomatch")) == 0, "no match: empty table")
assert(ntop.getAllPaths(root .. "/missing") == nil, "a missing root gives nil")
expect_error("ntop.getAllPaths: argument #1 (path) expected string, got nil", ntop.getAllPaths, nil)
expect_error("ntop.getAllPaths: argument #2 (pattern) expected string, got table",
             ntop.getAllPaths, root, {})

-- ############################################################################
-- getCurrentScriptsDir, getInstanceName, resetStats

local scripts_dir = ntop.getCurrentScriptsDir()
assert(type(scripts_dir) == "string" and scripts_dir:find("/tests/lua$"),
       "getCurrentScriptsDir is this file's directory: " .. tostring(scripts_dir))
assert(ntop.exists(scripts_dir .. "/system_test.lua"), "this file lives in getCurrentScriptsDir")

local hostname = read_file("/proc/sys/kernel/hostname"):gsub("%s+$", "")
assert(ntop.getInstanceName() == hostname,
       "without --instance-name the instance is the host name: " .. tostring(ntop.getInstanceName()))

assert(select("#", ntop.resetStats()) == 0, "resetStats returns nothing")
interface.select("lo")
local st = interface.getStats()
assert(st.stats_since_reset.packets == 0 and st.stats_since_reset.bytes == 0,
       "after resetStats the since-reset counters are zero")

-- ############################################################################
-- limitResourcesUsage: lowers this thread's priority to nice 19. Last, as it slows the rest.

local function my_nice()
   local stat = read_file("/proc/thread-self/stat")
   local fields = {}
   for w in stat:sub(stat:find(")", 1, true) + 2):gmatch("%S+") do fields[#fields + 1] = w end
   return tonumber(fields[17])  -- field 19 of the line; the list starts at field 3
end
assert(select("#", ntop.limitResourcesUsage()) == 0, "limitResourcesUsage returns nothing")
assert(my_nice() == 19, "limitResourcesUsage lowers the thread's priority: nice " .. my_nice())
ntop.limitResourcesUsage()  -- a second call is harmless
assert(my_nice() == 19, "still nice 19")
