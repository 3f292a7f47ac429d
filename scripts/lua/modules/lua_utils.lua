--
-- lua_utils: the helpers ntopng scripts expect as globals. Written for flowlens; the names and
-- behaviour follow ntopng's so that scripts written for it run unchanged.
--

-- ############################################################################
-- Requests and sessions

function isEmptyString(str)
   return (str == nil) or (str == "")
end

function isAdministrator()
   if ntop.isAdministrator then return ntop.isAdministrator() end
   return (_SESSION ~= nil) and (_SESSION["group"] == "administrator")
end

function isAdministratorOrPrintErr()
   if isAdministrator() then return true end
   sendHTTPHeader("text/plain", nil, nil, 401)
   print("Access forbidden\n")
   return false
end

-- sendHTTPHeader(mime, content_disposition, extra_headers, status_code)
function sendHTTPHeader(mime, content_disposition, extra_headers, status_code)
   sendHTTPContentTypeHeader(mime, content_disposition, nil, extra_headers, status_code)
end

-- sendHTTPContentTypeHeader(content_type, content_disposition, charset, extra_headers, status_code)
function sendHTTPContentTypeHeader(content_type, content_disposition, charset, extra_headers, status_code)
   local ct = content_type or "text/html"
   if charset then
      ct = ct .. "; charset=" .. charset
   elseif (ct:find("^text/") or ct == "application/json") and not ct:find("charset") then
      ct = ct .. "; charset=utf-8"
   end
   flowlens.setContentType(ct)
   flowlens.setHTTPStatus(tonumber(status_code) or 200)
   if not isEmptyString(content_disposition) then
      flowlens.setHTTPHeader("Content-Disposition", content_disposition)
   end
   for name, value in pairs(extra_headers or {}) do
      flowlens.setHTTPHeader(name, tostring(value))
   end
end

-- ntopng's older name; the interface argument is not needed here.
function sendHTTPHeaderIfName(mime, ifname, maxage, content_disposition, extra_headers, status_code)
   local headers = extra_headers or {}
   if maxage ~= nil and headers["Cache-Control"] == nil then
      headers["Cache-Control"] = "max-age=" .. tostring(maxage)
   end
   sendHTTPContentTypeHeader(mime, content_disposition, nil, headers, status_code)
end

-- ############################################################################
-- Debugging

function __FILE__() return debug.getinfo(2, "S").source end
function __LINE__() return debug.getinfo(2, "l").currentline end

function tprint(s, indent)
   indent = indent or 0
   if type(s) ~= "table" then
      io.write(string.rep(" ", indent) .. tostring(s) .. "\n")
      return
   end
   for k, v in pairs(s) do
      if type(v) == "table" then
         io.write(string.rep(" ", indent) .. tostring(k) .. ":\n")
         tprint(v, indent + 2)
      else
         io.write(string.rep(" ", indent) .. tostring(k) .. " = " .. tostring(v) .. "\n")
      end
   end
end

-- ############################################################################
-- Strings

