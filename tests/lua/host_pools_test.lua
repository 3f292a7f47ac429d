-- options: -i tests/data/pcap/1kxun.pcap -m 192.168.2.0/24
-- ntopng's host pools (spec section 33: reloadHostPools, poolsLock, poolsUnlock; src/lua/ntop/
-- misc.cc over host/HostPools): pools written to the store under ntopng's keys, as its
-- host_pools.lua writes them, place the capture's hosts by MAC, address and network once
-- reloaded; a malformed member is refused with the reason and the pools stay.

local t = require("testing")
local eq = t.eq
local IDS = "ntopng.prefs.host_pools.pool_ids"
local function details(id) return "ntopng.prefs.host_pools.details." .. id end
local function members(id) return "ntopng.prefs.host_pools.members." .. id end

local h = interface.getHostInfo("192.168.2.126")
eq(h.host_pool_id, 0, "no pools: not assigned")
assert(h.mac ~= "00:00:00:00:00:00", "the host has a MAC")

-- Pool 1 by network, pool 2 by one address (longer: it wins), pool 3 by the server's MAC-less
-- address on another VLAN (no match), pool 4 by a host's MAC.
ntop.setMembersCache(IDS, "1")
ntop.setHashCache(details(1), "name", "office")
ntop.setMembersCache(members(1), "192.168.2.0/24@0")
ntop.setMembersCache(IDS, "2")
ntop.setHashCache(details(2), "name", "laptop")
ntop.setMembersCache(members(2), "192.168.2.126/32@0")
ntop.setMembersCache(IDS, "3")
ntop.setMembersCache(members(3), "161.117.13.29@7")
eq(select("#", ntop.reloadHostPools()), 0, "reloaded")
eq(interface.getHostInfo("192.168.2.126").host_pool_id, 2, "the longest network")
eq(interface.getHostInfo("192.168.2.126").host_pool_match, "ip", "by address")
eq(interface.getHostInfo("161.117.13.29").host_pool_id, 0, "another VLAN: no pool")
local in_office = 0
for _, host in pairs(interface.getHostsInfo(false).hosts) do
   if host.ip:match("^192%.168%.2%.") and host.ip ~= "192.168.2.126" then
      eq(host.host_pool_id, 1, host.ip .. ": in the network")
      in_office = in_office + 1
   end
end
assert(in_office > 0, "other hosts of 192.168.2.0/24")

-- A MAC member outranks addresses.
ntop.setMembersCache(IDS, "4")
ntop.setHashCache(details(4), "name", "by mac")
ntop.setMembersCache(members(4), h.mac)
eq(select("#", ntop.reloadHostPools()), 0, "reloaded")
eq(interface.getHostInfo("192.168.2.126").host_pool_id, 4, "its MAC's pool")
eq(interface.getHostInfo("192.168.2.126").host_pool_match, "mac", "by MAC")

-- interface.* over the pools.
local m = interface.findMemberPool("192.168.2.126", 0, false)
eq(m.pool_id, 2, "findMemberPool: the longest network")
eq(m.matched_prefix, "192.168.2.126", "its network")
eq(m.matched_bitmask, 32, "its length")
m = interface.findMemberPool("192.168.2.77", 0, false)
eq(m.pool_id, 1, "the /24")
eq(m.matched_prefix, "192.168.2.0", "its network")
eq(m.matched_bitmask, 24, "its length")
eq(interface.findMemberPool("192.168.2.77", 5, false), nil, "another VLAN")
eq(interface.findMemberPool("8.8.8.8", 0, false), nil, "no pool")
eq(interface.findMemberPool("161.117.13.29", 7, false).pool_id, 3, "on VLAN 7")
eq(interface.findMemberPool(h.mac, 0, true).pool_id, 4, "a MAC")
eq(interface.findMemberPool(h.mac, 0, true).matched_prefix, nil, "a MAC has no prefix")
eq(interface.findMacPool(h.mac), 4, "findMacPool")
eq(interface.findMacPool("02:00:00:00:00:99"), nil, "no pool")
local per_pool, total = {}, 0
for _, host in pairs(interface.getHostsInfo(false).hosts) do
   local k = tostring(host.host_pool_id)
   per_pool[k] = (per_pool[k] or 0) + 1
   total = total + 1
end
local info = interface.getHostPoolsInfo()
eq(info.num_members.num_hosts, total, "every active host")
eq(info.num_members.num_active_pools, t.count(per_pool), "the pools with hosts")
for k, n in pairs(per_pool) do
   eq(info.num_members_per_pool[k].num_hosts, n, "pool " .. k .. "'s hosts, keyed by string")
end
eq(info.num_members_per_pool["4"].num_l2_devices, 1, "the MAC pool 4 lists")
eq(info.num_members.num_l2_devices, 1, "the only MAC member")
eq(info.num_members_per_pool["3"], nil, "no active host in pool 3")
-- getHostsInfo's 12th argument: the pool.
local in_pool = interface.getHostsInfo(false, "column_ip", nil, nil, true, nil, nil, nil, nil, nil,
                                       nil, 1)
