-- options: -i tests/data/pcap/1kxun.pcap -m 192.168.2.0/24
-- interface.* over a real capture (read to its end before the test): counters, flows, hosts,
-- MACs and nDPI views agree with the capture (1723 packets, 2527774 bytes, 197 flows by
-- ndpiReader 4.2) and with each other.

local t = require("testing")
local eq = t.eq

local TOTAL_PACKETS, TOTAL_BYTES, TOTAL_FLOWS = 1723, 2527774, 197

eq(interface.isPcapDumpInterface(), true, "a capture file")
eq(interface.isRunning(), false, "its packet thread ended with the file")
eq(interface.isIdle(), true, "a file read to its end is idle")

-- ############################################################################
-- Counters

local stats = interface.getStats()
eq(stats.stats.packets, TOTAL_PACKETS, "packets")
eq(stats.stats.bytes, TOTAL_BYTES, "bytes")
eq(stats.stats.flows, TOTAL_FLOWS, "flows")
eq(stats.stats.malformed, 0, "malformed")
eq(stats.num_flows, TOTAL_FLOWS, "num_flows")
eq(interface.getNumFlows(), TOTAL_FLOWS, "getNumFlows")
eq(interface.getNumHosts(), stats.stats.hosts, "getNumHosts")
eq(stats.stats_since_reset.packets, TOTAL_PACKETS, "since reset before any reset")
interface.resetCounters()
eq(interface.getStats().stats_since_reset.packets, 0, "since reset after a reset")
eq(interface.getStats().stats.packets, TOTAL_PACKETS, "totals survive a reset")

-- ############################################################################
-- Flows: paging, sorting, filters

