-- Spec section 7: User Management & Authentication. Outside HTTP the run acts as the
-- administrator "admin" (TestEnv creates admin/admin). Outcomes are read back through getUsers()
-- and, where the binding has no reader, the store's own keys (ntopng.user.<name>.<field>).

local t = require("testing")
local expect_error = t.expect_error
local eq = t.eq

local function user(name) return ntop.getUsers()[name] end
local function field(name, f) return ntop.getCache("ntopng.user." .. name .. "." .. f) end
local function is_hex(s, len)
   return type(s) == "string" and #s == len and s:match("^[0-9a-f]+$") ~= nil
end

-- ############################################################################
-- Querying: the state at start

local users = ntop.getUsers()
eq(t.count(users), 1, "users at start")
local admin = users.admin
assert(admin, "admin exists")
eq(admin.username, "admin", "admin.username")
eq(admin.group, "administrator", "admin.group")
eq(admin.full_name, "Administrator", "admin.full_name")
eq(admin.totp_enabled, false, "admin.totp_enabled")

eq(ntop.getNologinUser(), "nologin", "getNologinUser")
eq(ntop.isAdministrator(), true, "isAdministrator outside HTTP")
eq(ntop.isPcapDownloadAllowed(), true, "isPcapDownloadAllowed for the administrator")
eq(ntop.isLoginDisabled(), false, "isLoginDisabled without -l")
eq(ntop.isGuiAccessRestricted(), false, "isGuiAccessRestricted without an ACL")

