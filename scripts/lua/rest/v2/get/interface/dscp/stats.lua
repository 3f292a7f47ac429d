--
-- GET /lua/rest/v2/get/interface/dscp/stats.lua?ifid=N: packets by DSCP class, as pie slices
-- [{label, value}] (slices under 1% collapsed into "Other").
--
local dirs = ntop.getDirs()
package.path = dirs.installdir .. "/scripts/lua/modules/?.lua;" .. package.path
local rest_utils = require("rest_utils")
require "lua_utils"
local rest_query = require("rest_query")

if rest_query.select_interface(rest_query.params()) == nil then return end
local s = interface.getStats() or {}
-- getStats().dscp is {[code] = {packets.sent, packets.rcvd, ...}}; codes take ntopng's DSCP
-- class names, codes without one are "Unknown".
local DSCP = {
   [0x00] = "Best Effort (CS0)", [0x01] = "LE",
   [0x08] = "Priority (CS1)", [0x0A] = "Priority (AF11)", [0x0C] = "Priority (AF12)",
   [0x0E] = "Priority (AF13)", [0x10] = "Immediate (CS2)", [0x12] = "Immediate (AF21)",
   [0x14] = "Immediate (AF22)", [0x16] = "Immediate (AF23)", [0x18] = "Flash/Voice (CS3)",
   [0x1A] = "Flash/Voice (AF31)", [0x1C] = "Flash/Voice (AF32)", [0x1E] = "Flash/Voice (AF33)",
   [0x20] = "Flash Override (CS4)", [0x22] = "Flash Override (AF41)",
   [0x24] = "Flash Override (AF42)", [0x26] = "Flash Override (AF43)",
   [0x28] = "Critical (CS5)", [0x2E] = "Critical (EF)", [0x30] = "Internetwork Control (CS6)",
   [0x38] = "Network Control (CS7)",
}
local slices = rest_query.grouped_slices(s.dscp,
   function(code) return DSCP[code] or "Unknown" end,
   function(v) return (v["packets.sent"] or 0) + (v["packets.rcvd"] or 0) end)
rest_utils.answer(rest_utils.consts.success.ok, rest_query.collapse(slices, 1, 1))
