--
-- rest_query: what the REST v2 read endpoints (get/interface, get/host, get/flow, consts)
-- share: reading and checking the request's parameters with ntopng's names, selecting the
-- interface, finding the host, paging, ntopng's "Other" slice, and the small tables of names
-- (L4 protocols, nDPI confidence) that ntopng keeps in its Lua modules.
--
-- Every check that fails has already answered the request: the caller just returns.
--
require "lua_utils"
local rest_utils = require("rest_utils")

local rest_query = {}
local err = rest_utils.consts.err

-- ############################################################################
-- Parameters

-- The request's parameters as ntopng reads them: the query string, else the fields of a JSON
-- or form body (ntopng's examples post {"ifid": "1"} to the get/ endpoints).
function rest_query.params()
   local p = {}
   for k, v in pairs(_POST or {}) do p[k] = v end
   for k, v in pairs(_GET or {}) do p[k] = v end
   p.JSON = nil
   return p
end

-- Answers `rc` and returns nil, so that a check reads `return rest_query.fail(...)`.
function rest_query.fail(rc)
   rest_utils.answer(rc or err.invalid_args)
   return nil
end

local function present(v) return v ~= nil and v ~= "" end

-- An integer parameter in [min, max]: the value, nil when absent, false when malformed.
function rest_query.integer(p, name, min, max)
   local v = p[name]
   if not present(v) then return nil end
   local n = math.tointeger(tonumber(v))
   if n == nil or not tostring(v):match("^%s*[-+]?%d+%s*$") then return false end
   if (min and n < min) or (max and n > max) then return false end
   return n
end

-- "true"/"false" (also 1/0): the boolean, `default` when absent, nil when malformed.
function rest_query.boolean(p, name, default)
   local v = p[name]
   if not present(v) then return default end
   if v == "true" or v == "1" then return true end
   if v == "false" or v == "0" then return false end
   return nil
end

-- One of `allowed` (a list): the value, `default` when absent, nil when not allowed.
function rest_query.enum(p, name, allowed, default)
   local v = p[name]
   if not present(v) then return default end
   for _, a in ipairs(allowed) do
      if a == v then return v end
   end
   return nil
end

-- Checks integer parameters given as {name = {min, max}, ...}: a table of the values read,
-- or nil after answering INVALID_ARGUMENTS.
function rest_query.integers(p, spec)
   local out = {}
   for name, range in pairs(spec) do
      local v = rest_query.integer(p, name, range[1], range[2])
      if v == false then return rest_query.fail(err.invalid_args) end
      out[name] = v
   end
   return out
end

-- Checks "true"/"false" parameters given as {name = default, ...}: a table of the values, or
-- nil after answering INVALID_ARGUMENTS.
function rest_query.booleans(p, spec)
   local out = {}
   for name, default in pairs(spec) do
      local v = rest_query.boolean(p, name, default)
      if v == nil then return rest_query.fail(err.invalid_args) end
      out[name] = v
   end
   return out
end

-- ############################################################################
-- Interface and host

-- Selects the interface named by `ifid` (an id, or a name as given to -i). A missing or
-- unknown interface answers INVALID_INTERFACE, as ntopng; returns the numeric ifid.
function rest_query.select_interface(p)
   local ifid = p["ifid"]
   if not present(ifid) then return rest_query.fail(err.invalid_interface) end
   if interface.select(tostring(ifid)) == nil then return rest_query.fail(err.invalid_interface) end
   return interface.getId()
end

local function isIPv4(s)
   local a, b, c, d = tostring(s):match("^(%d+)%.(%d+)%.(%d+)%.(%d+)$")
   if a == nil then return false end
   for _, o in ipairs({ a, b, c, d }) do
      if #o > 3 or tonumber(o) > 255 then return false end
   end
   return true
end

function rest_query.is_address(s)
   return isIPv4(s) or ntop.isIPv6(tostring(s))
end

-- ntopng's host parameters: `host` ("ip" or "ip@vlan") and optionally `vlan`, which wins.
-- Returns {host = ip, vlan = n}, or nil after answering INVALID_ARGUMENTS (missing, not an
-- address, or a bad VLAN).
function rest_query.host_param(p)
   local text = p["host"]
   if not present(text) then return rest_query.fail(err.invalid_args) end
   local ip, at = tostring(text):match("^([^@]+)@?(.*)$")
   if ip == nil or not rest_query.is_address(ip) then return rest_query.fail(err.invalid_args) end
   local vlan = 0
   if at ~= "" then
      vlan = math.tointeger(tonumber(at))
      if vlan == nil or not at:match("^%d+$") or vlan > 4095 then
         return rest_query.fail(err.invalid_args)
      end
   end
   local v = rest_query.integer(p, "vlan", 0, 4095)
   if v == false then return rest_query.fail(err.invalid_args) end
   return { host = ip, vlan = v or vlan }
end

-- Selects the interface and finds the host of the request (with its nDPI details unless
-- `without_details`): ifid, hostinfo, host table; nil after answering (NOT_FOUND for a host
-- the interface does not have or the user may not see).
function rest_query.host(p, without_details)
   local ifid = rest_query.select_interface(p)
   if ifid == nil then return nil end
   local hinfo = rest_query.host_param(p)
   if hinfo == nil then return nil end
   local lookup = without_details and interface.findHost or interface.getHostInfo
   local h = lookup(hinfo.host, hinfo.vlan)
   if h == nil then return rest_query.fail(err.not_found) end
   return ifid, hinfo, h
end

-- ntopng's hostinfo2jqueryid: "192.168.1.1" -> "192__168__1__1", "::1@10" -> "____1@10".
function rest_query.host_key(ip, vlan)
   local k = tostring(ip):gsub("%.", "__"):gsub(":", "____"):gsub("/", "___")
   if vlan ~= nil and vlan ~= 0 then k = k .. "@" .. vlan end
   return k
end

-- A table encoded as a JSON object even when empty.
function rest_query.object(t)
   return setmetatable(t or {}, { __jsontype = "object" })
end

-- ############################################################################
-- Paging (ntopng's currentPage / perPage / sortColumn / sortOrder)

-- The largest page an endpoint answers: bigger requests are INVALID_ARGUMENTS (a page of every
-- flow of a busy interface would take seconds and hundreds of MB to build).
rest_query.MAX_PER_PAGE = 1000
rest_query.MAX_ALL = 10000  -- host/active's all=true

-- `columns` lists the sortColumn values the endpoint accepts, without ntopng's "column_"
-- prefix (given with or without it). Returns {currentPage, perPage, toSkip, sortColumn
-- ("column_<name>"), sortOrder, a2z}, or nil after answering INVALID_ARGUMENTS.
function rest_query.paging(p, columns, default_column, default_order)
   local currentPage = rest_query.integer(p, "currentPage", 1)
   local perPage = rest_query.integer(p, "perPage", 1, rest_query.MAX_PER_PAGE)
   if currentPage == false or perPage == false then return rest_query.fail(err.invalid_args) end
   currentPage = currentPage or 1
   perPage = perPage or 10
   -- Past 2^32 rows there is nothing to page (and the skip must not wrap around).
   if currentPage > (4294967295 // perPage) then return rest_query.fail(err.invalid_args) end

   local column = p["sortColumn"]
   if present(column) then
      column = tostring(column):gsub("^column_", "")
      local known = false
      for _, c in ipairs(columns) do
         if c == column then known = true end
      end
      if not known then return rest_query.fail(err.invalid_args) end
   else
      column = default_column
   end
   local order = rest_query.enum(p, "sortOrder", { "asc", "desc" }, default_order)
   if order == nil then return rest_query.fail(err.invalid_args) end
   return {
      currentPage = currentPage, perPage = perPage, toSkip = (currentPage - 1) * perPage,
      sortColumn = "column_" .. column, sortOrder = order, a2z = (order == "asc"),
   }
end

-- The paged answer's envelope fields, as ntopng writes them.
function rest_query.page_answer(page, data, total)
   return {
      currentPage = page.currentPage, perPage = page.perPage, totalRows = total,
      sort = { { page.sortColumn, page.sortOrder } }, data = data,
   }
end

-- ############################################################################
-- Pie charts

-- ntopng's collapse of {label, value} slices: sorted by value, largest first; the first
-- `min_slices` stay, any other below `threshold_pct` percent of the total goes into one
-- "Other" slice, appended last when it is not 0.
function rest_query.collapse(slices, min_slices, threshold_pct)
   table.sort(slices, function(a, b)
      if a.value ~= b.value then return a.value > b.value end
      return tostring(a.label) < tostring(b.label)
   end)
   local total = 0
   for _, s in ipairs(slices) do total = total + s.value end
   local bound = total * threshold_pct / 100
   local out, other = {}, 0
   for i, s in ipairs(slices) do
      if i <= min_slices or s.value >= bound then
         out[#out + 1] = s
      else
         other = other + s.value
      end
   end
   if other > 0 then out[#out + 1] = { label = "Other", value = other } end
   return out
end

-- {label, value} slices of a {[name] = stats} table, with value = value_of(stats); zero
-- values are left out.
function rest_query.slices(by_name, value_of)
   local out = {}
   for name, s in pairs(by_name or {}) do
      local v = value_of(s)
      if v > 0 then out[#out + 1] = { label = name, value = v } end
   end
   return out
end

-- The same, summed by group_of(name, stats) (a breed, a category).
function rest_query.grouped_slices(by_name, group_of, value_of)
   local sums = {}
   for name, s in pairs(by_name or {}) do
      local g = group_of(name, s)
      sums[g] = (sums[g] or 0) + value_of(s)
   end
   return rest_query.slices(sums, function(v) return v end)
end

-- Bytes by application (ndpi), by breed, or by category (ndpi_categories) as slices, for
-- the `breed` and `ndpi_category` views of the l7 stats endpoints.
function rest_query.l7_slices(ndpi, ndpi_categories, opts)
   if opts.breed then
      return rest_query.grouped_slices(ndpi, function(_, v) return v.breed end, rest_query.bytes_of)
   elseif opts.ndpi_category then
      return rest_query.slices(ndpi_categories, rest_query.bytes_of)
   end
   return rest_query.slices(ndpi, rest_query.bytes_of)
end

-- ntopng's collapse of the l7 stats endpoints: under 3% into "Other" unless collapse_stats
-- is false; then every slice, largest first.
function rest_query.l7_collapse(slices, opts)
   if opts.collapse_stats then return rest_query.collapse(slices, 1, 3) end
   return rest_query.collapse(slices, #slices, 0)
end

function rest_query.bytes_of(s)
   return s["bytes"] or ((s["bytes.sent"] or 0) + (s["bytes.rcvd"] or 0))
end

-- The link to the flows of an application, for names nDPI knows (ntopng's getAppUrl).
function rest_query.app_url(name, known)
   if known[name] == nil then return nil end
   return ntop.getHttpPrefix() .. "/lua/flows_stats.lua?application=" .. name
end

-- ############################################################################
-- Names ntopng keeps in Lua

-- ntopng's l4_keys: {name, key, IP protocol number}, in its order.
rest_query.l4_keys = {
   { "IP", "ip", 0 }, { "ICMP", "icmp", 1 }, { "IGMP", "igmp", 2 }, { "TCP", "tcp", 6 },
   { "UDP", "udp", 17 }, { "IPv6", "ipv6", 41 }, { "RSVP", "rsvp", 46 }, { "GRE", "gre", 47 },
   { "ESP", "esp", 50 }, { "IPv6-ICMP", "ipv6icmp", 58 }, { "EIGRP", "eigrp", 88 },
   { "OSPF", "ospf", 89 }, { "PIM", "pim", 103 }, { "VRRP", "vrrp", 112 },
   { "L2TP", "l2tp", 115 }, { "HIP", "hip", 139 }, { "SCTP", "sctp", 132 },
   { "ICMPv6", "icmpv6", 58 }, { "IGMP", "igmp", 2 }, { "Other IP", "other_ip", -1 },
}

-- The IP protocol number of an L4 name as flows carry it ("TCP", "ICMPv6", "pim", "99"),
-- or of a number given as text; nil when unknown.
function rest_query.l4_id(name)
   local n = math.tointeger(tonumber(name))
   if n ~= nil then return n end
   local lower = tostring(name):lower()
   for _, k in ipairs(rest_query.l4_keys) do
      if k[1]:lower() == lower or k[2] == lower then return k[3] end
   end
   return nil
end

-- ntopng's confidence of a flow's classification from nDPI's value: -1 Unknown, 0 Guess
-- (by port or address), 1 DPI (inspection, or its cache).
function rest_query.confidence(ndpi_confidence)
   local c = tonumber(ndpi_confidence) or 0
   if c == 0 then return -1, "Unknown" end
   if c <= 2 then return 0, "Guess" end
   return 1, "DPI"
end

-- ############################################################################
-- Hosts and flows

-- ntopng's name of a flow's end: the host's name when it has one, else its address.
function rest_query.peer_name(h, ip)
   if h ~= nil and not isEmptyString(h.name) then return h.name end
   return ip
end

return rest_query