eq(in_pool.numHosts, tonumber(per_pool["1"]), "pool 1's hosts")
for _, host in pairs(in_pool.hosts) do eq(host.host_pool_id, 1, host.ip .. ": pool 1") end

-- The pools' traffic: the capture was read before any pool existed, so pool 0 holds all of it
-- (each flow once: its client's and server's pools were the same); the loaded pools are listed
-- from their load on, and count their active hosts.
local stats = interface.getHostPoolsStats()
local ids = {}
for id in pairs(stats) do ids[#ids + 1] = id end
table.sort(ids)
eq(table.concat(ids, ","), "0,1,2,3,4", "pool 0 and the loaded pools, by number")
local ndpi_bytes = 0
for _, app in pairs(interface.getnDPIStats().ndpi) do ndpi_bytes = ndpi_bytes + app.bytes end
local p0 = stats[0]
assert(ndpi_bytes > 0, "traffic")
eq(p0["bytes.sent"] + p0["bytes.rcvd"], ndpi_bytes, "pool 0: every flow's bytes, once")
local by_app, by_category = 0, 0
for _, app in pairs(p0.ndpi) do by_app = by_app + app["bytes.sent"] + app["bytes.rcvd"] end
for _, c in pairs(p0.ndpi_categories) do by_category = by_category + c.bytes end
eq(by_app, ndpi_bytes, "pool 0 by application")
eq(by_category, ndpi_bytes, "pool 0 by category")
eq(p0.cross_application.bytes, ndpi_bytes, "across applications")
assert(p0.ndpi.DNS and p0.ndpi.DNS.num_flows > 0 and p0.ndpi.DNS.breed, "per application, ntopng's fields")
assert(p0["seen.first"] > 0 and p0["seen.last"] >= p0["seen.first"], "when")
for id = 1, 4 do
   eq(stats[id]["bytes.sent"], 0, "pool " .. id .. ": no traffic since its load")
   eq(next(stats[id].ndpi), nil, "pool " .. id .. ": no application")
   eq(stats[id].num_hosts, tonumber(per_pool[tostring(id)] or 0), "pool " .. id .. "'s hosts")
end
eq(stats[0].num_hosts, tonumber(per_pool["0"] or 0), "pool 0's hosts")
local one = interface.getHostPoolStats(1)
eq(one[1].num_hosts, stats[1].num_hosts, "getHostPoolStats: keyed by the pool's id, as ntopng")
eq(next(interface.getHostPoolStats(99)), nil, "a pool not loaded: empty")
t.expect_error_ignoring_position(
   "interface.getHostPoolStats: argument #1 (pool_id) expected integer, got string",
   interface.getHostPoolStats, "x")

-- A malformed member: refused, the pools as they were.
ntop.setMembersCache(members(3), "not-an-address")
local ok, err = ntop.reloadHostPools()
eq(ok, nil, "refused")
eq(err, "host pools: member 'not-an-address' is neither an address, a network nor a MAC", "why")
eq(interface.getHostInfo("192.168.2.126").host_pool_id, 4, "unchanged")

-- Pools gone: every host back to 0.
for _, id in ipairs({"1", "2", "3", "4"}) do
   ntop.delCache(members(id))
   ntop.delCache(details(id))
end
ntop.delCache(IDS)
eq(select("#", ntop.reloadHostPools()), 0, "reloaded")
for _, host in pairs(interface.getHostsInfo(false).hosts) do
   eq(host.host_pool_id, 0, host.ip .. ": not assigned")
end

-- The pools lock: this run holds it until it lets go (or ends).
eq(ntop.poolsLock(1), true, "taken")
eq(ntop.poolsLock(0), true, "held by this run already")
eq(ntop.poolsUnlock(), true, "released")
eq(ntop.poolsUnlock(), false, "not held")
eq(ntop.poolsLock(5), true, "taken again (released when the run ends)")
eq(ntop.poolsLock(), true, "the spec's form: no argument")
t.expect_error_ignoring_position("ntop.poolsLock: argument #1 (max_secs) expected integer, got string",
                                 ntop.poolsLock, "soon")

-- resetPoolsQuotas: one pool's counters (ntopng's nEdge function; here an administrator's).
eq(select("#", interface.resetPoolsQuotas(0)), 1, "one value")
eq(interface.resetPoolsQuotas(0), nil, "nil, as ntopng")
eq(interface.getHostPoolsStats()[0]["bytes.sent"], 0, "pool 0 zeroed")
eq(next(interface.getHostPoolsStats()[0].ndpi), nil, "and its applications")
eq(interface.getHostPoolsStats()[0]["seen.first"], p0["seen.first"], "when it was seen stays")
eq(interface.resetPoolsQuotas(), nil, "every pool")
eq(interface.resetPoolsQuotas(70000), nil, "no such pool: nothing to reset")
