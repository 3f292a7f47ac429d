-- options: -i tests/data/pcap/1kxun.pcap -i tests/data/pcap/dns.pcap -m 192.168.2.0/24,192.168.170.0/24
-- interface.* identity, batched walks, host selections, flow summaries and lookups over two
-- captures read to their end: ifid 0 is 1kxun.pcap (1723 packets, 197 flows, no VLAN), ifid 1
-- is dns.pcap (one flow on VLAN 785, one untagged). Answers are checked against the capture's facts and
-- against the paged functions interface_traffic_test.lua checks.

local t = require("testing")
local eq = t.eq

local TOTAL_FLOWS = 197

-- ############################################################################
-- Identity

eq(interface.getFirstInterfaceId(), 0, "the first interface")
eq(interface.isValidIfId(0), true, "ifid 0")
eq(interface.isValidIfId("1"), true, "ifid 1 as a string")
eq(interface.isValidIfId(2), false, "no ifid 2")
eq(interface.isValidIfId("x"), false, "not a number")
local dns_name = interface.getIfNames()["1"]
assert(dns_name:find("dns%.pcap$"), "ifid 1 is dns.pcap: " .. dns_name)
eq(interface.name2id(dns_name), 1, "name2id")
eq(interface.name2id("nope"), -1, "name2id of an unknown name")
eq(interface.getMasterInterfaceId(), 0, "its own master")
eq(interface.getMasterInterfaceId(1), 1, "by ifid")
eq(interface.getMasterInterfaceId(dns_name), 1, "by name")
eq(interface.getMasterInterfaceId(7), nil, "unknown ifid")
eq(interface.isView(), false, "no views")
eq(interface.isViewed(), false, "not viewed")
eq(interface.viewedBy(), nil, "viewed by none")
eq(interface.isSubInterface(), false, "no sub-interfaces")
eq(interface.hasEBPF(), false, "no eBPF")
for _, fn in ipairs({"isBridgeInterface", "isZMQInterface", "isSyslogInterface",
                     "isDatabaseViewInterface"}) do
   eq(interface[fn](), false, fn .. ": a packet capture")
end
eq(interface.setActiveInterfaceId(1), dns_name, "setActiveInterfaceId: the name")
eq(interface.getId(), 0, "and the selection stays")
eq(interface.setActiveInterfaceId(9), nil, "no ifid 9")
eq(interface.isMulticastMac("01:00:5E:00:00:FB"), true, "IPv4 multicast MAC")
eq(interface.isMulticastMac("FF:FF:FF:FF:FF:FF"), true, "broadcast")
eq(interface.isMulticastMac("00:1B:21:3A:4F:5C"), false, "unicast")
eq(interface.isMulticastMac("nope"), false, "not a MAC")
eq(interface.isLoopback(), false, "a capture file is no loopback")
eq(interface.getIfMac(), "00:00:00:00:00:00", "a capture file has no MAC of its own")
eq(interface.getMaxIfSpeed(), nil, "no argument: nil, as ntopng")
eq(interface.getMaxIfSpeed(0), 1000, "a capture file: the default speed")
eq(interface.getMaxIfSpeed(9), nil, "unknown ifid")
local lo_speed = interface.getMaxIfSpeed("lo")
assert(math.type(lo_speed) == "integer" and lo_speed > 0, "an OS interface's speed in Mbit/s")
eq(interface.getStatsUpdateFreq(), 1, "stats move once a second")
eq(interface.getStatsUpdateFreq(5), nil, "unknown ifid")
eq(math.type(interface.getSecsToFirstData()), "integer", "seconds to the first rates")
eq(interface.convertCountryCode2U16("IT"), 0x4954, "country code packed")
eq(interface.convertCountryU162Code(tostring(0x4954)), "IT", "and unpacked")

-- ############################################################################
-- Batched walks: every host and flow once, in batches

local all = interface.getHostsInfo(false, "column_ip", 100000, 0, true)
local seen, walked, slot, batches = {}, 0, 0, 0
repeat
   local b = interface.getBatchedHostsInfo(slot, false, 7)
   local n = 0
   for key, _ in pairs(b.hosts) do
      assert(not seen[key], "each host once: " .. key)
      assert(all.hosts[key], "a host of getHostsInfo: " .. key)
      seen[key] = true
      n = n + 1
   end
   eq(b.numHosts, n, "numHosts counts the batch")
   walked = walked + n
   batches = batches + 1
   slot = b.nextSlot
