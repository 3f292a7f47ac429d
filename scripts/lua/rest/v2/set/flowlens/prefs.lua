--
-- POST /lua/rest/v2/set/flowlens/prefs.lua (administrators): the web UI's preferences,
-- ntopng.prefs.flowlens.ui.<name>. Parameters: any of refresh_secs, rows_per_page,
-- chart_points (integers within their ranges, see ui_page.prefs). Answers the preferences now;
-- a value out of range changes nothing (INVALID_ARGUMENTS).
--
local dirs = ntop.getDirs()
package.path = dirs.installdir .. "/scripts/lua/modules/?.lua;" .. package.path
local ui_page = require("ui_page")
local rest_utils = require("rest_utils")
local json = require("dkjson")

local consts = rest_utils.consts
if not isAdministrator() then
   rest_utils.answer(consts.err.not_granted)
else
   local prefs = ui_page.setPrefs(json.decode(_POST["JSON"] or "") or _POST)
   rest_utils.answer(prefs and consts.success.ok or consts.err.invalid_args, prefs)
end
