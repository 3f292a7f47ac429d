-- options: -i tests/data/enrich/enrich.pcap --geoip-dir tests/data/geoip --mac-vendors-dir tests/data/ieee -m 192.168.1.0/24 -n 2 --dns-servers 127.0.0.1:9
-- Host enrichment over a capture (tests/data/enrich/make_enrich_pcap.py) with MaxMind's test
-- databases and excerpts of the IEEE lists: spec sections 10 and 25, the host and MAC answers,
-- and interface.getASesInfo / getCountriesInfo. -n 2: names come from the DNS answers in the
-- capture and from scripts, and no address is sent to a DNS server.

local t = require("testing")
local eq = t.eq

local function near(got, want, what)
   assert(type(got) == "number" and math.abs(got - want) < 1e-4,
          what .. ": expected " .. want .. ", got " .. tostring(got))
end

-- ############################################################################
-- Section 25: ASN & Geolocation

eq(ntop.hasGeoIP(), true, "databases loaded")

local g = ntop.getHostGeolocation("81.2.69.142")
eq(g.country, "GB", "country")
eq(g.country_name, "United Kingdom", "country name")
eq(g.city, "London", "city")
eq(g.continent, "EU", "continent")
near(g.latitude, 51.5142, "latitude")
near(g.longitude, -0.0931, "longitude")
local v6 = ntop.getHostGeolocation("2001:218::1")
eq(v6.country, "JP", "IPv6 country")
local none = ntop.getHostGeolocation("10.0.0.1")
eq(none.country, "", "a private address has no country")
eq(none.latitude, 0.0, "nor coordinates")
eq(ntop.getHostGeolocation("not-an-address"), nil, "a bad address: nil")

eq(ntop.getASName("89.160.20.112"), "Bredband2 AB", "AS name by address")
eq(ntop.getASName("2600:6000::1"), "Merit Network Inc.", "AS name, IPv6")
eq(ntop.getASName("10.0.0.1"), nil, "no AS")
eq(ntop.getASNameFromASN(15169), "Google Inc.", "AS name by number")
eq(ntop.getASNameFromASN(4294967295), nil, "unknown AS number")
eq(ntop.getASNameFromASN(0), nil, "AS 0")

eq(ntop.getMacManufacturer("F4:BD:9E:00:00:01"), "Cisco Systems, Inc", "MA-L vendor")
eq(ntop.getMacManufacturer("70:b3:d5:f2:f0:01"), "TELEPLATFORMS", "MA-S block beats its MA-L")
eq(ntop.getMacManufacturer("70:B3:D5:00:00:01"), "IEEE Registration Authority", "the MA-L")
eq(ntop.getMacManufacturer("02:00:00:00:00:01"), nil, "unregistered")
eq(ntop.getMacManufacturer("nonsense"), nil, "not a MAC")

local info = ntop.getHostInformation("81.2.69.142")
eq(info.ip, "81.2.69.142", "information: address")
eq(info.name, "www.example.test", "information: the name a DNS answer gave")
eq(info.country, "GB", "information: country")
eq(info.localhost, false, "information: remote")
local mine = ntop.getHostInformation("192.168.1.10")
eq(mine.localhost, true, "information: local (-m)")
eq(mine.local_network_name, "192.168.1.0/24", "information: its network")
local machine = ntop.getHostInformation()
eq(type(machine.ip), "string", "without an address: this machine's")
eq(type(machine.instance_name), "string", "and the instance name")

-- ############################################################################
-- Section 10: Address Resolution

eq(ntop.getResolvedName("81.2.69.142"), "www.example.test", "learned from a DNS answer")
-- nDPI turns the bytes a host name cannot hold into "_" (the query was "<b>x</b>.example.test").
eq(ntop.getResolvedName("89.160.20.112"), "_b_x__b_.example.test", "DNS name as nDPI gives it")
eq(ntop.getResolvedName("8.8.8.8"), nil, "unknown")
eq(ntop.resolveName("8.8.8.8"), nil, "-n 2: nothing is queued, nothing returned")
eq(ntop.getResolvedName("8.8.8.8"), nil, "still unknown")
eq(ntop.resolveHost("192.0.2.7"), "192.0.2.7", "an address resolves to itself")

ntop.setResolvedAddress("216.160.83.56", "milton.example")
eq(ntop.getResolvedName("216.160.83.56"), "milton.example", "set by a script")
eq(ntop.getCache("ntopng.dns.cache.216.160.83.56"), "milton.example", "under ntopng's key")
-- A name another process stored is read from the store.
ntop.setCache("ntopng.dns.cache.198.51.100.9", "stored.example", 60)
eq(ntop.getResolvedName("198.51.100.9"), "stored.example", "from the store")

-- The DNS-answer names are written through to the store by the resolver's thread.
local stored
for _ = 1, 200 do
   stored = ntop.getCache("ntopng.dns.cache.81.2.69.142")
   if stored ~= "" then break end
   ntop.msleep(10)
end
eq(stored, "www.example.test", "learned names persist")

