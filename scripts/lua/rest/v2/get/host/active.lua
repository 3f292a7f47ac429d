--
-- GET /lua/rest/v2/get/host/active.lua?ifid=N: the active hosts the user may see, a page at a
-- time: currentPage, perPage, sortColumn, sortOrder; filters mode (all, local, remote),
-- version (4, 6), protocol (nDPI id), asn, vlan, network (local network id), network_cidr,
-- country, mac; all (every host on one page).
-- Answers {currentPage, perPage, totalRows, sort = [[column, order]], data = [host, ...]}.
--
local dirs = ntop.getDirs()
package.path = dirs.installdir .. "/scripts/lua/modules/?.lua;" .. package.path
local rest_utils = require("rest_utils")
require "lua_utils"
local rest_query = require("rest_query")

local p = rest_query.params()
if rest_query.select_interface(p) == nil then return end
local page = rest_query.paging(p, { "ip", "name", "since", "first_seen", "last", "last_seen",
   "country", "vlan", "num_flows", "traffic", "thpt", "asn", "bytes_sent", "bytes_rcvd",
   "packets", "alerts" }, "traffic", "desc")
if page == nil then return end
local mode = rest_query.enum(p, "mode", { "all", "local", "remote" }, "all")
local f = rest_query.integers(p, { version = { 4, 6 }, protocol = { 0, 65535 },
   asn = { 0, 4294967295 }, vlan = { 0, 4095 }, network = { 0, 65535 } })
if f == nil then return end
if mode == nil or f.version == 5 then
   return rest_query.fail()
end
local mac = p["mac"]
if not isEmptyString(mac) and not tostring(mac):upper():match("^%x%x:%x%x:%x%x:%x%x:%x%x:%x%x$") then
   return rest_query.fail()
end
local cidr = p["network_cidr"]
if not isEmptyString(cidr) and not rest_query.is_address(tostring(cidr):match("^([^/]+)")) then
   return rest_query.fail()
end

-- all=true: every host on one page, at most rest_query.MAX_ALL (totalRows tells when more).
local all = p["all"] == "true" or p["all"] == "1" or p["all"] == true
local column = (page.sortColumn == "column_alerts") and "column_traffic" or page.sortColumn
local fetch = ({ all = interface.getHostsInfo, ["local"] = interface.getLocalHostsInfo,
                 remote = interface.getRemoteHostsInfo })[mode]
local res = fetch(false, column, all and rest_query.MAX_ALL or page.perPage, all and 0 or page.toSkip,
                  page.a2z, p["country"], nil, f.vlan, f.asn, f.network,
                  (not isEmptyString(mac)) and tostring(mac):upper() or nil, nil, f.version,
                  f.protocol, nil, nil, nil, nil, nil, nil,
                  (not isEmptyString(cidr)) and cidr or nil)
if res == nil then
   return rest_query.fail()
end

-- The value the interface sorted by, to put the page (a keyed table) back in order.
local sort_value = {
   column_since = function(h) return h["seen.first"] end,
   column_first_seen = function(h) return h["seen.first"] end,
   column_last = function(h) return h["seen.last"] end,
   column_last_seen = function(h) return h["seen.last"] end,
   column_country = function(h) return h.country end,
   column_vlan = function(h) return h.vlan end,
   column_num_flows = function(h) return h["active_flows.as_client"] + h["active_flows.as_server"] end,
   column_thpt = function(h) return h.throughput_bps end,
   column_asn = function(h) return h.asn end,
   column_bytes_sent = function(h) return h["bytes.sent"] end,
   column_bytes_rcvd = function(h) return h["bytes.rcvd"] end,
   column_packets = function(h) return h["packets.sent"] + h["packets.rcvd"] end,
   column_traffic = function(h) return h["bytes.sent"] + h["bytes.rcvd"] end,
}
local value_of = sort_value[column]
local hosts = {}
for _, h in pairs(res.hosts) do hosts[#hosts + 1] = h end
table.sort(hosts, function(a, b)
   if value_of ~= nil then
      local va, vb = value_of(a), value_of(b)
      if va ~= vb then
         if page.a2z then return va < vb else return va > vb end
      end
   end
   -- Ties as the interface breaks them: address, then VLAN, in the sort's direction.
   local c = ntop.ipCmp(a.ip, b.ip) or 0
   if c ~= 0 then
      if page.a2z then return c < 0 else return c > 0 end
   end
   if page.a2z then return a.vlan < b.vlan else return a.vlan > b.vlan end
end)

local data = {}
for _, h in ipairs(hosts) do
   data[#data + 1] = {
      key = rest_query.host_key(h.ip, h.vlan),
      ip = h.ip, vlan = h.vlan, name = rest_query.peer_name(h, h.ip),
      first_seen = h["seen.first"], last_seen = h["seen.last"],
      os = h.os, num_alerts = h.num_alerts, country = h.country,
      is_blacklisted = h.is_blacklisted, is_localhost = h.localhost,
      is_multicast = h.is_multicast, is_broadcast = h.is_broadcast,
      is_broadcast_domain = false,
      score = { total = h.score, as_client = 0, as_server = 0 },
      thpt = { pps = h.throughput_pps, bps = h.throughput_bps },
      bytes = { total = h["bytes.sent"] + h["bytes.rcvd"], sent = h["bytes.sent"], recvd = h["bytes.rcvd"] },
      num_flows = { total = h["active_flows.as_client"] + h["active_flows.as_server"],
                    as_client = h["active_flows.as_client"], as_server = h["active_flows.as_server"] },
   }
end
if all then
   page.perPage, page.currentPage = 0, 0
end
rest_utils.answer(rest_utils.consts.success.ok, rest_query.page_answer(page, data, res.numHosts))
