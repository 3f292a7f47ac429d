--
-- ui_page: the HTML shell of a web UI page. The page's content is drawn by the bundle that
-- `make ui` builds from ui/ into httpdocs/dist/; this module finds the bundle's files in Vite's
-- manifest (their names carry a content hash, so the static files' day-long cache is safe) and
-- hands the bundle what it needs in one data attribute: the page, the user, the CSRF token, the
-- interfaces and the UI preferences. No data from the network is printed here.
--
require "lua_utils"
local json = require("dkjson")

local ui_page = {}

local ENTRY = "src/main.js"

-- UI preferences (ntopng.prefs.flowlens.ui.*): name -> {default, min, max}.
ui_page.prefs = {
   refresh_secs = { default = 1, min = 1, max = 60 },
   rows_per_page = { default = 25, min = 5, max = 200 },
   chart_points = { default = 300, min = 30, max = 3600 },
}

function ui_page.getPrefs()
   local out = {}
   for name, p in pairs(ui_page.prefs) do
      local v = math.tointeger(tonumber(ntop.getPref("flowlens.ui." .. name) or ""))
      if v == nil or v < p.min or v > p.max then v = p.default end
      out[name] = v
   end
   return out
end

-- Sets the preferences named in `params` (others are kept) and answers them all; nil, with
-- nothing changed, when a value is not an integer in its range.
function ui_page.setPrefs(params)
   local changes = {}
   for name, p in pairs(ui_page.prefs) do
      if params[name] ~= nil then
         local v = math.tointeger(tonumber(params[name]))
         if v == nil or v < p.min or v > p.max then return nil end
         changes[name] = v
      end
   end
   for name, v in pairs(changes) do ntop.setPref("flowlens.ui." .. name, tostring(v)) end
   return ui_page.getPrefs()
end

-- The entry's script and style files, from httpdocs/dist/.vite/manifest.json; nil when the UI
-- was not built.
local function bundleFiles()
   local f = io.open(ntop.getDirs().installdir .. "/httpdocs/dist/.vite/manifest.json", "r")
   if f == nil then return nil end
   local manifest = json.decode(f:read("a") or "")
   f:close()
   local entry = type(manifest) == "table" and manifest[ENTRY]
   if type(entry) ~= "table" or type(entry.file) ~= "string" then return nil end
   return { script = entry.file, styles = entry.css or {} }
end

local function interfaces()
   local out = {}
   for ifid, name in pairsByKeys(interface.getIfNames(), function(a, b) return tonumber(a) < tonumber(b) end) do
      out[#out + 1] = { ifid = tonumber(ifid), name = name }
   end
   return out
end

-- Prints the page. `page` names the bundle's page module (dashboard, hosts, host, ...);
-- `title` is plain text; `extra` (optional) is merged into the configuration.
function ui_page.render(page, title, extra)
   local prefix = ntop.getHttpPrefix()
   local files = bundleFiles()
   local ifid = tonumber(_GET["ifid"] or "")
   if ifid == nil or interface.select(tostring(ifid)) == nil then ifid = interface.getId() end
   local config = {
      page = page,
      prefix = prefix,
      user = _SESSION["user"] or "",
      admin = isAdministrator(),
      csrf = _SESSION["csrf"] or "",
      session = not isEmptyString(_SESSION["session"]),
      ifid = ifid,
      interfaces = interfaces(),
      prefs = ui_page.getPrefs(),
      version = ntop.getInfo(false).version,
   }
   for k, v in pairs(extra or {}) do config[k] = v end

   sendHTTPContentTypeHeader("text/html", nil, nil, {
      ["X-Frame-Options"] = "DENY",
      -- The bundle is the only script; ECharts sets inline styles on its elements.
      ["Content-Security-Policy"] = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " ..
         "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
   })
   print('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">')
   print('<meta name="viewport" content="width=device-width, initial-scale=1">')
   print('<title>' .. escapeHTML(title) .. ' · flowlens</title>')
   if files then
      for _, css in ipairs(files.styles) do
         print('<link rel="stylesheet" href="' .. escapeHTML(prefix .. "/dist/" .. css) .. '">')
      end
      print('<script type="module" src="' .. escapeHTML(prefix .. "/dist/" .. files.script) .. '"></script>')
   else
      print('<link rel="stylesheet" href="' .. escapeHTML(prefix) .. '/css/flowlens.css">')
   end
   print('</head><body>')
   print('<div id="app" data-config="' .. escapeHTML(json.encode(config)) .. '">')
   if files == nil then
      print('<main class="login"><h1>flowlens</h1><p class="error">The web UI is not built: run ' ..
            '<code>make ui</code>.</p></main>')
   end
   print('</div></body></html>')
end

return ui_page
