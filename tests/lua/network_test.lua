-- options: -m 192.168.1.0/24=office,10.0.0.0/8,10.1.0.0/16=lab,2001:db8::/32=v6net
-- Spec section 9: Network & IP Utilities (isAllowedInterface/isAllowedNetwork: users tests).

local t = require("testing")
local eq, expect_error = t.eq, t.expect_error

-- ############################################################################
-- ipToNumber / inet_ntoa

eq(ntop.ipToNumber("192.168.1.1"), 3232235777, "ipToNumber")
eq(math.type(ntop.ipToNumber("0.0.0.0")), "integer", "ipToNumber is an integer")
eq(ntop.ipToNumber("0.0.0.0"), 0, "ipToNumber 0.0.0.0")
eq(ntop.ipToNumber("255.255.255.255"), 4294967295, "ipToNumber of the broadcast address")
eq(ntop.ipToNumber("2001:db8::1"), nil, "ipToNumber is IPv4 only")
eq(ntop.ipToNumber("1.2.3"), nil, "ipToNumber of garbage")
expect_error("ntop.ipToNumber: argument #1 (ip) expected string, got no value", ntop.ipToNumber)

eq(ntop.inet_ntoa(3232235777), "192.168.1.1", "inet_ntoa")
eq(ntop.inet_ntoa("3232235777"), "192.168.1.1", "inet_ntoa of a decimal string")
eq(ntop.inet_ntoa(0), "0.0.0.0", "inet_ntoa 0")
eq(ntop.inet_ntoa(4294967295), "255.255.255.255", "inet_ntoa max")
eq(ntop.inet_ntoa(ntop.ipToNumber("10.20.30.40")), "10.20.30.40", "round trip")
eq(ntop.inet_ntoa(4294967296), nil, "inet_ntoa past 32 bits")
eq(ntop.inet_ntoa(-1), nil, "inet_ntoa of a negative number")
eq(ntop.inet_ntoa("abc"), nil, "inet_ntoa of a non-numeric string")
expect_error("ntop.inet_ntoa: argument #1 (n) expected integer or string, got table",
             ntop.inet_ntoa, {})
expect_error("ntop.inet_ntoa: argument #1 (n) expected integer (got a fraction), got number",
             ntop.inet_ntoa, 1.5)

-- ############################################################################
-- networkPrefix / ipCmp / isIPv6

eq(ntop.networkPrefix("192.168.1.77", 24), "192.168.1.0", "networkPrefix /24")
eq(ntop.networkPrefix("192.168.1.77", 32), "192.168.1.77", "networkPrefix /32")
eq(ntop.networkPrefix("192.168.1.77", 0), "0.0.0.0", "networkPrefix /0")
eq(ntop.networkPrefix("255.255.255.255", 20), "255.255.240.0", "networkPrefix /20")
eq(ntop.networkPrefix("2001:db8:abcd:1234::1", 48), "2001:db8:abcd::", "networkPrefix IPv6")
eq(ntop.networkPrefix("2001:db8::1", 128), "2001:db8::1", "networkPrefix /128")
eq(ntop.networkPrefix("nope", 8), nil, "networkPrefix of garbage")
expect_error("ntop.networkPrefix: argument #2 (bits) must be 0..32 for an IPv4 address",
             ntop.networkPrefix, "10.0.0.1", 33)
expect_error("ntop.networkPrefix: argument #2 (bits) must be 0..128 for an IPv6 address",
             ntop.networkPrefix, "::1", -1)
expect_error("ntop.networkPrefix: argument #2 (bits) expected integer, got no value",
             ntop.networkPrefix, "10.0.0.1")

eq(ntop.ipCmp("10.0.0.1", "10.0.0.2"), -1, "ipCmp less")
eq(ntop.ipCmp("10.0.0.2", "10.0.0.1"), 1, "ipCmp greater")
eq(ntop.ipCmp("10.0.0.1", "10.0.0.1"), 0, "ipCmp equal")
eq(ntop.ipCmp("9.255.255.255", "10.0.0.0"), -1, "ipCmp is numeric, not textual")
eq(ntop.ipCmp("2001:DB8::1", "2001:db8:0::1"), 0, "ipCmp compares IPv6 values")
eq(ntop.ipCmp("2001:db8::1", "2001:db8::ff"), -1, "ipCmp IPv6")
eq(ntop.ipCmp("255.255.255.255", "::"), -1, "ipCmp: IPv4 sorts before IPv6")
eq(ntop.ipCmp("::", "0.0.0.0"), 1, "ipCmp: IPv6 after IPv4")
eq(ntop.ipCmp("10.0.0.1", "x"), nil, "ipCmp of garbage")
expect_error("ntop.ipCmp: argument #2 (ip2) expected string, got no value", ntop.ipCmp, "10.0.0.1")

