--
-- The login page (public). The form posts to /authorize.html, which checks the password (and
-- the TOTP code of users who enabled it), opens a session and returns to `referer`.
--
require "lua_utils"

local prefix = ntop.getHttpPrefix()
local referer = _GET["referer"] or (prefix .. "/lua/index.lua")
sendHTTPContentTypeHeader("text/html", nil, nil, { ["X-Frame-Options"] = "DENY" })
print([[<!DOCTYPE html><html><head><meta charset="utf-8"><title>flowlens: log in</title>
<link rel="stylesheet" href="]] .. escapeHTML(prefix) .. [[/css/flowlens.css"></head><body>
<main class="login"><h1>flowlens</h1>]])
if _GET["changed"] then
   print('<p>Password changed: log in with the new one.</p>')
end
if _GET["failed"] then
   print('<p class="error">Wrong user name, password or code, or too many attempts: try again.</p>')
end
print([[<form method="post" action="]] .. escapeHTML(prefix) .. [[/authorize.html">
<label>User <input name="user" autocomplete="username" autofocus required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<label>Code (when two-factor login is on) <input name="totp" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}"></label>
<input type="hidden" name="referer" value="]] .. escapeHTML(referer) .. [[">
<button type="submit">Log in</button></form></main></body></html>]])
