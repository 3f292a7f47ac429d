--
-- Two-factor login (TOTP) for the logged-in user: scan the QR code with an authenticator app,
-- confirm with a code, and from then on the login form asks for one. Turning it off also needs
-- a valid code.
--
require "lua_utils"

local prefix = ntop.getHttpPrefix()
local user = _SESSION["user"]
local enabled = ntop.isTOTPEnabled(user)
local message

if _POST["action"] == "enable" then
   if ntop.validateTOTP(user, _POST["code"] or "") and ntop.setUserTOTPEnabled(user, true) then
      enabled = true
      message = "Two-factor login is on."
   else
      message = "That code is not valid: check the app's clock and try the next code."
   end
elseif _POST["action"] == "disable" then
   if ntop.validateTOTP(user, _POST["code"] or "") and ntop.setUserTOTPEnabled(user, false) then
      enabled = false
      message = "Two-factor login is off."
   else
      message = "That code is not valid."
   end
end

-- A new secret each time the page is shown while TOTP is off; kept once it is on.
if not enabled and _POST["action"] ~= "enable" then
   ntop.setUserTOTPSecret(user, ntop.generateTOTPSecret())
end
local uri = ntop.getTOTPProvisioningUri(user)

sendHTTPContentTypeHeader("text/html", nil, nil, { ["X-Frame-Options"] = "DENY" })
print([[<!DOCTYPE html><html><head><meta charset="utf-8"><title>flowlens: two-factor login</title>
<link rel="stylesheet" href="]] .. escapeHTML(prefix) .. [[/css/flowlens.css"></head><body>
<main class="login"><h1>Two-factor login for ]] .. escapeHTML(user) .. [[</h1>]])
if message then print("<p>" .. escapeHTML(message) .. "</p>") end
if enabled then
   print([[<p>Two-factor login is on.</p><form method="post">
<label>Code <input name="code" inputmode="numeric" pattern="[0-9]{6}" required></label>
<input type="hidden" name="action" value="disable">]])
else
   print("<p>Scan this code with an authenticator app, then enter the code it shows.</p>")
   print(flowlens.qrCodeSvg(uri) or "")
   print("<p class=\"uri\"><small>" .. escapeHTML(uri) .. "</small></p>")
   print([[<form method="post">
<label>Code <input name="code" inputmode="numeric" pattern="[0-9]{6}" required></label>
<input type="hidden" name="action" value="enable">]])
end
print([[<input type="hidden" name="csrf" value="]] .. escapeHTML(_SESSION["csrf"]) .. [[">
<button type="submit">]] .. (enabled and "Turn off" or "Turn on") .. [[</button></form>
<p><a href="]] .. escapeHTML(prefix) .. [[/lua/index.lua">Back</a></p></main></body></html>]])