eq(ntop.isIPv6("2001:db8::1"), true, "isIPv6")
eq(ntop.isIPv6("::ffff:10.0.0.1"), true, "isIPv6 of a mapped address")
eq(ntop.isIPv6("10.0.0.1"), false, "isIPv6 of IPv4")
eq(ntop.isIPv6("fe80::1%eth0"), false, "isIPv6 with a zone index")
eq(ntop.isIPv6(""), false, "isIPv6 of an empty string")
expect_error("ntop.isIPv6: argument #1 (ip) expected string, got boolean", ntop.isIPv6, true)

-- ############################################################################
-- the networks given with -m

local nets = ntop.getNetworks()
eq(t.count(nets), 4, "getNetworks has the four -m networks")
eq(nets["192.168.1.0/24"], 0, "first network, id 0")
eq(nets["10.0.0.0/8"], 1, "second network, id 1")
eq(nets["10.1.0.0/16"], 2, "third network, id 2")
eq(nets["2001:db8::/32"], 3, "IPv6 network, id 3")

eq(ntop.getNetworkNameById(0), "192.168.1.0/24", "getNetworkNameById(0)")
eq(ntop.getNetworkNameById(3), "2001:db8::/32", "getNetworkNameById(3)")
eq(ntop.getNetworkNameById(4), "", "getNetworkNameById of an unknown id")
eq(ntop.getNetworkNameById(-1), "", "getNetworkNameById(-1)")
eq(ntop.getNetworkNameById("1"), "10.0.0.0/8", "getNetworkNameById of a numeric string")
expect_error("ntop.getNetworkNameById: argument #1 (id) expected integer, got string",
             ntop.getNetworkNameById, "one")

eq(ntop.getNetworkIdByName("10.1.0.0/16"), 2, "getNetworkIdByName")
eq(ntop.getNetworkIdByName("10.1.2.3/16"), 2, "getNetworkIdByName compares canonically")
eq(ntop.getNetworkIdByName("10.2.0.0/16"), -1, "getNetworkIdByName of an unknown network")
eq(ntop.getNetworkIdByName("office"), -1, "an alias is not a name")

eq(ntop.getLocalNetworkID("192.168.1.0/24"), 0, "getLocalNetworkID")
eq(ntop.getLocalNetworkID("2001:db8::/32"), 3, "getLocalNetworkID IPv6")
eq(ntop.getLocalNetworkID("172.16.0.0/12"), nil, "getLocalNetworkID of an unknown network")

eq(ntop.getLocalNetworkAlias("192.168.1.0/24"), "office", "alias from -m net=alias")
eq(ntop.getLocalNetworkAlias("10.1.0.0/16"), "lab", "alias of the third network")
eq(ntop.getLocalNetworkAlias("2001:db8::/32"), "v6net", "alias of the IPv6 network")
eq(ntop.getLocalNetworkAlias("10.0.0.0/8"), nil, "a network without alias")
eq(ntop.getLocalNetworkAlias("172.16.0.0/12"), nil, "an unknown network")

-- ############################################################################
-- isLocalAddress / getAddressNetwork: the longest local network wins

eq(ntop.isLocalAddress("192.168.1.20"), true, "in 192.168.1.0/24")
eq(ntop.isLocalAddress("192.168.2.20"), false, "outside every network")
eq(ntop.isLocalAddress("10.200.1.1"), true, "in 10.0.0.0/8")
eq(ntop.isLocalAddress("2001:db8:1::5"), true, "IPv6 in 2001:db8::/32")
eq(ntop.isLocalAddress("2001:db9::5"), false, "IPv6 outside")
eq(ntop.isLocalAddress("8.8.8.8"), false, "a remote address")
eq(ntop.isLocalAddress("not an address"), false, "garbage is not local")
eq(ntop.isLocalAddress("10.1.0.0/16"), true, "a network inside a local one")
eq(ntop.isLocalAddress("10.0.0.0/7"), false, "a network larger than the local one")
eq(ntop.isLocalAddress("192.168.1.128/25"), true, "a /25 inside the /24")
eq(ntop.isLocalAddress("10.0.0.0/99"), false, "a bad prefix is not local")

local an = ntop.getAddressNetwork("10.1.2.3")
eq(an.network_id, 2, "10.1.2.3: the /16 beats the /8")
eq(an.network, "10.1.0.0/16", "getAddressNetwork names the network")
eq(an.alias, "lab", "and gives its alias")
an = ntop.getAddressNetwork("10.2.3.4")
eq(an.network_id, 1, "10.2.3.4: only the /8")
eq(an.network, "10.0.0.0/8", "the /8")
eq(an.alias, nil, "the /8 has no alias")
eq(ntop.getAddressNetwork("192.168.1.1").network_id, 0, "getAddressNetwork 192.168.1.1")
eq(ntop.getAddressNetwork("2001:db8::1").network_id, 3, "getAddressNetwork IPv6")
an = ntop.getAddressNetwork("8.8.8.8")
eq(an.network_id, -1, "getAddressNetwork of a remote address")
eq(t.count(an), 1, "a remote address: only network_id")
eq(ntop.getAddressNetwork("nope"), nil, "getAddressNetwork of garbage")

