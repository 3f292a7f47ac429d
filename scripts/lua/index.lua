--
-- The landing page until the web UI arrives: what this instance is and what it monitors.
--
require "lua_utils"

local info = ntop.getInfo(false)
sendHTTPContentTypeHeader("text/html")
print("<!DOCTYPE html><html><head><meta charset='utf-8'><title>flowlens</title>")
print("<link rel='stylesheet' href='" .. ntop.getHttpPrefix() .. "/css/flowlens.css'></head><body>")
print("<h1>flowlens " .. escapeHTML(info.version) .. "</h1>")
if not isEmptyString(_SESSION["session"]) then
   print("<p>" .. escapeHTML(_SESSION["user"]) .. " · <a href='" .. ntop.getHttpPrefix() ..
         "/lua/change_password.lua'>password</a> · <a href='" .. ntop.getHttpPrefix() ..
         "/lua/totp.lua'>two-factor login</a> · <a href='" .. ntop.getHttpPrefix() ..
         "/lua/logout.lua'>log out</a></p>")
end
print("<p>Up " .. escapeHTML(info.uptime) .. ". Monitoring:</p><ul>")
for ifid, name in pairsByKeys(interface.getIfNames()) do
   print("<li>" .. escapeHTML(name) .. " (ifid " .. escapeHTML(ifid) .. ")</li>")
end
print("</ul><p>REST: <a href='" .. ntop.getHttpPrefix() .. "/lua/rest/v2/get/ntopng/interfaces.lua'>interfaces</a></p>")
print("</body></html>")
