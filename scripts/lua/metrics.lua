--
-- /metrics: flowlens's counters for Prometheus (text exposition format 0.0.4). The HTTP server
-- routes /metrics here and authenticates it as a REST call (token or Basic auth).
-- Every metric, its labels and its cardinality bound are documented in docs/metrics.md: the
-- names are stable, change them only with that page.
--
-- Query parameter: `top_hosts` (0..100, default 10), the hosts listed per interface.
--

local prom = require("prometheus")

local TOP_HOSTS_DEFAULT, TOP_HOSTS_MAX = 10, 100

local started = ntop.getticks()
local m = prom.new()

local function topHostsWanted()
   local n = math.tointeger(tonumber(_GET and _GET["top_hosts"] or ""))
   if n == nil then return TOP_HOSTS_DEFAULT end
   return math.max(0, math.min(TOP_HOSTS_MAX, n))
end

-- ############################################################################
-- Families, in the order they are written

local INTERFACE_COUNTERS = {  -- family, field of getStats().stats, help
   { "flowlens_interface_packets_total", "packets",
     "Frames captured on the interface: IP, non-IP and malformed." },
   { "flowlens_interface_bytes_total", "bytes",
     "Bytes of the frames captured on the interface (whole frames, link-layer headers included)." },
   { "flowlens_interface_dropped_packets_total", "drops",
     "Packets the kernel dropped before capture (live interfaces; 0 for capture files)." },
   { "flowlens_interface_fragments_total", "fragments", "IPv4 and IPv6 fragments." },
   { "flowlens_interface_non_ip_packets_total", "non_ip_packets",
     "Frames without IP (ARP, LLDP, STP ...)." },
   { "flowlens_interface_flow_table_dropped_packets_total", "flow_drops",
     "IP packets left out of flows because the flow table was full (-X)." },
   { "flowlens_interface_host_table_dropped_flows_total", "host_drops",
     "Flows created while the host table was full (-x), one per missing host." },
}
local INTERFACE_GAUGES = {  -- family, field of getStats(), help
   { "flowlens_interface_flows", "num_flows", "Active flows in the flow table." },
   { "flowlens_interface_flows_max", "max_num_flows", "Capacity of the flow table (-X)." },
   { "flowlens_interface_hosts", "num_hosts", "Hosts in the host table." },
   { "flowlens_interface_hosts_max", "max_num_hosts", "Capacity of the host table (-x)." },
   { "flowlens_interface_local_hosts", "num_local_hosts", "Local hosts in the host table." },
   { "flowlens_interface_macs", "num_macs", "MAC addresses in the host table." },
   { "flowlens_interface_throughput_bits_per_second", "throughput_bps",
     "Bits per second over the last one-second sample." },
   { "flowlens_interface_throughput_packets_per_second", "throughput_pps",
     "Packets per second over the last one-second sample." },
   { "flowlens_interface_running", "isRunning",
     "1 while the interface captures, 0 once a capture file is read or a live capture failed." },
}
local APPLICATION_COUNTERS = {  -- family, field of getnDPIStats().ndpi[name], help
   { "flowlens_application_bytes_total", "bytes",
     "Bytes per nDPI application (its master protocol when it has none), both directions." },
   { "flowlens_application_packets_total", "packets", "Packets per nDPI application." },
   { "flowlens_application_flows_total", "num_flows", "Flows per nDPI application since start." },
}
local TOP_HOST_METRICS = {  -- family, type, field of the host table, help
   { "flowlens_top_host_bytes_sent_total", "counter", "bytes.sent", "Bytes the host sent." },
   { "flowlens_top_host_bytes_received_total", "counter", "bytes.rcvd",
     "Bytes the host received." },
   { "flowlens_top_host_packets_sent_total", "counter", "packets.sent",
     "Packets the host sent." },
   { "flowlens_top_host_packets_received_total", "counter", "packets.rcvd",
     "Packets the host received." },
}

for _, c in ipairs(INTERFACE_COUNTERS) do m:family(c[1], "counter", c[3]) end
m:family("flowlens_interface_malformed_packets_total", "counter",
         "Frames that could not be decoded, by reason (only reasons that occurred).")
for _, g in ipairs(INTERFACE_GAUGES) do m:family(g[1], "gauge", g[3]) end
for _, c in ipairs(APPLICATION_COUNTERS) do m:family(c[1], "counter", c[3]) end
for _, h in ipairs(TOP_HOST_METRICS) do m:family(h[1], h[2], h[4]) end
m:family("flowlens_top_host_flows", "gauge", "Active flows of the host, as client or server.")
m:family("flowlens_top_host_info", "gauge",
         "Always 1: names a top host (its resolved or server name, and whether it is local).")
m:family("flowlens_build_info", "gauge", "Always 1: the running flowlens's version.")
m:family("flowlens_start_time_seconds", "gauge", "Start time of the process, epoch seconds.")
m:family("flowlens_uptime_seconds", "gauge", "Seconds since the process started.")
m:family("flowlens_resident_memory_bytes", "gauge", "Resident memory of the process (VmRSS).")
m:family("flowlens_virtual_memory_bytes", "gauge", "Virtual memory of the process (VmSize).")
m:family("flowlens_lua_states", "gauge", "Lua states of the HTTP workers now alive.")
m:family("flowlens_lua_states_max", "gauge", "Cap on the HTTP workers' Lua states (--lua-states).")
m:family("flowlens_store_up", "gauge", "1 when the key-value store answers, else 0.")
m:family("flowlens_store_keys", "gauge", "Keys in the key-value store.")
m:family("flowlens_store_memory_bytes", "gauge",
         "Memory of the key-value store (Redis used_memory; embedded: an estimate).")
