--
-- GET /lua/rest/v2/get/flow/active_list.lua?ifid=N: the active flows as ntopng's flows table
-- reads them: start/length (or currentPage/perPage), sort (client, server, l4_proto,
-- application, first_seen, last_seen, throughput, bytes ...) and order, and the filters of
-- get/flow/active. Answers rsp = [flow, ...] with recordsTotal beside rsp.
--
local dirs = ntop.getDirs()
package.path = dirs.installdir .. "/scripts/lua/modules/?.lua;" .. package.path
local rest_utils = require("rest_utils")
require "lua_utils"
local rest_query = require("rest_query")
local flow_rest = require("flow_rest")

local p = rest_query.params()
local ifid = rest_query.select_interface(p)
if ifid == nil then return end

-- The table's column names, as ntopng maps them to sort columns.
local columns = { server = "server", client = "client", l4_proto = "proto_l4",
   application = "ndpi", protocol = "ndpi", first_seen = "first_seen", last_seen = "last_seen",
   throughput = "thpt", bytes = "bytes", score = "bytes", info = "bytes" }
if not isEmptyString(p.sort) then
   if columns[p.sort] == nil then
      return rest_query.fail()
   end
   p.sortColumn = columns[p.sort]
   p.sortOrder = (p.order == "asc") and "asc" or "desc"
end
if not isEmptyString(p.start) or not isEmptyString(p.length) then
   local start = rest_query.integer(p, "start", 0)
   local length = rest_query.integer(p, "length", 1, rest_query.MAX_PER_PAGE)
   if start == false or length == false then
      return rest_query.fail()
   end
   -- start/length as a page: ntopng skips `start` flows.
   start, length = start or 0, length or 10
   p.perPage, p.currentPage, p.toSkip = length, 1, start
end
local page, res = flow_rest.query(p, p.toSkip)
if page == nil then return end

local function peer(f, side, h)
   local ip, port = f[side .. ".ip"], f[side .. ".port"]
   local e = { ip = ip, port = port, name = rest_query.peer_name(h, ip), process = {},
               container = {}, allowed_host = true, country = h and h.country or "" }
   if f.vlan ~= 0 then
      e.vlan = f.vlan
      e.name = e.name .. "@" .. f.vlan
   end
   if h ~= nil and h.localhost then e.localhost = true else e.remotehost = true end
   if f["proto.l4"] == "TCP" or f["proto.l4"] == "UDP" then
      e.service_port = ntop.getservbyport(port, f["proto.l4"]:lower())
   end
   return e
end

local rsp = {}
for _, f in ipairs(res.flows) do
   local cli_h, srv_h = flow_rest.hosts(f)
   local conf_id, conf = rest_query.confidence(f["proto.ndpi_confidence"])
   local info = f.info or ""
   if f.icmp ~= nil then info = string.format("type %d code %d", f.icmp.type, f.icmp.code) end
   rsp[#rsp + 1] = {
      key = string.format("%u", f["ntopng.key"]), hash_id = string.format("%u", f.hash_entry_id),
      ifid = ifid, first_seen = f["seen.first"], last_seen = f["seen.last"], duration = f.duration,
      client = peer(f, "cli", cli_h), server = peer(f, "srv", srv_h),
      l4_proto = { id = f["proto.l4_id"], name = f["proto.l4"] },
      application = { name = f["proto.ndpi"], app_id = f["proto.ndpi_id"],
                      master_id = f["proto.master_ndpi"], breed = f["proto.ndpi_breed"],
                      confidence_id = conf_id, confidence = conf,
                      encrypted = flow_rest.is_encrypted(f) },
      bytes = { total = f.bytes, cli_bytes = f["cli2srv.bytes"], srv_bytes = f["srv2cli.bytes"] },
      throughput = { type = "bps", bps = f.throughput_bps, pps = f.throughput_pps, trend = 0 },
      score = f.score, info = info, verdict = true, periodic_flow = false,
   }
end
rest_utils.extended_answer(rest_utils.consts.success.ok, rsp, { recordsTotal = res.numFlows })
