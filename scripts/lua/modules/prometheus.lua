--
-- prometheus: writes the Prometheus text exposition format, version 0.0.4
-- (https://prometheus.io/docs/instrumenting/exposition_formats/).
--
--   local prom = require("prometheus")
--   local m = prom.new()
--   m:family("flowlens_x_total", "counter", "Things seen.")
--   m:add("flowlens_x_total", prom.labels({ "ifid", 0 }), 42)
--   flowlens.setContentType(prom.CONTENT_TYPE); print(m:render())
--
-- Samples are kept per family so that each family is written once, in declaration order, with
-- its HELP and TYPE lines, however the caller interleaves them. Label values are escaped as the
-- format requires (backslash, double quote, newline) and made valid UTF-8 (each invalid byte
-- becomes U+FFFD): they may come from the network.
--

local prometheus = {}

prometheus.CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

-- Label values longer than this many bytes are cut (a host name is at most 253 in DNS).
prometheus.MAX_LABEL_BYTES = 256

local LABEL_ESCAPES = { ["\\"] = "\\\\", ['"'] = '\\"', ["\n"] = "\\n" }
local HELP_ESCAPES = { ["\\"] = "\\\\", ["\n"] = "\\n" }

-- `s` with every byte that is not part of a valid UTF-8 sequence replaced by U+FFFD.
function prometheus.validUtf8(s)
   if utf8.len(s) then return s end
   local out, i = {}, 1
   while i <= #s do
      local ok, bad = utf8.len(s, i)
      if ok then
         out[#out + 1] = s:sub(i)
         break
      end
      out[#out + 1] = s:sub(i, bad - 1)
      out[#out + 1] = "\u{FFFD}"
      i = bad + 1
   end
   return table.concat(out)
end

function prometheus.escapeLabelValue(v)
   local s = tostring(v)
   if #s > prometheus.MAX_LABEL_BYTES then s = s:sub(1, prometheus.MAX_LABEL_BYTES) end
   return (prometheus.validUtf8(s):gsub('[\\"\n]', LABEL_ESCAPES))
end

-- `{name1, value1, name2, value2, ...}` -> `name1="value1",name2="value2"` (escaped), in
-- that order. Names are the caller's constants.
function prometheus.labels(pairs_list)
   local parts = {}
   for k = 1, #pairs_list, 2 do
      parts[#parts + 1] = pairs_list[k] .. '="' ..
         prometheus.escapeLabelValue(pairs_list[k + 1]) .. '"'
   end
   return table.concat(parts, ",")
end

-- A sample value: integers as they are, floats in 15 digits or, when those do not give the value
-- back exactly, 17; NaN and +-Inf as the format spells them; nil (a field the API did not give)
-- and false are 0, true is 1.
function prometheus.formatValue(v)
   if v == nil then return "0" end
   if v == true then return "1" elseif v == false then return "0" end
   v = tonumber(v) or 0
   if math.type(v) == "integer" then return tostring(v) end
   if v ~= v then return "NaN" end
   if v == math.huge then return "+Inf" elseif v == -math.huge then return "-Inf" end
   if v == math.floor(v) and math.abs(v) < 2^53 then return string.format("%d", v) end
   local short = string.format("%.15g", v)
   if tonumber(short) == v then return short end
   return string.format("%.17g", v)
end

local Registry = {}
Registry.__index = Registry

function prometheus.new()
   return setmetatable({ order = {}, by_name = {} }, Registry)
end

-- Declares a family; its samples are named `name` (a counter's name ends in `_total`).
function Registry:family(name, mtype, help)
   assert(self.by_name[name] == nil, "prometheus: family declared twice: " .. name)
   local f = { name = name, type = mtype, help = help, lines = {} }
   self.by_name[name] = f
   self.order[#self.order + 1] = f
end

-- Adds a sample to a declared family; `labels` is a string from prometheus.labels() or "".
function Registry:add(name, labels, value)
   local f = assert(self.by_name[name], "prometheus: undeclared family " .. name)
   local v = prometheus.formatValue(value)
   if labels == nil or labels == "" then
      f.lines[#f.lines + 1] = name .. " " .. v
   else
      f.lines[#f.lines + 1] = name .. "{" .. labels .. "} " .. v
   end
end

-- The whole exposition; families without samples are left out.
function Registry:render()
   local out = {}
   for _, f in ipairs(self.order) do
      if #f.lines > 0 then
         out[#out + 1] = "# HELP " .. f.name .. " " .. f.help:gsub("[\\\n]", HELP_ESCAPES)
         out[#out + 1] = "# TYPE " .. f.name .. " " .. f.type
         for _, line in ipairs(f.lines) do out[#out + 1] = line end
      end
   end
   out[#out + 1] = ""
   return table.concat(out, "\n")
end

return prometheus
