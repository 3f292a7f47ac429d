--
-- GET /lua/rest/v2/get/pcap/live_traffic.lua?ifid=N[&host=IP[@VLAN]][&duration=S][&bpf_filter=F]
-- (ntopng's endpoint): a pcap file of the interface's live traffic, streamed as it is captured,
-- for `duration` seconds (default 60; more than 600 or less than 0 is 60) or 100,000 packets:
-- the packets of `host` (any when absent) that the BPF filter `bpf_filter` matches (any when
-- absent). Needs the pcap download right (an administrator, or ntop.changePcapDownloadPermission);
-- a user kept to some networks gets the packets of those only.
--
-- Errors answer as every REST call does, before anything is streamed: NOT_GRANTED,
-- INVALID_INTERFACE, INVALID_ARGUMENTS (a bad host, or a filter that does not compile),
-- NOT_FOUND (a host the interface has not seen), INTERNAL_ERROR (4 captures running already).
--
local dirs = ntop.getDirs()
package.path = dirs.installdir .. "/scripts/lua/modules/?.lua;" .. package.path
require "lua_utils"
local rest_utils = require("rest_utils")
local rest_query = require("rest_query")
local err = rest_utils.consts.err

local p = rest_query.params()
if not ntop.isPcapDownloadAllowed() then return rest_query.fail(err.not_granted) end
local ifid = rest_query.select_interface(p)
if ifid == nil then return end

local host = nil
if p.host ~= nil and p.host ~= "" then
   local hinfo = rest_query.host_param(p)
   if hinfo == nil then return end
   if interface.findHost(hinfo.host, hinfo.vlan) == nil then return rest_query.fail(err.not_found) end
   host = hinfo.host .. "@" .. hinfo.vlan
end
local duration = tonumber(p.duration)
if duration == nil or duration < 0 or duration > 600 then duration = 60 end
local bpf = p.bpf_filter or ""

local fname = interface.getName():gsub("[^%w%.%-]", "_")
if host then fname = fname .. "_" .. host:gsub("[^%w%.%-]", "_") end
if bpf ~= "" then fname = fname .. "_filtered" end
fname = fname .. "_live.pcap"

sendHTTPContentTypeHeader("application/vnd.tcpdump.pcap", 'attachment; filename="' .. fname .. '"')
local _, why = interface.liveCapture(host, duration, bpf)
if why ~= nil then  -- nothing was sent: answer the error instead of the file
   flowlens.clearHTTPHeaders()
   local rc = why:find("^bad BPF filter") and err.invalid_args
      or why:find("^host not found") and err.not_found
      or why:find("not allowed") and err.not_granted
      or err.internal_error
   rest_utils.answer(rc, { error = why })
end
