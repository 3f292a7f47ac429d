--
-- ui_records: host and flow records in the shapes of ntopng's REST v2 answers
-- (get/host/active.lua, get/flow/active.lua), built from interface.* tables, for the web UI's
-- dashboard (rest/v2/get/flowlens/dashboard.lua), so that its tables draw them as they draw
-- those endpoints' pages. Names are raw text from the network: the UI inserts them as text.
--
require "lua_utils"

local ui_records = {}

-- "ip" or "ip@vlan".
function ui_records.hostKey(ip, vlan)
   if vlan ~= nil and vlan ~= 0 then return ip .. "@" .. tostring(vlan) end
   return ip
end

-- A record of get/host/active.lua from a host table.
function ui_records.host(h)
   local name = h["name"]
   if isEmptyString(name) then name = h["ip"] end
   return {
      key = ui_records.hostKey(h["ip"], h["vlan"]),
      ip = h["ip"],
      vlan = h["vlan"],
      name = name,
      country = h["country"] or "",
      first_seen = h["seen.first"],
      last_seen = h["seen.last"],
      is_localhost = h["localhost"],
      is_multicast = h["is_multicast"],
      is_broadcast = h["is_broadcast"],
      is_blacklisted = h["is_blacklisted"],
      num_alerts = h["num_alerts"],
      os = h["os"],
      thpt = { bps = h["throughput_bps"], pps = h["throughput_pps"] },
      bytes = {
         total = h["bytes.sent"] + h["bytes.rcvd"],
         sent = h["bytes.sent"],
         recvd = h["bytes.rcvd"],
      },
      num_flows = {
         total = h["active_flows.as_client"] + h["active_flows.as_server"],
         as_client = h["active_flows.as_client"],
         as_server = h["active_flows.as_server"],
      },
   }
end

local function endpoint(f, side)
   local ip = f[side .. ".ip"]
   return {
      ip = ip,
      port = f[side .. ".port"],
      name = ntop.getResolvedName(ip) or ip,
   }
end

-- A record of get/flow/active.lua from a flow table.
function ui_records.flow(f)
   local bytes = f["bytes"] or 0
   local cli2srv = bytes > 0 and round(f["cli2srv.bytes"] * 100 / bytes, 0) or 0
   return {
      key = string.format("%u", f["ntopng.key"]),
      hash_id = string.format("%u", f["hash_entry_id"]),
      first_seen = f["seen.first"],
      last_seen = f["seen.last"],
      client = endpoint(f, "cli"),
      server = endpoint(f, "srv"),
      vlan = f["vlan"],
      protocol = { l4 = f["proto.l4"], l7 = f["proto.ndpi"] },
      duration = f["duration"],
      bytes = bytes,
      thpt = { bps = f["throughput_bps"], pps = f["throughput_pps"] },
      breakdown = { cli2srv = cli2srv, srv2cli = 100 - cli2srv },
      info = f["info"] or f["host_server_name"] or "",
   }
end

return ui_records