until slot == 0
eq(walked, all.numHosts, "the walk sees every host")
assert(batches >= (all.numHosts + 6) // 7, "in batches of at most 7")

local local_walk, local_slot = 0, 0
repeat
   local b = interface.getBatchedLocalHostsInfo(local_slot, false, 5)
   for _, h in pairs(b.hosts) do
      eq(h.localhost, true, "local hosts only")
      local_walk = local_walk + 1
   end
   local_slot = b.nextSlot
until local_slot == 0
eq(local_walk, interface.getLocalHostsInfo(false, "column_ip", 100000).numHosts, "every local host")
local remote = interface.getBatchedRemoteHostsInfo(0, false, 100000)
eq(remote.numHosts, interface.getRemoteHostsInfo(false, "column_ip", 100000).numHosts, "remote hosts")
eq(remote.nextSlot, 0, "one batch holds them all")
eq(next(interface.getBatchedHostsInfo(0, false, 100, true).hosts), nil, "no anomalous hosts")

local flow_keys, fslot, fwalk = {}, 0, 0
repeat
   local b = interface.getBatchedFlowsInfo(fslot, {maxHits = 50})
   for _, f in ipairs(b.flows) do
      local k = f["ntopng.key"] .. "/" .. f.hash_entry_id
      assert(not flow_keys[k], "each flow once")
      flow_keys[k] = true
      fwalk = fwalk + 1
   end
   eq(b.numFlows, #b.flows, "numFlows counts the batch")
   fslot = b.nextSlot
until fslot == 0
eq(fwalk, TOTAL_FLOWS, "the walk sees every flow")
local tcp_batch = interface.getBatchedFlowsInfo(0, {maxHits = 1000, l4protoFilter = 6})
eq(tcp_batch.numFlows, 98, "the paginator's filters apply (ndpiReader: 98 TCP flows)")

local mac_all = interface.getMacsInfo("column_mac", 1000)
local mac_batch = interface.getBatchedMacsInfo(0)
eq(mac_batch.numMacs, mac_all.numMacs, "one batch holds every MAC")
eq(mac_batch.nextSlot, 0, "and it is the last")
eq(mac_batch.macs[1].mac, mac_all.macs[1].mac, "in address order")

-- ############################################################################
-- Host selections

local function count(t)
   local n = 0
   for _ in pairs(t) do n = n + 1 end
   return n
end

local public = interface.getPublicHostsInfo(false, "column_ip", 100000)
local private = 0
for _, h in pairs(all.hosts) do
   if h.privatehost then private = private + 1 end
end
eq(public.numHosts, all.numHosts - private, "public = all minus private")
for _, h in pairs(public.hosts) do eq(h.privatehost, false, "public hosts only") end

local bm = interface.getBroadcastMulticastHostsInfo(false, "column_ip", 100000)
for _, h in pairs(bm.hosts) do
   assert(h.is_broadcast or h.is_multicast, "broadcast or multicast: " .. h.ip)
end
local bm_expected = 0
for _, h in pairs(all.hosts) do
   if h.is_broadcast or h.is_multicast then bm_expected = bm_expected + 1 end
end
eq(bm.numHosts, bm_expected, "every broadcast and multicast host")

local rx_local = interface.getLocalHostsInfoNoTX(false, "column_ip", 100000)
local rx_remote = interface.getRemoteHostsInfoNoTX(false, "column_ip", 100000)
local rx_expected = 0
for _, h in pairs(all.hosts) do
   if h["packets.sent"] == 0 then rx_expected = rx_expected + 1 end
end
eq(rx_local.numHosts + rx_remote.numHosts, rx_expected, "hosts that never sent")
assert(rx_expected > 0, "1kxun.pcap has receive-only hosts (multicast groups)")
for _, h in pairs(rx_local.hosts) do
   eq(h["packets.sent"], 0, "sent nothing")
   eq(h.localhost, true, "local")
end

-- ############################################################################
-- Hosts by address and MAC

eq(interface.getHostCountry("192.168.2.126"), "", "a private address is in no country")
eq(interface.getHostCountry("203.0.113.99"), nil, "not an active host")
local info = interface.getAddressInfo("192.168.2.126")
eq(info.is_local, true, "inside -m")
eq(info.is_private, true, "RFC 1918")
eq(info.is_multicast, false, "unicast")
eq(info.is_blacklisted, false, "no blacklists")
local mc = interface.getAddressInfo("224.0.0.251")
eq(mc.is_multicast, true, "multicast")
eq(mc.is_local, false, "outside -m")
eq(interface.getAddressInfo("255.255.255.255").is_broadcast, true, "broadcast")
eq(interface.getAddressInfo("8.8.8.8").is_private, false, "public")

local h = interface.getHostInfo("192.168.2.126")
assert(h.mac and h.mac ~= "00:00:00:00:00:00", "the host has a MAC")
local by_mac = interface.findHostByMac(h.mac)
eq(by_mac["192.168.2.126"], "192.168.2.126", "findHostByMac: ip -> host key")
for ip, key in pairs(by_mac) do
   eq(interface.getHostInfo(key).mac, h.mac, "every host found has that MAC: " .. ip)
end
eq(next(interface.findHostByMac("02:00:00:00:00:99")), nil, "no host with that MAC")

local manuf = interface.getMacManufacturers()
local listed = 0
for name, n in pairs(manuf) do
   assert(type(name) == "string" and name ~= "" and n > 0, "manufacturer -> MAC count")
   listed = listed + n
end
local with_vendor = 0
for _, m in ipairs(mac_all.macs) do
   if m.manufacturer ~= "" then with_vendor = with_vendor + 1 end
end
eq(listed, with_vendor, "every MAC with a known vendor counted once")
eq(count(interface.getMacManufacturers(1)), math.min(1, count(manuf)), "maxHits")

-- ############################################################################
-- Flow summaries and lookups

local flows = interface.getFlowsInfo(nil, {maxHits = 1000}).flows
local active = interface.getActiveFlowsStats()
eq(active.numFlows, TOTAL_FLOWS, "every flow")
local c2s, s2c = 0, 0
for _, f in ipairs(flows) do
   c2s = c2s + f["cli2srv.bytes"]
   s2c = s2c + f["srv2cli.bytes"]
end
eq(active.totBytesSent, c2s, "client-to-server bytes")
eq(active.totBytesRcvd, s2c, "server-to-client bytes")
local by_app = 0
for _, s in pairs(active.ndpi) do by_app = by_app + s.num_flows end
eq(by_app, TOTAL_FLOWS, "flows by application add up")
eq(active.ndpi.HTTP.num_flows, interface.getFlowsStats().ndpi.HTTP.count, "HTTP flows")

local mine = interface.getActiveFlowsStats("192.168.2.126", nil, true)
eq(mine.ndpi, nil, "only traffic stats")
local host_flows = interface.getFlowsInfo("192.168.2.126", {maxHits = 1000})
eq(mine.numFlows, host_flows.numFlows, "a host's flows")
local pair = interface.getActiveFlowsStats("192.168.2.126", nil, true, "161.117.13.29")
local pair_flows = 0
for _, f in ipairs(host_flows.flows) do
   if f["srv.ip"] == "161.117.13.29" or f["cli.ip"] == "161.117.13.29" then
      pair_flows = pair_flows + 1
   end
end
assert(pair_flows > 0, "192.168.2.126 talks with 161.117.13.29")
eq(pair.numFlows, pair_flows, "talking_with narrows to the pair")

local status = interface.getFlowsStatus()
local tcp_states = status.SYN + status.Established + status.FIN + status.RST
assert(tcp_states <= 98, "only TCP flows are counted")
-- By the flows' own flags: a handshake seen and neither closed nor reset since.
local syn, established, fin, rst = 0, 0, 0, 0
for _, f in ipairs(flows) do
   if f.tcp_connecting then syn = syn + 1 end
   if f.tcp_closed then fin = fin + 1 end
   if f.tcp_reset then rst = rst + 1 end
   if f.tcp_established and not f.tcp_closed and not f.tcp_reset then
      established = established + 1
   end
end
eq(status.SYN, syn, "connecting TCP flows")
eq(status.Established, established, "established TCP flows")
eq(status.FIN, fin, "closed TCP flows")
eq(status.RST, rst, "reset TCP flows")
assert(established > 0 and fin > 0, "1kxun.pcap has both")

local counts = interface.getnDPIFlowsCount()
local counted = 0
for _, n in pairs(counts) do counted = counted + n end
eq(counted, TOTAL_FLOWS, "flows by application")
eq(counts.HTTP, interface.getFlowsStats().ndpi.HTTP.count, "HTTP flows")

-- ndpiReader: TCP 192.168.2.126:45380 -> 161.117.13.29:80, 80 packets, 183125 bytes.
local f = interface.findFlowByTuple("192.168.2.126", "161.117.13.29", 0, 45380, 80, 6)
assert(f, "findFlowByTuple")
eq(f.bytes, 183125, "the flow's bytes")
local back = interface.findFlowByTuple("161.117.13.29", "192.168.2.126", 0, 80, 45380, 6)
eq(back and back.bytes, 183125, "either direction")
eq(interface.findFlowByTuple("192.168.2.126", "161.117.13.29", 5, 45380, 80, 6), nil, "other VLAN")
eq(interface.findFlowByTuple("192.168.2.126", "161.117.13.29", 0, 45380, 80, 17), nil, "UDP")

-- ############################################################################
-- Networks and VLANs

local one = interface.getNetworkStats(0)
eq(count(one), 1, "one network")
eq(one["192.168.2.0/24"]["bytes.sent"], interface.getNetworksStats()["192.168.2.0/24"]["bytes.sent"],
   "the same figures as getNetworksStats")
eq(next(interface.getNetworkStats(5)), nil, "no network 5")

eq(interface.hasVLANs(), false, "1kxun.pcap is untagged")
eq(interface.getVLANInfo(785), nil, "no VLAN 785 here")
interface.select("1")
eq(interface.hasVLANs(), true, "dns.pcap is tagged")
local vlan = interface.getVLANInfo(785)
assert(vlan, "VLAN 785")
eq(vlan.vlan_id, 785, "its id")
eq(vlan.num_flows, 1, "its flow (ndpiReader: one, 2 packets, 310 bytes; the other is untagged)")
eq(vlan.bytes, 310, "its bytes")
eq(vlan["packets.sent"] + vlan["packets.rcvd"], 2, "its packets")
local list = interface.getVLANsList()
eq(list.numVLANs, 1, "getVLANsList")
eq(list.VLANs[1].vlan_id, 785, "its entry")
-- dns.pcap's untagged flow starts with the DNS answer, so its first sender, 192.168.170.20:53,
-- is the client (ndpiReader's csv agrees) and the local server is 192.168.170.8, port 32795.
local served = interface.getLocalServerPorts()
eq(served["32795"], 1, "one local host serves port 32795")
for port, n in pairs(served) do
   assert(type(port) == "string" and tonumber(port) and n > 0, "port string -> hosts")
end
eq(count(served), 1, "and nothing else (the other flow's ends are not local)")

-- ############################################################################
-- Flows grouped

interface.select("0")
local function sum(rows, field)
   local n = 0
   for _, r in ipairs(rows) do n = n + (r[field] or 0) end
   return n
end

local by_app = interface.getProtocolFlowsStats(1, nil, "bytes_sent", "desc", 0, 999)
eq(sum(by_app, "num_flows"), TOTAL_FLOWS, "flows by application")
eq(sum(by_app, "bytes_sent"), c2s, "client-to-server bytes by application")
eq(sum(by_app, "bytes_rcvd"), s2c, "server-to-client bytes by application")
eq(by_app[1].num_entries, #by_app, "num_entries: every group")
for i = 2, #by_app do
   assert(by_app[i - 1].bytes_sent >= by_app[i].bytes_sent, "sorted by bytes_sent, descending")
end
local http_group
for _, g in ipairs(by_app) do
   if g.proto_name == "HTTP" then http_group = g end
end
eq(http_group and http_group.num_flows, interface.getnDPIFlowsCount().HTTP, "HTTP's flows")
eq(http_group.proto_id, "7", "HTTP's id")
local page = interface.getProtocolFlowsStats(1, nil, "bytes_sent", "desc", 2, 3)
eq(#page, 3, "a page of 3")
eq(page[1].proto_name, by_app[3].proto_name, "from the third group on")
local past = interface.getProtocolFlowsStats(1, nil, "bytes_sent", "desc", 5000, 10)
eq(#past, 1, "past the end: one row")
eq(past[1].num_entries, #by_app, "that counts the groups")
eq(past[1].proto_name, nil, "and nothing else")
for _, g in ipairs(interface.getProtocolFlowsStats(1, nil, "flows", "asc", 0, 999, "http")) do
   assert(g.proto_name:lower():find("http"), "search keeps matching names: " .. g.proto_name)
end

local by_pair = interface.getProtocolFlowsStats(7, nil, "srv_port", "asc", 0, 999)
eq(sum(by_pair, "num_flows"), TOTAL_FLOWS, "flows by client, server and port")
for _, g in ipairs(by_pair) do
   assert(g.client_ip and g.server_ip and g.srv_port, "client, server and port in each")
   eq(g.num_clients, 1, "one client per group")
end
local mine_by_client = interface.getProtocolFlowsStats(2, nil, "bytes_sent", "desc", 0, 999, nil,
                                                       "192.168.2.126")
for _, g in ipairs(mine_by_client) do
   assert(g.client_ip, "grouped by client")
end
eq(sum(mine_by_client, "num_flows"), host_flows.numFlows, "a host's flows, by client")

local vlan_groups = interface.getVLANFlowsStats()
eq(sum(vlan_groups, "num_flows"), TOTAL_FLOWS, "flows by VLAN, port and protocol")
eq(sum(vlan_groups, "bytes_sent") + sum(vlan_groups, "bytes_rcvd"), c2s + s2c, "their bytes")

local grouped = interface.getGroupedFlows("column_ndpi")
eq(sum(grouped, "num_flows"), TOTAL_FLOWS, "getGroupedFlows by application")
eq(sum(grouped, "bytes"), c2s + s2c, "their bytes")
eq(#interface.getGroupedFlows("column_bytes"), 0, "only column_ndpi groups, as ntopng")

-- Servers of TCP port 80, from the flows themselves.
local servers80, flows80 = {}, 0
for _, fl in ipairs(flows) do
   if fl["proto.l4"] == "TCP" and fl["srv.port"] == 80 then
      servers80[fl["srv.ip"]] = (servers80[fl["srv.ip"]] or 0) + 1
      flows80 = flows80 + 1
   end
end
local by_port = interface.getHostsByPort(6, 80, 0, "flows", "desc", 0, 0)
eq(#by_port, count(servers80), "every server of port 80")
eq(sum(by_port, "flows"), flows80, "and their flows")
for _, row in ipairs(by_port) do
   eq(row.flows, servers80[row.ip], "flows of " .. row.ip)
   eq(row.num_entries, #by_port, "num_entries")
end
for i = 2, #by_port do assert(by_port[i - 1].flows >= by_port[i].flows, "sorted by flows") end
eq(#interface.getHostsByPort(6, 80, 0, "ip", "asc", 0, 2), math.min(2, #by_port), "max rows")
local ports = interface.getHostsPorts(6)
local http_port
for _, p in ipairs(ports) do
   eq(p.l4_proto, "TCP", "TCP only")
   if p.srv_port == 80 and p.l7_proto_name == "HTTP" then http_port = p end
end
assert(http_port and http_port.n_hosts > 0, "HTTP on port 80")
eq(next(interface.getHostsPorts(132)), nil, "no SCTP")

eq(next(interface.getLocalServerPorts()), nil,
   "1kxun.pcap's local hosts serve nothing (dns.pcap's do, below)")

-- ############################################################################
-- More host and MAC views

local min = interface.getHostMinInfo("192.168.2.126")
eq(min.localhost, true, "getHostMinInfo: local")
eq(min.privatehost, true, "private")
eq(min.mac, h.mac, "its MAC")
eq(min.ip, "192.168.2.126", "its address")
eq(interface.getHostMinInfo("203.0.113.99"), nil, "no such host")
local hstats = interface.getnDPIHostStats("192.168.2.126")
eq(hstats.ndpi.HTTP["bytes.rcvd"], h.ndpi.HTTP["bytes.rcvd"], "getnDPIHostStats: as getHostInfo")
assert(next(hstats.ndpi_categories), "per category")
eq(interface.getnDPIHostStats("203.0.113.99").is_private, false, "not active: address info")

local mac_hosts = interface.getMacHosts(h.mac)
assert(mac_hosts["192.168.2.126"], "getMacHosts: keyed by host key")
eq(count(mac_hosts), count(by_mac), "the same hosts as findHostByMac")
eq(next(interface.getMacHosts("02:00:00:00:00:99")), nil, "no hosts")
local active_macs = interface.getActiveMacs()
eq(#active_macs, mac_all.numMacs, "getActiveMacs")
eq(active_macs[1], mac_all.macs[1].mac, "in address order")
eq(interface.getMacDeviceTypes()[0], mac_all.numMacs, "every MAC of unknown device type")
eq(interface.getMacInfo(h.mac).devtype, 0, "unknown")

-- ntop.setMacDeviceType (spec section 33): every interface, 0 unknown .. 15.
eq(select("#", ntop.setMacDeviceType(h.mac, 8)), 0, "returns nothing")
eq(interface.getMacInfo(h.mac).devtype, 8, "typed")
local types = interface.getMacDeviceTypes()
eq(types[8], 1, "one networking device")
eq(types[0], mac_all.numMacs - 1, "the others unknown")
ntop.setMacDeviceType(h.mac, 3, false)
eq(interface.getMacInfo(h.mac).devtype, 8, "without overwrite: kept")
ntop.setMacDeviceType(h.mac, 3, true)
eq(interface.getMacInfo(h.mac).devtype, 3, "overwritten")
t.expect_error_ignoring_position("ntop.setMacDeviceType: argument #2 (type) expected integer, got string",
                                 ntop.setMacDeviceType, h.mac, "router")
ntop.setMacDeviceType("not a mac", 3)
ntop.setMacDeviceType(h.mac, 99)
eq(interface.getMacInfo(h.mac).devtype, 3, "refused: unchanged")
ntop.setMacDeviceType(h.mac, 0)
eq(interface.getMacDeviceTypes()[0], mac_all.numMacs, "unknown again")

local ht = interface.getHashTablesStats()
eq(ht.FlowHash.hash_entry_states.hash_entry_state_active, TOTAL_FLOWS, "flows in the flow hash")
eq(ht.HostHash.hash_entry_states.hash_entry_state_active, interface.getNumHosts(), "hosts")
eq(ht.MacHash.hash_entry_states.hash_entry_state_active, mac_all.numMacs, "MACs")

local rx_tcp = interface.getLocalHostsInfoNoTXTCP(false, "column_ip", 100000)
local rx_tcp_expected = 0
for _, hh in pairs(all.hosts) do
   if hh.localhost and hh["packets.sent"] == 0 and hh["tcp.bytes.rcvd"] > 0 then
      rx_tcp_expected = rx_tcp_expected + 1
   end
end
eq(rx_tcp.numHosts, rx_tcp_expected, "local hosts that sent nothing and received TCP")

eq(interface.getFlowsInfo(nil, {l4protoFilter = 262}).numFlows, 0, "262 is no L4 protocol (not TCP)")
eq(interface.getFlowsInfo(nil, {portFilter = 65616}).numFlows, 0, "65616 is no port (not 80)")

-- ############################################################################
-- Writes: a host's name, resetting a host's or a MAC's counters

interface.select("0")
interface.setHostResolvedName("192.168.2.126", "laptop.example")
local named = interface.getHostInfo("192.168.2.126")
eq(named.name, "laptop.example", "the name set")
eq(named.names.resolved, "laptop.example", "as a resolved name")
eq(select("#", interface.setHostResolvedName("203.0.113.99", "x")), 0, "returns nothing")

local before = interface.getHostInfo("192.168.2.126")
assert(before["bytes.sent"] > 0 and before["total_flows.as_client"] > 0, "traffic before")
eq(interface.resetHostStats("192.168.2.126", true), true, "blacklist counters only: found")
eq(interface.getHostInfo("192.168.2.126")["bytes.sent"], before["bytes.sent"], "and nothing reset")
eq(interface.resetHostStats("192.168.2.126"), true, "reset")
local after = interface.getHostInfo("192.168.2.126")
eq(after["bytes.sent"] + after["bytes.rcvd"], 0, "bytes zeroed")
eq(after["packets.sent"] + after["packets.rcvd"], 0, "packets zeroed")
eq(after["total_flows.as_client"], 0, "flow totals zeroed")
eq(after["tcp.bytes.sent"], 0, "L4 breakdown zeroed")
eq(after.ndpi == nil or next(after.ndpi) == nil, true, "application breakdown zeroed")
eq(after["active_flows.as_client"], before["active_flows.as_client"], "active flows stay")
eq(after.name, "laptop.example", "the name stays")
eq(interface.getStats().stats.bytes, 2527774, "interface totals untouched")
eq(interface.resetHostStats("203.0.113.99"), false, "no such host")

local server = interface.getHostInfo("161.117.13.29")
assert(server.names.http and server.names.http:find("1kxun%.mobi$"),
       "a name learned from HTTP Host: " .. tostring(server.names.http))
eq(interface.deleteHostData("161.117.13.29"), true, "deleteHostData")
local deleted = interface.getHostInfo("161.117.13.29")
eq(deleted.names.http, nil, "the learned name is gone")
eq(deleted["bytes.rcvd"], 0, "and its counters")

local mac = mac_all.macs[1].mac
eq(interface.resetMacStats(mac), true, "resetMacStats")
local m = interface.getMacInfo(mac)
eq(m["bytes.sent"] + m["bytes.rcvd"], 0, "MAC traffic zeroed")
eq(interface.deleteMacData("02:00:00:00:00:99"), false, "no such MAC")