-- ############################################################################
-- addLocalNetwork, then the address is local

eq(ntop.isLocalAddress("172.16.5.5"), false, "not local before addLocalNetwork")
eq(select("#", ntop.addLocalNetwork("172.16.0.0/12")), 0, "addLocalNetwork returns nothing")
eq(ntop.isLocalAddress("172.16.5.5"), true, "local after addLocalNetwork")
eq(ntop.getNetworkIdByName("172.16.0.0/12"), 4, "the added network takes the next id")
eq(ntop.getAddressNetwork("172.31.255.254").network_id, 4, "getAddressNetwork sees it")
eq(ntop.getNetworks()["172.16.0.0/12"], 4, "getNetworks lists it")

ntop.addLocalNetwork("2001:db8:ff::/48=ffnet, 198.51.100.0/24")
eq(ntop.getAddressNetwork("2001:db8:ff::9").network_id, 5, "an added /48 beats the /32")
eq(ntop.getLocalNetworkAlias("2001:db8:ff::/48"), "ffnet", "an alias given to addLocalNetwork")
eq(ntop.isLocalAddress("198.51.100.7"), true, "a list adds every network")

ntop.addLocalNetwork("10.0.0.0/8=renamed")
eq(t.count(ntop.getNetworks()), 7, "a network already there is not added twice")
eq(ntop.getLocalNetworkAlias("10.0.0.0/8"), nil, "and keeps its alias (none)")

ntop.addLocalNetwork("203.0.113.0/24,bogus")
eq(ntop.isLocalAddress("203.0.113.1"), false, "nothing is added when an entry is invalid")
eq(t.count(ntop.getNetworks()), 7, "still seven networks")
expect_error("ntop.addLocalNetwork: argument #1 (cidr) expected string, got nil",
             ntop.addLocalNetwork, nil)

-- ############################################################################
-- isLocalInterfaceAddress

eq(ntop.isLocalInterfaceAddress("192.0.2.255"), false, "TEST-NET-1 is nobody's address")
eq(ntop.isLocalInterfaceAddress("garbage"), false, "garbage")
eq(type(ntop.isLocalInterfaceAddress("127.0.0.1")), "boolean", "loopback answers a boolean")

-- ############################################################################
-- setResolvedAddress: ntopng's DNS cache key, for an hour

eq(select("#", ntop.setResolvedAddress("192.168.1.20", "printer.lan")), 0,
   "setResolvedAddress returns nothing")
eq(ntop.getCache("ntopng.dns.cache.192.168.1.20"), "printer.lan", "stored under ntopng's key")
ntop.setResolvedAddress("2001:DB8::20;10.0.0.20", "twin.lan")
eq(ntop.getCache("ntopng.dns.cache.2001:db8::20"), "twin.lan", "canonical IPv6 in the key")
eq(ntop.getCache("ntopng.dns.cache.10.0.0.20"), "twin.lan", "'a;b' names both addresses")
ntop.setResolvedAddress("not-an-ip", "x")
eq(ntop.getCache("ntopng.dns.cache.not-an-ip"), nil, "nothing stored for a bad address")
expect_error("ntop.setResolvedAddress: argument #2 (hostname) expected string, got no value",
             ntop.setResolvedAddress, "10.0.0.1")

-- ############################################################################
-- checkNetworkPolicy

local ok = ntop.checkNetworkPolicy("192.168.1.0/24,10.0.0.0/8", "172.16.0.0/12", "")
eq(ok.error, false, "disjoint lists pass")
eq(ok.error_msg, "", "no message")
eq(ntop.checkNetworkPolicy("10.0.0.0/8").error, false, "one list is enough")
eq(ntop.checkNetworkPolicy("10.0.0.0/8", "10.1.0.0/16").error, false,
   "a smaller network inside an earlier one is allowed")
local bad = ntop.checkNetworkPolicy("10.0.0.0/8", "10.0.0.5")
eq(bad.error, true, "an address inside an earlier network overlaps")
eq(bad.error_msg, "Overlapping address error 10.0.0.5", "ntopng's message")
bad = ntop.checkNetworkPolicy("10.0.0.0/8", "", "garbage")
eq(bad.error, true, "garbage is an error")
eq(bad.error_msg, "Invalid network garbage", "naming the entry")
expect_error("ntop.checkNetworkPolicy: argument #1 (local_devices) expected string, got no value",
             ntop.checkNetworkPolicy)
expect_error("ntop.checkNetworkPolicy: argument #2 (corporate_devices) expected string, got table",
             ntop.checkNetworkPolicy, "", {})
