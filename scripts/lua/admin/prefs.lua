--
-- The web UI's preferences (administrators).
-- Drawn by the web UI bundle (ui/src/pages/prefs.js); see modules/ui_page.lua.
--
local dirs = ntop.getDirs()
package.path = dirs.installdir .. "/scripts/lua/modules/?.lua;" .. package.path
require "lua_utils"
local ui_page = require("ui_page")
if not isAdministratorOrPrintErr() then return end
ui_page.render("prefs", "Preferences")
