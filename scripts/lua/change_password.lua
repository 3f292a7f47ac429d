--
-- Change one's password. At the first login, until the administrator replaces the default
-- password, every page leads here.
--
require "lua_utils"

local prefix = ntop.getHttpPrefix()
local user = _SESSION["user"]
local message

if _POST["new_password"] ~= nil then
   if _POST["new_password"] ~= _POST["confirm_password"] then
      message = "The two new passwords differ."
   elseif #_POST["new_password"] < 5 or _POST["new_password"] == "admin" then
      message = "Choose a password of at least 5 characters, other than the default one."
   elseif ntop.resetUserPassword(user, user, _POST["old_password"] or "", _POST["new_password"]) then
      -- Every session of this user ended with the change: log in again.
      sendHTTPHeader("text/html", nil, { Location = prefix .. "/lua/login.lua?changed=1" }, 302)
      return
   else
      message = "The old password is wrong."
   end
end

sendHTTPContentTypeHeader("text/html", nil, nil, { ["X-Frame-Options"] = "DENY" })
print([[<!DOCTYPE html><html><head><meta charset="utf-8"><title>flowlens: change password</title>
<link rel="stylesheet" href="]] .. escapeHTML(prefix) .. [[/css/flowlens.css"></head><body>
<main class="login"><h1>Change the password of ]] .. escapeHTML(user) .. [[</h1>]])
if message then print('<p class="error">' .. escapeHTML(message) .. '</p>') end
print([[<form method="post">
<label>Current password <input name="old_password" type="password" autocomplete="current-password" required></label>
<label>New password <input name="new_password" type="password" autocomplete="new-password" required></label>
<label>New password again <input name="confirm_password" type="password" autocomplete="new-password" required></label>
<input type="hidden" name="csrf" value="]] .. escapeHTML(_SESSION["csrf"]) .. [[">
<button type="submit">Change</button></form></main></body></html>]])
