--
-- GET /lua/rest/v2/get/flow/active.lua?ifid=N: the active flows the user may see, a page at a
-- time: currentPage, perPage, sortColumn, sortOrder; filters host (IP[@VLAN]), vlan, port,
-- application (nDPI name or id), category (name or id), l4proto (name or number);
-- verbose=true adds packets and TCP counters.
-- Answers {currentPage, perPage, totalRows, sort = [[column, order]], data = [flow, ...]}.
--
local dirs = ntop.getDirs()
package.path = dirs.installdir .. "/scripts/lua/modules/?.lua;" .. package.path
local rest_utils = require("rest_utils")
require "lua_utils"
local rest_query = require("rest_query")
local flow_rest = require("flow_rest")

local p = rest_query.params()
if rest_query.select_interface(p) == nil then return end
local verbose = rest_query.boolean(p, "verbose", false)
if verbose == nil then
   return rest_query.fail()
end
local page, res = flow_rest.query(p)
if page == nil then return end

local function peer(f, side, h)
   return { ip = f[side .. ".ip"], port = f[side .. ".port"], name = rest_query.peer_name(h, f[side .. ".ip"]),
            is_blacklisted = h ~= nil and h.is_blacklisted or false, is_dhcp = false }
end

local data = {}
for _, f in ipairs(res.flows) do
   local cli_h, srv_h = flow_rest.hosts(f)
   local client, server = peer(f, "cli", cli_h), peer(f, "srv", srv_h)
   client.is_broadcast_domain = false
   server.is_broadcast = false  -- ntopng's name for the server's broadcast-domain flag
   local cli2srv = (f.bytes > 0) and math.floor(f["cli2srv.bytes"] * 100 / f.bytes + 0.5) or 0
   local r = {
      key = string.format("%u", f["ntopng.key"]), hash_id = string.format("%u", f.hash_entry_id),
      first_seen = f["seen.first"], last_seen = f["seen.last"], duration = f.duration,
      client = client, server = server, vlan = f.vlan,
      protocol = { l4 = f["proto.l4"], l7 = f["proto.ndpi"] },
      bytes = f.bytes,
      thpt = { pps = f.throughput_pps, bps = f.throughput_bps },
      breakdown = { cli2srv = cli2srv, srv2cli = 100 - cli2srv },
   }
   if verbose then
      r.packets = f.packets
      if f["proto.l4"] == "TCP" then
         r.tcp = {}
         for _, what in ipairs({ "retransmissions", "out_of_order", "lost" }) do
            r.tcp[what] = { cli2srv = f["cli2srv." .. what], srv2cli = f["srv2cli." .. what] }
         end
      end
   end
   data[#data + 1] = r
end
rest_utils.answer(rest_utils.consts.success.ok, rest_query.page_answer(page, data, res.numFlows))