function string.starts(s, start)
   return type(s) == "string" and type(start) == "string" and s:sub(1, #start) == start
end

function string.ends(s, suffix)
   return type(s) == "string" and type(suffix) == "string" and (suffix == "" or s:sub(-#suffix) == suffix)
end

function string.contains(s, what)
   return type(s) == "string" and type(what) == "string" and s:find(what, 1, true) ~= nil
end

function string.containsIgnoreCase(s, what)
   return string.contains(s and s:lower(), what and what:lower())
end

-- Splits on a plain-text separator; nil when the separator does not occur (as ntopng's does).
function string.split(s, sep)
   if type(s) ~= "string" then return nil end
   sep = sep or ","
   if sep == "" or not s:find(sep, 1, true) then return nil end
   local out, pos = {}, 1
   while true do
      local b, e = s:find(sep, pos, true)
      if not b then
         out[#out + 1] = s:sub(pos)
         break
      end
      out[#out + 1] = s:sub(pos, b - 1)
      pos = e + 1
   end
   return out
end

-- Splits on a separator; always a table (the whole string when the separator is absent).
function split(s, sep)
   if s == nil then return {} end
   return string.split(s, sep or ",") or { s }
end

function trimString(s)
   return (s and s:gsub("^%s+", ""):gsub("%s+$", "")) or s
end

function shortenString(s, max_len)
   max_len = max_len or 24
   if s == nil or #s <= max_len then return s end
   return s:sub(1, max_len) .. "..."
end

function firstToUpper(s)
   return (s:gsub("^%l", string.upper))
end

function ternary(cond, a, b)
   if cond then return a else return b end
end

function toboolean(v)
   return v == true or v == "true" or v == "1" or v == 1
end

-- ############################################################################
-- Numbers and formatting

function round(num, idp)
   if num == nil then return 0 end
   local mult = 10 ^ (idp or 0)
   return math.floor(num * mult + 0.5) / mult
end

-- NaN (a rate over a zero interval) and infinities print as 0 / "inf" instead of failing.
local function finite(value)
   value = tonumber(value) or 0
   if value ~= value then return 0 end
   return value
end

local function scaled(value, units, base, precision)
   value = finite(value)
   if value == math.huge or value == -math.huge then
      return (value < 0 and "-" or "") .. "inf " .. units[#units]
   end
   local neg = value < 0
   if neg then value = -value end
   local i = 1
   while value >= base and i < #units do
      value = value / base
      i = i + 1
   end
   local s
   if i == 1 then
      s = string.format("%d %s", math.floor(value + 0.5), units[i])
   else
      s = string.format("%." .. (precision or 2) .. "f %s", value, units[i])
   end
   return (neg and "-" or "") .. s
end

function bytesToSize(bytes)
   return scaled(bytes, { "B", "KB", "MB", "GB", "TB", "PB" }, 1024)
end

function bitsToSize(bits)
   return scaled(bits, { "bps", "Kbps", "Mbps", "Gbps", "Tbps" }, 1000)
end

function formatValue(amount, precision)
   amount = finite(amount)
   local s = string.format("%." .. (precision or 0) .. "f", amount)
   local int, frac = s:match("^(-?%d+)(.*)$")
   if not int then return s end  -- "inf", "-inf"
   int = int:reverse():gsub("(%d%d%d)", "%1,"):reverse():gsub("^(-?),", "%1")
   return int .. (frac or "")
end

function formatPackets(packets)
   return formatValue(packets) .. " Pkts"
end

function formatPps(pps)
   pps = finite(pps)
   if pps < 1 and pps > 0 then return string.format("%.2f pps", pps) end
   return scaled(pps, { "pps", "Kpps", "Mpps", "Gpps" }, 1000)
end

function formatThroughput(bps)
   return bitsToSize(bps)
end

function secondsToTime(seconds)
   seconds = math.floor(tonumber(seconds) or 0)
   if seconds < 1 then return "< 1 sec" end
   local days = seconds // 86400
   local hours = (seconds % 86400) // 3600
   local minutes = (seconds % 3600) // 60
   local secs = seconds % 60
   local parts = {}
   if days > 0 then parts[#parts + 1] = days .. (days == 1 and " day" or " days") end
   if hours > 0 then parts[#parts + 1] = hours .. " h" end
   if minutes > 0 then parts[#parts + 1] = minutes .. " min" end
   if secs > 0 then parts[#parts + 1] = secs .. " sec" end
   return table.concat(parts, ", ")
end

function formatEpoch(epoch)
   if epoch == nil or tonumber(epoch) == 0 then return "" end
   return os.date("%d/%m/%Y %X", tonumber(epoch))
end

-- ############################################################################
-- Tables

function table.len(t)
   if type(t) ~= "table" then return 0 end
   local n = 0
   for _ in pairs(t) do n = n + 1 end
   return n
end

function table.empty(t)
   return type(t) ~= "table" or next(t) == nil
end

function table.clone(t)
   if type(t) ~= "table" then return t end
   local copy = {}
   for k, v in pairs(t) do copy[k] = table.clone(v) end
   return copy
end

-- Fields of b over those of a, in a new table.
function table.merge(a, b)
   local out = table.clone(a or {})
   for k, v in pairs(b or {}) do out[k] = v end
   return out
end

function table.keys(t)
   local out = {}
   for k in pairs(t or {}) do out[#out + 1] = k end
   return out
end

function table.has_key(t, key)
   return type(t) == "table" and t[key] ~= nil
end

function table.contains(t, value)
   for _, v in pairs(t or {}) do
      if v == value then return true end
   end
   return false
end

-- Iterates a table ordered by key (or by `cmp` on the keys).
function pairsByKeys(t, cmp)
   local keys = table.keys(t)
   table.sort(keys, cmp or function(a, b)
      if type(a) == type(b) then return a < b end
      return tostring(a) < tostring(b)
   end)
   local i = 0
   return function()
      i = i + 1
      local k = keys[i]
      if k ~= nil then return k, t[k] end
   end
end

-- Iterates a table ordered by value (`cmp` on the values, ascending by default).
function pairsByValues(t, cmp)
   local keys = table.keys(t)
   cmp = cmp or function(a, b) return a < b end
   table.sort(keys, function(a, b) return cmp(t[a], t[b]) end)
   local i = 0
   return function()
      i = i + 1
      local k = keys[i]
      if k ~= nil then return k, t[k] end
   end
end

function asc(a, b) return a < b end
function rev(a, b) return a > b end

-- ############################################################################
-- Interfaces

function getInterfaceId(ifname)
   for id, name in pairs(interface.getIfNames()) do
      if name == ifname or id == tostring(ifname) then return tonumber(id) end
   end
   return -1
end

function getInterfaceName(ifid)
   return interface.getIfNames()[tostring(ifid)]
end

-- ############################################################################
-- Host names (spec section 10). `hostinfo` is {host = "ip", vlan = n} as ntopng passes it, or
-- the address itself ("ip" or "ip@vlan"). Names come from the network: escape them for HTML.

local function hostAndVlan(hostinfo)
   if type(hostinfo) == "table" then
      return tostring(hostinfo["host"] or hostinfo["ip"] or ""), tonumber(hostinfo["vlan"]) or 0
   end
   local text = tostring(hostinfo or "")
   local ip, vlan = text:match("^([^@]+)@(%d+)$")
   if ip then return ip, tonumber(vlan) end
   return text, 0
end

local function withVlan(name, vlan)
   if vlan ~= nil and vlan ~= 0 then return name .. "@" .. tostring(vlan) end
   return name
end

-- The known name of the host, else its address (with "@vlan" on a VLAN). Never waits.
function getResolvedAddress(hostinfo)
   local ip, vlan = hostAndVlan(hostinfo)
   if ip == "" then return "" end
   return withVlan(ntop.getResolvedName(ip) or ip, vlan)
end

-- As getResolvedAddress, and a name not known yet is asked for (the answer arrives later).
-- With allow_empty, an unknown name gives "" instead of the address.
function resolveAddress(hostinfo, allow_empty)
   local ip, vlan = hostAndVlan(hostinfo)
   if ip == "" then return "" end
   local name = ntop.getResolvedName(ip)
   if name == nil then
      ntop.resolveName(ip)
      if allow_empty then return "" end
      name = ip
   end
   return withVlan(name, vlan)
end

-- ############################################################################
-- HTML

local html_escapes = { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;", ["'"] = "&#39;" }

function escapeHTML(s)
   if s == nil then return "" end
   return (tostring(s):gsub("[&<>\"']", html_escapes))
end

function noHtml(s)
   if s == nil then return nil end
   return (tostring(s):gsub("<[^>]*>", ""))
end

function getHttpPrefix()
   return ntop.getHttpPrefix()
end