eq(getResolvedAddress({host = "216.160.83.56", vlan = 0}), "milton.example", "lua_utils wrapper")
eq(getResolvedAddress("8.8.8.8@5"), "8.8.8.8@5", "unknown: the address, with its VLAN")
eq(resolveAddress({host = "8.8.4.4"}), "8.8.4.4", "resolveAddress: the address meanwhile")
eq(resolveAddress({host = "8.8.4.4"}, true), "", "or empty when asked")

-- ############################################################################
-- Hosts and MACs carry it

local h = interface.getHostInfo("81.2.69.142")
eq(h.country, "GB", "host country")
eq(h.city, "London", "host city")
eq(h.continent, "EU", "host continent")
near(h.latitude, 51.5142, "host latitude")
eq(h.name, "www.example.test", "host name")
eq(h.names.resolved, "www.example.test", "names.resolved")
local se = interface.getHostInfo("89.160.20.112")
eq(se.asn, 29518, "host AS")
eq(se.asname, "Bredband2 AB", "host AS name")
eq(se.name, "_b_x__b_.example.test", "the DNS name in the host answer")
eq(interface.getHostInfo("216.160.83.56").name, "milton.example", "script-set name reaches hosts")
-- Names are kept raw; a page escapes them.
local hostile = '<img src=x onerror="alert(1)">'
ntop.setResolvedAddress("175.16.199.1", hostile)
eq(interface.getHostInfo("175.16.199.1").name, hostile, "stored raw")
eq(escapeHTML(getResolvedAddress("175.16.199.1")),
   "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;", "escaped for HTML")
eq(interface.getHostInfo("1.0.0.1").country, "", "AS without location")
eq(interface.getHostInfo("1.0.0.1").asn, 15169, "...but with its AS")

local se_only = interface.getHostsInfo(false, nil, nil, nil, nil, "SE")
eq(se_only.numHosts, 1, "country filter")
assert(se_only.hosts["89.160.20.112"], "the Swedish host")
local google = interface.getHostsInfo(false, nil, nil, nil, nil, nil, nil, nil, 15169)
eq(google.numHosts, 1, "AS filter")
assert(google.hosts["1.0.0.1"], "the AS 15169 host")

local macs = interface.getMacsInfo()
local vendors = {}
for _, m in pairs(macs.macs) do vendors[m.mac] = m.manufacturer end
eq(vendors["F4:BD:9E:00:00:01"], "Cisco Systems, Inc", "MAC host vendor")
eq(vendors["70:B3:D5:F2:F0:01"], "TELEPLATFORMS", "MAC host vendor, MA-S")

-- ############################################################################
-- interface.* by AS and by country

local all_hosts = interface.getHostsInfo(false, nil, 1000)
local by_as, by_country = {}, {}
for _, host in pairs(all_hosts.hosts) do
   local a = by_as[host.asn] or {hosts = 0, bytes = 0}
   a.hosts, a.bytes = a.hosts + 1, a.bytes + host["bytes.sent"] + host["bytes.rcvd"]
   by_as[host.asn] = a
   if host.country ~= "" then
      local c = by_country[host.country] or {hosts = 0, bytes = 0}
      c.hosts, c.bytes = c.hosts + 1, c.bytes + host["bytes.sent"] + host["bytes.rcvd"]
      by_country[host.country] = c
   end
end

local ases = interface.getASesInfo()
local n_as = 0
for _ in pairs(by_as) do n_as = n_as + 1 end
eq(ases.numASes, n_as, "one entry per AS (AS 0: hosts without one)")
for _, as in ipairs(ases.ASes) do
   eq(as.num_hosts, by_as[as.asn].hosts, "hosts of AS " .. as.asn)
   eq(as["bytes.sent"] + as["bytes.rcvd"], by_as[as.asn].bytes, "bytes of AS " .. as.asn)
end
for i = 2, #ases.ASes do
   assert(ases.ASes[i - 1].bytes >= ases.ASes[i].bytes, "by traffic, largest first")
end
eq(interface.getASInfo(29518).asname, "Bredband2 AB", "one AS")
eq(interface.getASInfo(64511), nil, "an AS without hosts")
local page = interface.getASesInfo({sortColumn = "column_asn", a2zSortOrder = true, maxHits = 2, toSkip = 1})
eq(#page.ASes, 2, "a page of ASes")
eq(page.numASes, n_as, "total before paging")
assert(page.ASes[1].asn < page.ASes[2].asn, "sorted by number")

local countries = interface.getCountriesInfo()
eq(countries.numCountries, 5, "GB, SE, US, CN, JP")
eq(countries.Countries[1].country, "GB", "most traffic first")
for _, c in ipairs(countries.Countries) do
   eq(c.num_hosts, by_country[c.country].hosts, "hosts of " .. c.country)
   eq(c.bytes, by_country[c.country].bytes, "bytes of " .. c.country)
end
eq(interface.getCountryInfo("jp").num_hosts, 1, "one country, any case")
eq(interface.getCountryInfo("FR"), nil, "a country without hosts")
