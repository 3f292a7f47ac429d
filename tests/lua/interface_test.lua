-- interface.* basics (src/lua/interface/basic.cc): the runner monitors one interface, "lo",
-- ifid 0, with no capture running.

local t = require("testing")
local expect_error = t.expect_error

-- ############################################################################
-- getIfNames

local names = interface.getIfNames()
assert(type(names) == "table", "getIfNames returns a table")
assert(names["0"] == "lo", "getIfNames()['0'] == 'lo'")
assert(names[0] == nil, "keys are strings, as in ntopng")
local n = 0
for k, v in pairs(names) do
   assert(type(k) == "string" and type(v) == "string", "ifid string -> name")
   n = n + 1
end
assert(n == 1, "exactly one interface: " .. n)

-- ############################################################################
-- The default selection is ifid 0

assert(interface.getId() == 0, "ifid 0 selected by default")
assert(interface.getName() == "lo", "named lo")

-- ############################################################################
-- select: by ifid (string or number) or by name; nil for an unknown one

assert(interface.select("0") == true, "select('0')")
assert(interface.getId() == 0 and interface.getName() == "lo", "ifid 0 is lo")
assert(interface.select("lo") == true, "select('lo')")
assert(interface.getName() == "lo", "selected by name")
assert(interface.select(0) == true, "a number is accepted as the ifid")
for _, bad in ipairs({ "nope", "1", "-1", "", "0x0", " 0", "lo " }) do
   local r = interface.select(bad)
   assert(r == nil, "select('" .. bad .. "') is nil, got " .. tostring(r))
   assert(select("#", interface.select(bad)) == 1, "one nil")
end
assert(interface.getId() == 0 and interface.getName() == "lo",
       "a failed select leaves the selection alone")
expect_error("interface.select: argument #1 (ifname) expected string, got nil",
             interface.select, nil)
expect_error("interface.select: argument #1 (ifname) expected string, got table",
             interface.select, {})

-- ############################################################################
-- Interface kinds

assert(interface.isPacketInterface() == true, "lo captures packets")
assert(interface.isPcapDumpInterface() == false, "lo is live, not a pcap file")

-- ############################################################################
-- getStats

local st = interface.getStats()
assert(type(st) == "table", "getStats returns a table")
assert(st.id == 0 and st.name == "lo" and st.ifname == "lo", "getStats identifies the interface")
assert(st.type == "pcap", "a live interface has type 'pcap': " .. tostring(st.type))
assert(st.isView == false and st.isDynamic == false and st.isPacketInterface == true,
       "getStats flags")
assert(math.type(st.startEpoch) == "integer" and st.startEpoch <= os.time() and
       st.startEpoch > os.time() - 120, "startEpoch is recent")
assert(type(st.stats) == "table", "getStats().stats is a table")
for _, k in ipairs({ "packets", "bytes", "drops", "discarded_probing_packets" }) do
   assert(math.type(st.stats[k]) == "integer" and st.stats[k] >= 0,
          "getStats().stats." .. k .. " is a non-negative integer")
end
assert(type(st.stats_since_reset) == "table", "stats_since_reset is a table")
assert(st.stats_since_reset.packets <= st.stats.packets, "since reset <= total")
assert(st.stats_since_reset.bytes <= st.stats.bytes, "since reset <= total bytes")
