--
-- User administration (administrators): list, add, edit, delete.
-- Drawn by the web UI bundle (ui/src/pages/users.js); see modules/ui_page.lua.
--
local dirs = ntop.getDirs()
package.path = dirs.installdir .. "/scripts/lua/modules/?.lua;" .. package.path
require "lua_utils"
local ui_page = require("ui_page")
if not isAdministratorOrPrintErr() then return end
ui_page.render("users", "Users")
