--
-- The selected interface's counters and throughput.
-- Drawn by the web UI bundle (ui/src/pages/interface.js); see modules/ui_page.lua.
--
local dirs = ntop.getDirs()
package.path = dirs.installdir .. "/scripts/lua/modules/?.lua;" .. package.path
require "lua_utils"
local ui_page = require("ui_page")

ui_page.render("interface", "Interface")