m:family("flowlens_store_reconnects_total", "counter",
         "Reconnections to Redis after an outage (0 for the embedded store).")
m:family("flowlens_alerts_written_total", "counter", "Flow alerts stored (raised from nDPI risks).")
m:family("flowlens_alerts_dropped_total", "counter",
         "Alerts a recipient queue or the alert store could not take.")
m:family("flowlens_metrics_render_seconds", "gauge", "Time flowlens took to build this answer.")

-- ############################################################################
-- Per interface: the interfaces the caller may see, by ifid

local function sortedKeys(t)
   local keys = {}
   for k in pairs(t) do keys[#keys + 1] = k end
   table.sort(keys)
   return keys
end

local function addInterface(ifid, top_n)
   if not interface.select(tostring(ifid)) then return end
   local st = interface.getStats()
   if st == nil then return end
   local ifl = prom.labels({ "ifid", ifid, "ifname", st.name })
   local stats = st.stats or {}
   for _, c in ipairs(INTERFACE_COUNTERS) do m:add(c[1], ifl, stats[c[2]]) end
   local by_reason = stats.malformed_by_reason or {}
   for _, reason in ipairs(sortedKeys(by_reason)) do
      m:add("flowlens_interface_malformed_packets_total",
            ifl .. "," .. prom.labels({ "reason", reason }), by_reason[reason])
   end
   for _, g in ipairs(INTERFACE_GAUGES) do m:add(g[1], ifl, st[g[2]]) end

   -- Applications: bounded by the protocols nDPI knows.
   local ndpi = (interface.getnDPIStats() or {}).ndpi or {}
   for _, app in ipairs(sortedKeys(ndpi)) do
      local al = ifl .. "," .. prom.labels({ "application", app })
      for _, c in ipairs(APPLICATION_COUNTERS) do m:add(c[1], al, ndpi[app][c[2]]) end
   end

   -- The top_n hosts by traffic (within the caller's allowed networks), largest first.
   if top_n == 0 then return end
   local res = interface.getHostsInfo(false, "column_traffic", top_n, 0, false)
   local hosts = {}
   for _, h in pairs(res and res.hosts or {}) do hosts[#hosts + 1] = h end
   local function traffic(h) return (h["bytes.sent"] or 0) + (h["bytes.rcvd"] or 0) end
   table.sort(hosts, function(a, b)
      if traffic(a) ~= traffic(b) then return traffic(a) > traffic(b) end
      return a.tskey < b.tskey
   end)
   for _, h in ipairs(hosts) do
      local hl = ifl .. "," .. prom.labels({ "ip", h.ip, "vlan", h.vlan or 0 })
      for _, x in ipairs(TOP_HOST_METRICS) do m:add(x[1], hl, h[x[3]]) end
      m:add("flowlens_top_host_flows", hl,
            (h["active_flows.as_client"] or 0) + (h["active_flows.as_server"] or 0))
      m:add("flowlens_top_host_info", hl .. "," .. prom.labels({
         "name", h.name or "", "local", h.localhost and "true" or "false" }), 1)
   end
end

local top_n = topHostsWanted()
local ifids = {}
for id in pairs(interface.getIfNames() or {}) do ifids[#ifids + 1] = tonumber(id) end
table.sort(ifids)
for _, ifid in ipairs(ifids) do addInterface(ifid, top_n) end

-- ############################################################################
-- flowlens itself

local info = ntop.getInfo(false)
m:add("flowlens_build_info", prom.labels({ "version", info.version, "revision", info.revision }), 1)
m:add("flowlens_start_time_seconds", "", ntop.getStartupEpoch())
m:add("flowlens_uptime_seconds", "", ntop.getUptime())
-- The process's resources and the store: for administrators only (their families stay, empty).
local is_admin = (_SESSION ~= nil) and (_SESSION["group"] == "administrator")
if is_admin then
   local sys = ntop.systemHostStat()
   m:add("flowlens_resident_memory_bytes", "", (sys.mem_ntopng_resident or 0) * 1024)
   m:add("flowlens_virtual_memory_bytes", "", (sys.mem_ntopng_virtual or 0) * 1024)
   m:add("flowlens_lua_states", "", sys.lua_states)
   m:add("flowlens_lua_states_max", "", sys.lua_states_max)
   local store = ntop.getCacheStatus()
   local bl = prom.labels({ "backend", store.backend })
   m:add("flowlens_store_up", bl, store.connected)
   m:add("flowlens_store_keys", bl, store.dbsize)
   m:add("flowlens_store_memory_bytes", bl, store.memory)
   m:add("flowlens_store_reconnects_total", bl, store.reconnects)
   m:add("flowlens_alerts_written_total", "", sys.written_alerts)
   m:add("flowlens_alerts_dropped_total", "", sys.dropped_alerts)
end
m:add("flowlens_metrics_render_seconds", "", (ntop.getticks() - started) / ntop.gettickspersec())

flowlens.setContentType(prom.CONTENT_TYPE)
print(m:render())
