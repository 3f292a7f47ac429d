--
-- flow_rest: what get/flow/active and get/flow/active_list share: ntopng's flow filters
-- (getFlowsFilter) read from the request, the query, and the hosts at both ends.
--
require "lua_utils"
local rest_query = require("rest_query")

local flow_rest = {}
local err = require("rest_utils").consts.err

local function present(v) return v ~= nil and v ~= "" end

-- The getFlowsInfo paginator of ntopng's flow filters: application (nDPI name or id),
-- category (name, "cat_<id>" or id), l4proto (name or number), port, vlan, host; nil after
-- answering INVALID_ARGUMENTS for a value that names nothing.
function flow_rest.filter(p, page)
   local f = { sortColumn = page.sortColumn, a2zSortOrder = page.a2z,
               maxHits = page.perPage, toSkip = page.toSkip }
   local ints = rest_query.integers(p, { port = { 0, 65535 }, vlan = { 0, 4095 } })
   if ints == nil then return nil end
   f.portFilter, f.vlanIdFilter = ints.port, ints.vlan
   if present(p.application) then
      local id = math.tointeger(tonumber(p.application)) or interface.getnDPIProtocols()[p.application]
      if id == nil then return rest_query.fail(err.invalid_args) end
      f.l7protoFilter = id
   end
   if present(p.category) then
      local name = tostring(p.category):gsub("^cat_", "")
      local id = math.tointeger(tonumber(name)) or interface.getnDPICategoryId(name)
      if id == nil or id < 0 then return rest_query.fail(err.invalid_args) end
      f.l7categoryFilter = id
   end
   if present(p.l4proto) then
      local id = rest_query.l4_id(p.l4proto)
      if id == nil or id < 0 or id > 255 then return rest_query.fail(err.invalid_args) end
      f.l4protoFilter = id
   end
   local host = nil
   if present(p.host) then
      local hinfo = rest_query.host_param({ host = p.host })
      if hinfo == nil then return nil end
      host = hinfo.host
      if hinfo.vlan ~= 0 and f.vlanIdFilter == nil then f.vlanIdFilter = hinfo.vlan end
   end
   return f, host
end

flow_rest.columns = { "bytes", "client", "cli", "server", "srv", "first_seen", "last_seen",
   "duration", "packets", "thpt", "ndpi", "proto_l7", "proto_l4", "vlan" }

-- Reads paging and filters and queries the selected interface: page, {flows, numFlows}; nil
-- after answering. `to_skip` replaces the page's offset (active_list's start).
function flow_rest.query(p, to_skip)
   local page = rest_query.paging(p, flow_rest.columns, "bytes", "desc")
   if page == nil then return nil end
   if to_skip ~= nil then page.toSkip = to_skip end
   local filter, host = flow_rest.filter(p, page)
   if filter == nil then return nil end
   local res = interface.getFlowsInfo(host, filter)
   if res == nil then return rest_query.fail(err.invalid_args) end
   return page, res
end

-- The host tables (without nDPI details) of a flow's client and server, nil for one the
-- interface no longer has.
function flow_rest.hosts(f)
   return interface.findHost(f["cli.ip"], f.vlan), interface.findHost(f["srv.ip"], f.vlan)
end

-- Protocols nDPI counts as encrypted, by the flow's master (or only) protocol's name.
local encrypted = { TLS = true, QUIC = true, DTLS = true, SSH = true, IPSec = true,
   OpenVPN = true, WireGuard = true, Tor = true, DoH_DoT = true, IMAPS = true, POPS = true,
   SMTPS = true, FTPS = true, Signal = true, SRTP = true }

function flow_rest.is_encrypted(f)
   local master = tostring(f["proto.ndpi"] or ""):match("^([^.]+)")
   return encrypted[master] == true
end

return flow_rest
