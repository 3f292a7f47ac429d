-- options: --geoip-dir tests/data/geoip --mac-vendors-dir tests/data/ieee
-- Spec section 25 against MaxMind's expected lookups (tests/data/geoip/EXPECTED.tsv, verified
-- with mmdblookup) for the databases flowlens picks in that directory (GeoIP2-City-Test and
-- GeoLite2-ASN-Test), and against the AS numbers of addresses seen in the shared captures
-- (PCAP_SHARED_IPS_IN_ASN_TEST_DB.tsv). Every row is checked through the Lua functions.

local t = require("testing")
local eq = t.eq

local dir = ntop.getDirs().installdir .. "/tests/data/geoip/"

local function rows(file)
   local out = {}
   for line in io.lines(dir .. file) do
      local cols = {}
      for col in (line .. "\t"):gmatch("([^\t]*)\t") do cols[#cols + 1] = col end
      if cols[1] ~= "ip" then out[#out + 1] = cols end
   end
   return out
end

local addresses, v4, v6 = {}, 0, 0
local function seen(ip)
   if addresses[ip] then return end
   addresses[ip] = true
   if ip:find(":") then v6 = v6 + 1 else v4 = v4 + 1 end
end

local checked = 0
for _, r in ipairs(rows("EXPECTED.tsv")) do
   local ip, db, field, want = r[1], r[2], r[3], r[4]
   local what = ip .. " " .. field
   if db == "GeoIP2-City-Test.mmdb" then
      local g = ntop.getHostGeolocation(ip)
      if field == "country iso_code" then eq(g.country, want, what)
      elseif field == "country names en" then eq(g.country_name, want, what)
      elseif field == "city names en" then eq(g.city, want, what)
      elseif field == "location latitude" then
         assert(math.abs(g.latitude - tonumber(want)) < 1e-4, what .. ": " .. g.latitude)
      elseif field == "location longitude" then
         assert(math.abs(g.longitude - tonumber(want)) < 1e-4, what .. ": " .. g.longitude)
      elseif field == "(any)" then
         eq(g.country .. g.city, "", what .. " (not found)")
         eq(ntop.getHostInformation(ip).country, "", what .. " (information)")
      else
         goto continue  -- subdivision, postal code, time zone, registered country: not in the API
      end
      checked = checked + 1
      seen(ip)
   elseif db == "GeoLite2-ASN-Test.mmdb" then
      if field == "autonomous_system_number" then
         eq(ntop.getHostInformation(ip).asn, tonumber(want), what)
      elseif field == "autonomous_system_organization" then
         eq(ntop.getASName(ip), want, what)
      elseif field == "(any)" then
         eq(ntop.getASName(ip), nil, what .. " (not found)")
         eq(ntop.getHostInformation(ip).asn, 0, what .. " (information)")
      end
      checked = checked + 1
      seen(ip)
   end
   ::continue::
end

for _, r in ipairs(rows("PCAP_SHARED_IPS_IN_ASN_TEST_DB.tsv")) do
   local ip, asn, org = r[1], tonumber(r[2]), r[3]
   eq(ntop.getHostInformation(ip).asn, asn, ip .. " asn")
   eq(ntop.getASName(ip), org, ip .. " AS name")
   assert(ntop.getASNameFromASN(asn) ~= nil, "AS " .. asn .. " has a name by number")
   checked = checked + 3
   seen(ip)
end

local n = 0
for _ in pairs(addresses) do n = n + 1 end
assert(n >= 20, "at least 20 addresses checked, got " .. n)
assert(v4 > 0 and v6 > 0, "IPv4 and IPv6 both checked")
assert(checked > 100, "rows checked: " .. checked)

-- MAC vendors, one per IEEE block size (the fixture's excerpts of Debian's ieee-data).
eq(ntop.getMacManufacturer("F4:BD:9E:12:34:56"), "Cisco Systems, Inc", "MA-L")
eq(ntop.getMacManufacturer("20:85:93:B0:00:01"), "IOG Products LLC", "MA-M")
eq(ntop.getMacManufacturer("70:B3:D5:71:90:01"), "2M Technology", "MA-S")