local nets = ntop.getAllowedNetworks()
eq(#nets, 2, "getAllowedNetworks: unrestricted")
eq(nets[1], "0.0.0.0/0", "getAllowedNetworks[1]")
eq(nets[2], "::/0", "getAllowedNetworks[2]")
eq(t.count(ntop.getAllowedHostPools()), 0, "getAllowedHostPools: none listed")

local op = ntop.getUserObservationPointId("admin")
eq(math.type(op), "integer", "getUserObservationPointId type")
eq(op, 0, "getUserObservationPointId")

-- ############################################################################
-- addUser with all twelve arguments; getUsers shows every field but never a password

eq(ntop.addUser("bob", "Bob Builder", "b0bpw!", "unprivileged", "10.0.0.0/8,192.168.1.0/24",
                "lo", "3", "it", true, false, true, "1,2"), true, "addUser(12 args)")
local bob = user("bob")
assert(bob, "bob listed")
eq(bob.username, "bob", "bob.username")
eq(bob.full_name, "Bob Builder", "bob.full_name")
eq(bob.group, "unprivileged", "bob.group")
eq(bob.allowed_nets, "10.0.0.0/8,192.168.1.0/24", "bob.allowed_nets")
eq(bob.allowed_ifname, "lo", "bob.allowed_ifname")
eq(bob.host_pool_id, "3", "bob.host_pool_id")
eq(bob.language, "it", "bob.language")
eq(bob.allow_pcap_download, true, "bob.allow_pcap_download")
eq(bob.allow_historical_flows, false, "bob.allow_historical_flows")
eq(bob.allow_alerts, true, "bob.allow_alerts")
eq(bob.allowed_host_pools, "1,2", "bob.allowed_host_pools")
eq(bob.totp_enabled, false, "bob.totp_enabled")
eq(bob.password, nil, "no password field")
for k, v in pairs(bob) do
   assert(not tostring(v):find("b0bpw!", 1, true), "the password shows in field " .. k)
   assert(not tostring(v):find("$argon2", 1, true), "a password hash shows in field " .. k)
end
-- Stored as an Argon2id hash, not in clear.
local bob_hash = field("bob", "password")
assert(bob_hash and bob_hash:sub(1, 10) == "$argon2id$",
       "bob's password hash: " .. tostring(bob_hash))
assert(not bob_hash:find("b0bpw!", 1, true), "the password is stored in clear")
eq(field("bob", "group"), "unprivileged", "stored group")

-- The spec's example: nil host pool, no pools; flags as strings "1" count too.
eq(ntop.addUser("analyst", "Jane Analyst", "s3cr3t", "unprivileged", "192.168.1.0/24", "eth0",
                nil, "en", false, true, true), true, "addUser (spec example)")
local analyst = user("analyst")
eq(analyst.host_pool_id, "", "analyst.host_pool_id")
eq(analyst.allow_pcap_download, false, "analyst.allow_pcap_download")
eq(analyst.allow_historical_flows, true, "analyst.allow_historical_flows")
eq(analyst.allowed_host_pools, "", "analyst.allowed_host_pools")
eq(ntop.addUser("carol", "Carol", "pw", "captivePortal", "", "", nil, nil, "1", "0", nil), true,
   "addUser (captive portal)")
eq(user("carol").group, "captive_portal", "captivePortal is stored as captive_portal")
eq(user("carol").language, "en", "language defaults to en")
eq(user("carol").allow_pcap_download, true, "flag given as \"1\"")
eq(user("carol").allow_historical_flows, false, "flag given as \"0\"")
eq(t.count(ntop.getUsers()), 4, "four users")

-- Refused: duplicate, bad names, reserved name, unknown role, bad networks, empty password.
eq(ntop.addUser("bob", "Other Bob", "x", "administrator", "", ""), false, "duplicate addUser")
eq(user("bob").full_name, "Bob Builder", "a duplicate leaves the first user")
eq(user("bob").group, "unprivileged", "a duplicate does not promote")
for _, bad in ipairs({"a|b", "a.b", "a*", "a b", "", string.rep("x", 65), "caf\xc3\xa9"}) do
   eq(ntop.addUser(bad, "", "pw", "unprivileged", "", ""), false, "addUser('" .. bad .. "')")
end
eq(ntop.addUser("nologin", "", "pw", "unprivileged", "", ""), false, "addUser(nologin)")
eq(ntop.addUser("dave", "", "pw", "root", "", ""), false, "addUser with an unknown role")
eq(ntop.addUser("dave", "", "pw", "unprivileged", "10.0.0.0/33", ""), false, "bad allowed_nets")
eq(ntop.addUser("dave", "", "pw", "unprivileged", "10.0.0.0/8,nonsense", ""), false,
   "one bad network among good ones")
eq(ntop.addUser("dave", "", "", "unprivileged", "", ""), false, "empty password")
eq(user("dave"), nil, "dave was never created")
eq(next(ntop.getKeysCache("ntopng.user.dave.*") or {}), nil, "a refused user leaves no keys")
eq(t.count(ntop.getUsers()), 4, "still four users")

-- ############################################################################
-- change* functions

eq(ntop.changeUserRole("bob", "administrator"), true, "changeUserRole")
eq(user("bob").group, "administrator", "bob promoted")
eq(ntop.changeUserRole("bob", "captivePortal"), true, "changeUserRole(captivePortal)")
eq(user("bob").group, "captive_portal", "captivePortal normalised")
eq(ntop.changeUserRole("bob", "superuser"), false, "changeUserRole with an unknown role")
eq(user("bob").group, "captive_portal", "an unknown role changes nothing")
eq(ntop.changeUserRole("ghost", "unprivileged"), false, "changeUserRole of an unknown user")
eq(ntop.changeUserRole("bob", "unprivileged"), true, "changeUserRole back")

eq(ntop.changeAllowedNets("bob", "172.16.0.0/12,fe80::/10"), true, "changeAllowedNets")
eq(user("bob").allowed_nets, "172.16.0.0/12,fe80::/10", "allowed_nets changed")
eq(ntop.changeAllowedNets("bob", "bogus"), false, "changeAllowedNets refuses a bad network")
eq(user("bob").allowed_nets, "172.16.0.0/12,fe80::/10", "a bad network changes nothing")
eq(ntop.changeAllowedNets("ghost", "10.0.0.0/8"), false, "changeAllowedNets of an unknown user")

eq(ntop.changeAllowedIfname("bob", "eth1"), true, "changeAllowedIfname")
eq(user("bob").allowed_ifname, "eth1", "allowed_ifname changed")
eq(ntop.changeAllowedIfname("bob", ""), true, "changeAllowedIfname to all")
eq(user("bob").allowed_ifname, "", "allowed_ifname cleared")

eq(ntop.changeUserHostPool("bob", "9"), true, "changeUserHostPool")
eq(user("bob").host_pool_id, "9", "host_pool_id changed")
eq(ntop.changeAllowedHostPools("bob", "4,5,6"), true, "changeAllowedHostPools")
eq(user("bob").allowed_host_pools, "4,5,6", "allowed_host_pools changed")
eq(ntop.changeUserFullName("bob", "Robert B."), true, "changeUserFullName")
eq(user("bob").full_name, "Robert B.", "full_name changed")
eq(field("bob", "full_name"), "Robert B.", "full_name stored")
eq(ntop.changeUserLanguage("bob", "de"), true, "changeUserLanguage")
eq(user("bob").language, "de", "language changed")
eq(ntop.changeUserFullName("ghost", "x"), false, "changeUserFullName of an unknown user")
eq(ntop.changeUserLanguage("ghost", "x"), false, "changeUserLanguage of an unknown user")
eq(ntop.changeUserHostPool("ghost", "1"), false, "changeUserHostPool of an unknown user")
eq(ntop.changeAllowedHostPools("ghost", "1"), false, "changeAllowedHostPools of an unknown user")
eq(ntop.changeAllowedIfname("ghost", "lo"), false, "changeAllowedIfname of an unknown user")

eq(ntop.changePcapDownloadPermission("bob", false), true, "changePcapDownloadPermission")
eq(user("bob").allow_pcap_download, false, "pcap revoked")
eq(ntop.changePcapDownloadPermission("bob", true), true, "changePcapDownloadPermission")
eq(user("bob").allow_pcap_download, true, "pcap granted")
eq(ntop.changeHistoricalFlowPermission("bob", true), true, "changeHistoricalFlowPermission")
eq(user("bob").allow_historical_flows, true, "historical flows granted")
eq(ntop.changeAlertsPermission("bob", false), true, "changeAlertsPermission")
eq(user("bob").allow_alerts, false, "alerts revoked")
eq(field("bob", "allow_alerts"), "0", "allow_alerts stored")
eq(ntop.changeAlertsPermission("ghost", true), false, "changeAlertsPermission of an unknown user")
eq(ntop.changePcapDownloadPermission("ghost", true), false, "changePcap... of an unknown user")
eq(ntop.changeHistoricalFlowPermission("ghost", true), false, "changeHistorical... unknown user")

-- The current user's own restrictions (admin, outside HTTP).
eq(ntop.changeAllowedNets("admin", "10.0.0.0/8,192.168.0.0/16"), true, "restrict admin's nets")
nets = ntop.getAllowedNetworks()
eq(#nets, 2, "getAllowedNetworks: two")
eq(nets[1], "10.0.0.0/8", "getAllowedNetworks[1]")
eq(nets[2], "192.168.0.0/16", "getAllowedNetworks[2]")
eq(ntop.changeAllowedNets("admin", ""), true, "unrestrict admin's nets")
eq(ntop.getAllowedNetworks()[1], "0.0.0.0/0", "unrestricted again")
eq(ntop.changeAllowedHostPools("admin", "3,4"), true, "admin's host pools")
local pools = ntop.getAllowedHostPools()
eq(#pools, 2, "getAllowedHostPools: two")
eq(pools[1], "3", "getAllowedHostPools[1]")
eq(pools[2], "4", "getAllowedHostPools[2]")
eq(ntop.changeAllowedHostPools("admin", ""), true, "admin's host pools cleared")

-- ############################################################################
-- resetUserPassword(who, username, old_pw, new_pw)

eq(ntop.resetUserPassword("admin", "bob", "", "n3w-b0b"), true, "resetUserPassword by an admin")
local new_hash = field("bob", "password")
assert(new_hash ~= bob_hash, "the hash changed")
eq(new_hash:sub(1, 10), "$argon2id$", "the new hash is Argon2id")
assert(not new_hash:find("n3w-b0b", 1, true), "the new password is stored in clear")
eq(ntop.resetUserPassword("admin", "bob", nil, "another"), true, "old_pw may be nil")
eq(ntop.resetUserPassword("admin", "bob", "", ""), false, "an empty new password is refused")
eq(ntop.resetUserPassword("admin", "ghost", "", "x"), false, "resetUserPassword of an unknown user")
eq(ntop.getCache("ntopng.user.ghost.password"), nil, "no user created by resetUserPassword")
-- The admin's own change records that the default password is gone.
eq(ntop.getCache("ntopng.prefs.admin_password_changed"), nil, "admin password never changed yet")
eq(ntop.resetUserPassword("admin", "admin", "admin", "adm1n-pw"), true, "admin's own password")
eq(ntop.getCache("ntopng.prefs.admin_password_changed"), "1", "admin_password_changed")

-- ############################################################################
-- isLoginBlacklisted: 5 failures within the window (ntopng.cache.failed_logins.<name>)

eq(ntop.isLoginBlacklisted("bob"), false, "bob not blacklisted")
for i = 1, 4 do ntop.incrCache("ntopng.cache.failed_logins.bob") end
eq(ntop.isLoginBlacklisted("bob"), false, "4 failures: not yet")
ntop.incrCache("ntopng.cache.failed_logins.bob")
eq(ntop.isLoginBlacklisted("bob"), true, "5 failures: blacklisted")
eq(ntop.isLoginBlacklisted("admin"), false, "per user")
eq(ntop.isLoginBlacklisted("ghost"), false, "unknown user")
ntop.delCache("ntopng.cache.failed_logins.bob")
eq(ntop.isLoginBlacklisted("bob"), false, "cleared")

-- ############################################################################
-- Sessions and API tokens

local sid = ntop.createUserSession("bob")
assert(is_hex(sid, 64), "createUserSession returns 64 hex: " .. tostring(sid))
local value = ntop.getCache("sessions." .. sid)
assert(value, "the session is in the store")
local parts = {}
for p in (value .. "|"):gmatch("([^|]*)|") do parts[#parts + 1] = p end
eq(#parts, 4, "session value fields (" .. value .. ")")
eq(parts[1], "bob", "session user")
eq(parts[2], "unprivileged", "session group")
assert(is_hex(parts[3], 32), "session csrf: " .. parts[3])
eq(parts[4], "1", "session localuser")
local sid2 = ntop.createUserSession("admin", 600)
assert(is_hex(sid2, 64) and sid2 ~= sid, "a second session has its own id")
eq(ntop.getCache("sessions." .. sid2):match("^([^|]*)|([^|]*)|"), "admin", "admin's session")
eq(ntop.createUserSession("ghost"), nil, "no session for an unknown user")
eq(ntop.createUserSession("a|b"), nil, "no session for an invalid name")
-- A session with a duration expires.
local short = ntop.createUserSession("bob", 1)
assert(ntop.getCache("sessions." .. short), "short session stored")
ntop.msleep(2200)
eq(ntop.getCache("sessions." .. short), nil, "a 1 s session is gone after 2.2 s")
assert(ntop.getCache("sessions." .. sid), "the default-length session is still there")

eq(ntop.getUserAPIToken("bob"), nil, "no token yet")
local token = ntop.createUserAPIToken("bob")
assert(is_hex(token, 32), "createUserAPIToken returns 32 hex: " .. tostring(token))
eq(ntop.getUserAPIToken("bob"), token, "getUserAPIToken")
eq(ntop.getHashCache("ntopng.api_tokens", token), "bob", "token -> user")
local token2 = ntop.createUserAPIToken("bob")
assert(is_hex(token2, 32) and token2 ~= token, "a new token")
eq(ntop.getUserAPIToken("bob"), token2, "getUserAPIToken after renewal")
eq(ntop.getHashCache("ntopng.api_tokens", token), nil, "the old token is revoked")
eq(ntop.getHashCache("ntopng.api_tokens", token2), "bob", "the new token maps")
eq(ntop.createUserAPIToken("ghost"), nil, "no token for an unknown user")
eq(ntop.getUserAPIToken("ghost"), nil, "getUserAPIToken of an unknown user")

-- ############################################################################
-- deleteUser

eq(ntop.deleteUser("carol"), true, "deleteUser")
eq(user("carol"), nil, "carol gone")
eq(next(ntop.getKeysCache("ntopng.user.carol.*") or {}), nil, "all of carol's keys gone")
eq(ntop.deleteUser("carol"), false, "deleting twice")
eq(ntop.deleteUser("ghost"), false, "deleting an unknown user")
eq(ntop.deleteUser("bob"), true, "deleteUser(bob)")
eq(ntop.getHashCache("ntopng.api_tokens", token2), nil, "bob's token went with him")
eq(ntop.getUserAPIToken("bob"), nil, "no token for a deleted user")

-- The last administrator stays; with a second one, either may go.
eq(ntop.deleteUser("admin"), false, "deleteUser of the last administrator")
assert(user("admin"), "admin still there")
eq(ntop.addUser("root", "Root", "pw", "administrator", "", ""), true, "a second administrator")
eq(ntop.deleteUser("root"), true, "one of two administrators may go")
eq(ntop.deleteUser("admin"), false, "admin is the last administrator again")
eq(ntop.getUsers().admin.group, "administrator", "admin unchanged")

-- ############################################################################
-- Argument errors, one per function group

expect_error("ntop.isLoginBlacklisted: argument #1 (username) expected string, got no value",
             ntop.isLoginBlacklisted)
expect_error("ntop.getUserObservationPointId: argument #1 (username) expected string, got table",
             ntop.getUserObservationPointId, {})
expect_error("ntop.addUser: argument #1 (username) expected string, got no value", ntop.addUser)
expect_error("ntop.addUser: argument #3 (password) expected string, got nil",
             ntop.addUser, "eve", "Eve", nil, "unprivileged")
expect_error("ntop.addUser: argument #5 (allowed_nets) expected string, got table",
             ntop.addUser, "eve", "Eve", "pw", "unprivileged", {}, "")
expect_error("ntop.addUser: argument #12 (pools) expected string, got boolean",
             ntop.addUser, "eve", "Eve", "pw", "unprivileged", "", "", nil, nil, nil, nil, nil,
             true)
eq(user("eve"), nil, "no user from a call with a wrong argument")
expect_error("ntop.deleteUser: argument #1 (username) expected string, got no value",
             ntop.deleteUser)
expect_error("ntop.resetUserPassword: argument #4 (new_pw) expected string, got no value",
             ntop.resetUserPassword, "admin", "admin", "x")
expect_error("ntop.resetUserPassword: argument #1 (who) expected string, got nil",
             ntop.resetUserPassword, nil, "admin", "x", "y")
expect_error("ntop.changeUserRole: argument #2 (role) expected string, got no value",
             ntop.changeUserRole, "admin")
expect_error("ntop.changeAllowedNets: argument #2 (value) expected string, got table",
             ntop.changeAllowedNets, "admin", {})
expect_error("ntop.changeUserFullName: argument #1 (username) expected string, got boolean",
             ntop.changeUserFullName, true, "x")
expect_error("ntop.changePcapDownloadPermission: argument #2 (allow) expected boolean, got string",
             ntop.changePcapDownloadPermission, "admin", "1")
expect_error("ntop.changeAlertsPermission: argument #2 (allow) expected boolean, got no value",
             ntop.changeAlertsPermission, "admin")
expect_error("ntop.createUserSession: argument #2 (duration) expected integer, got string",
             ntop.createUserSession, "admin", "1h")
expect_error("ntop.createUserSession: argument #2 (duration) must be positive",
             ntop.createUserSession, "admin", 0)
expect_error("ntop.createUserAPIToken: argument #1 (username) expected string, got nil",
             ntop.createUserAPIToken, nil)
expect_error("ntop.getUserAPIToken: argument #1 (username) expected string, got table",
             ntop.getUserAPIToken, {})

-- ############################################################################
-- Last: demoting the last administrator must be refused like deleting it (otherwise nobody
-- can manage users any more, and the next start finds no administrator).

eq(ntop.changeUserRole("admin", "unprivileged"), false,
   "changeUserRole demoting the last administrator")
eq(ntop.getUsers().admin.group, "administrator", "the last administrator stays one")