local all = interface.getFlowsInfo(nil, {maxHits = 1000})
eq(all.numFlows, TOTAL_FLOWS, "numFlows")
eq(#all.flows, TOTAL_FLOWS, "every flow on one page")
local sum_bytes, sum_packets = 0, 0
for _, f in ipairs(all.flows) do
   sum_bytes = sum_bytes + f.bytes
   sum_packets = sum_packets + f.packets
   eq(f["cli2srv.bytes"] + f["srv2cli.bytes"], f.bytes, "directions add up")
end
eq(sum_bytes, TOTAL_BYTES, "flow bytes add up to the interface's")
eq(sum_packets, TOTAL_PACKETS, "flow packets add up to the interface's")

local page1 = interface.getFlowsInfo(nil, {maxHits = 10, toSkip = 0, sortColumn = "column_bytes",
                                           a2zSortOrder = false})
eq(#page1.flows, 10, "a page of 10")
eq(page1.numFlows, TOTAL_FLOWS, "numFlows counts every match, not the page")
for i = 2, #page1.flows do
   assert(page1.flows[i - 1].bytes >= page1.flows[i].bytes, "sorted by bytes, largest first")
end
local page2 = interface.getFlowsInfo(nil, {maxHits = 10, toSkip = 10, sortColumn = "column_bytes",
                                           a2zSortOrder = false})
assert(page1.flows[10].bytes >= page2.flows[1].bytes, "page 2 follows page 1")
eq(#interface.getFlowsInfo(nil, {maxHits = 10, toSkip = 5000}).flows, 0, "past the end")

local http = interface.getnDPIProtoId("HTTP")
eq(http, 7, "HTTP's nDPI id")
local http_flows = interface.getFlowsInfo(nil, {maxHits = 1000, l7protoFilter = http})
assert(http_flows.numFlows > 0, "HTTP flows found")
for _, f in ipairs(http_flows.flows) do
   assert(f["proto.ndpi_id"] == http or f["proto.master_ndpi"] == http, "only HTTP flows")
end
local udp = interface.getFlowsInfo(nil, {maxHits = 1000, l4protoFilter = 17})
for _, f in ipairs(udp.flows) do eq(f["proto.l4"], "UDP", "only UDP flows") end
local port80 = interface.getFlowsInfo(nil, {maxHits = 1000, portFilter = 80})
for _, f in ipairs(port80.flows) do
   assert(f["cli.port"] == 80 or f["srv.port"] == 80, "only flows on port 80")
end

-- A flow as ndpiReader reports it:
-- TCP,192.168.2.126,45380,161.117.13.29,80,HTTP,80,183125,7,4845,73,178280,...,mangaweb.1kxun.mobi
local mine = interface.getFlowsInfo("161.117.13.29", {maxHits = 100})
local found
for _, f in ipairs(mine.flows) do
   if f["cli.port"] == 45380 then found = f end
end
assert(found, "the flow 192.168.2.126:45380 -> 161.117.13.29:80")
eq(found["cli.ip"], "192.168.2.126", "client")
eq(found["srv.ip"], "161.117.13.29", "server")
eq(found.packets, 80, "packets")
eq(found.bytes, 183125, "bytes")
eq(found["cli2srv.packets"], 7, "client to server packets")
eq(found["cli2srv.bytes"], 4845, "client to server bytes")
eq(found["srv2cli.bytes"], 178280, "server to client bytes")
eq(found["proto.ndpi"], "HTTP", "application")
eq(found["proto.l4"], "TCP", "L4")
eq(found.host_server_name, "mangaweb.1kxun.mobi", "HTTP Host")
eq(found["cli2srv.tcp_flags"], 24, "PSH+ACK: the capture starts mid-connection")
eq(found["tcp_established"], false, "so no handshake was seen")

local key = interface.getFlowKey("192.168.2.126", 45380, "161.117.13.29", 80, 6)
eq(key, found["ntopng.key"], "getFlowKey")
local again = interface.findFlowByKeyAndHashId(key, found.hash_entry_id)
assert(again, "findFlowByKeyAndHashId")
eq(again.bytes, found.bytes, "the same flow")
eq(interface.findFlowByKeyAndHashId(key, found.hash_entry_id + 100000), nil, "wrong hash id")
eq(interface.getFlowKey("10.9.9.9", 1, "10.9.9.8", 2, 6), nil, "no such flow")

local fstats = interface.getFlowsStats()
eq(fstats.num_flows, TOTAL_FLOWS, "getFlowsStats counts every flow")
local app_http = 0
for _, f in ipairs(all.flows) do
   if f["proto.ndpi_id"] == http then app_http = app_http + 1 end
end
eq(fstats.ndpi.HTTP.count, app_http, "getFlowsStats counts flows by application")

-- ############################################################################
-- Hosts

local hosts = interface.getHostsInfo(true, "column_traffic", 100000, 0, false)
eq(hosts.numHosts, interface.getNumHosts(), "numHosts")
local sent, rcvd, n = 0, 0, 0
for key, h in pairs(hosts.hosts) do
   n = n + 1
   sent = sent + h["bytes.sent"]
   rcvd = rcvd + h["bytes.rcvd"]
   eq(key, h.ip .. (h.vlan ~= 0 and ("@" .. h.vlan) or ""), "hosts keyed ip[@vlan]")
end
eq(n, hosts.numHosts, "every host on one page")
eq(sent, TOTAL_BYTES, "what hosts sent is every flow byte once")
eq(rcvd, TOTAL_BYTES, "what hosts received is every flow byte once")

local local_hosts = interface.getLocalHostsInfo(false, "column_ip", 100000, 0, true)
local remote_hosts = interface.getRemoteHostsInfo(false, "column_ip", 100000, 0, true)
eq(local_hosts.numHosts + remote_hosts.numHosts, hosts.numHosts, "local + remote = all")
assert(local_hosts.numHosts > 0, "local hosts exist")
for _, h in pairs(local_hosts.hosts) do
   assert(h.ip:find("^192%.168%.2%."), "local means inside -m: " .. h.ip)
   eq(h.localhost, true, "localhost flag")
   eq(h.local_network_id, 0, "network id of 192.168.2.0/24")
end

local top = interface.getHostsInfo(false, "column_traffic", 3, 0, false)
local count = 0
for _ in pairs(top.hosts) do count = count + 1 end
eq(count, 3, "maxHits")

local h = interface.getHostInfo("192.168.2.126")
assert(h, "getHostInfo")
eq(h.ip, "192.168.2.126", "ip")
assert(h["bytes.sent"] > 0 and h["bytes.rcvd"] > 0, "traffic both ways")
assert(h.ndpi and h.ndpi.HTTP and h.ndpi.HTTP["bytes.rcvd"] > 0, "per-application breakdown")
assert(h["total_flows.as_client"] > 0, "flows as client")
eq(h["tcp.bytes.sent"] + h["udp.bytes.sent"] + h["icmp.bytes.sent"] + h["other_ip.bytes.sent"],
   h["bytes.sent"], "L4 breakdown adds up")
local host_flows = interface.getFlowsInfo("192.168.2.126", {maxHits = 1000})
local hb = 0
for _, f in ipairs(host_flows.flows) do hb = hb + f.bytes end
eq(hb, h["bytes.sent"] + h["bytes.rcvd"], "a host's bytes are its flows' bytes")
eq(interface.getHostInfo("203.0.113.99"), nil, "unknown host")
eq(interface.findHost("192.168.2.126").ip, "192.168.2.126", "findHost")

-- ############################################################################
-- MACs, VLANs, networks

local macs = interface.getMacsInfo("column_traffic", 1000, 0, false)
assert(macs.numMacs > 0, "MAC hosts")
local first = macs.macs[1]
eq(interface.getMacInfo(first.mac).mac, first.mac, "getMacInfo")
eq(interface.getMacInfo("02:00:00:00:00:99"), nil, "unknown MAC")
eq(interface.getVLANsInfo().numVLANs, 0, "no VLAN in this capture")
local nets = interface.getNetworksStats()
assert(nets["192.168.2.0/24"], "the local network's stats")
assert(nets["192.168.2.0/24"]["bytes.sent"] > 0, "local network traffic")

-- ############################################################################
-- nDPI

local ndpi = interface.getnDPIStats()
local nb = 0
for _, s in pairs(ndpi.ndpi) do nb = nb + s.bytes end
eq(nb, TOTAL_BYTES, "per-application bytes add up")
assert(ndpi.ndpi.HTTP.num_flows > 0, "HTTP flows counted")
local cb = 0
for _, s in pairs(ndpi.ndpi_categories) do cb = cb + s.bytes end
eq(cb, TOTAL_BYTES, "per-category bytes add up")
eq(interface.getnDPIProtoName(7), "HTTP", "getnDPIProtoName")
eq(interface.getnDPIProtoName(60000), "Unknown", "getnDPIProtoName of an unknown id")
eq(interface.getnDPIProtocols()["HTTP"], 7, "getnDPIProtocols")
local web = interface.getnDPICategoryId("Web")
eq(interface.getnDPICategoryName(web), "Web", "category id and name")
eq(interface.getnDPICategories()["Web"], web, "getnDPICategories")
for name, id in pairs(interface.getnDPIProtocols(web)) do
   eq(ntop.getnDPIProtoCategory(id), web, "getnDPIProtocols(category) filters: " .. name)
end

-- Section 17: categories and custom categories.
eq(ntop.getnDPIProtoCategory(7), web, "HTTP is Web")
eq(ntop.isCustomApplication(7), false, "HTTP is built in")
ntop.initnDPIReload()
ntop.loadCustomCategoryHost(interface.getnDPICategoryId("Malware"), "1kxun.com")
eq(ntop.matchCustomCategory("pic.1kxun.com"), nil, "nothing applies before finalize")
ntop.finalizenDPIReload()
eq(ntop.matchCustomCategory("pic.1kxun.com"), interface.getnDPICategoryId("Malware"),
   "a subdomain matches")
eq(ntop.matchCustomCategory("1kxun.com.evil.org"), nil, "a suffix that is not a parent domain")
local streaming = interface.getnDPICategoryId("Streaming")
ntop.setnDPIProtoCategory(7, streaming)
eq(ntop.getnDPIProtoCategory(7), streaming, "setnDPIProtoCategory")

-- Flow risks carry nDPI's names and scores.
for _, f in ipairs(all.flows) do
   if f.flow_risk then
      for id, r in pairs(f.flow_risk) do
         assert(type(id) == "number" and r.name ~= "" and r.score >= 0, "risk entries")
      end
      assert(f.score > 0, "a flow with risks has a score")
   end
end

-- Per-L4 breakdown of the interface.
local l4 = interface.getStats().l4_protocols
eq(l4.TCP.bytes + (l4.UDP and l4.UDP.bytes or 0) + (l4.ICMP and l4.ICMP.bytes or 0) +
   (l4.ICMPv6 and l4.ICMPv6.bytes or 0) + (l4.IGMP and l4.IGMP.bytes or 0), TOTAL_BYTES,
   "L4 protocols add up")
