-- Spec section 28: Edition / Platform Checks. flowlens is no ntop commercial edition and runs
-- (in these tests) on Linux from a source tree: every check is false except isLinux.

local false_checks = {
   -- Edition
   "isForcedCommunity", "isPro", "isEnterprise", "isEnterpriseM", "isEnterpriseL",
   "isEnterpriseXL", "isEnterpriseXXL", "isnEdge", "isnEdgeEnterprise", "isPackage",
   "isAppliance", "isIoTBridge",
   -- Platform
   "isWindows", "isFreeBSD",
   -- Runtime features
   "hasGeoIP", "hasRadiusSupport", "hasLdapSupport", "isClickHouseEnabled",
   "hasSpeedtestSupport", "isNProbeIPSConfigured", "isFlowDedupEnabled",
}

for _, name in ipairs(false_checks) do
   assert(type(ntop[name]) == "function", "ntop." .. name .. " exists")
   local n = select("#", ntop[name]())
   local v = ntop[name]()
   assert(n == 1 and v == false, "ntop." .. name .. "() is false (a boolean), got " .. tostring(v))
   -- Extra arguments are ignored, as ntopng's do.
   assert(ntop[name]("ignored", 1) == false, "ntop." .. name .. " ignores arguments")
end

assert(ntop.isLinux() == true, "ntop.isLinux() is true")
assert(ntop.isPackage() == false, "a build directory is not a package install: bindir " ..
       ntop.getDirs().bindir)

-- isEnterprise is an alias of isEnterpriseM.
assert(ntop.isEnterprise() == ntop.isEnterpriseM(), "isEnterprise == isEnterpriseM")

-- getInfo agrees with the edition checks.
local info = ntop.getInfo(false)
assert(info["version.enterprise_edition"] == false and info["version.nedge_edition"] == false and
       info["pro.release"] == false, "getInfo's edition flags are false")

-- getLicenseLimits: no licence; the configured interfaces are the limit.
local limits = ntop.getLicenseLimits()
assert(type(limits) == "table", "getLicenseLimits returns a table")
assert(limits.edition == "community", "community edition: " .. tostring(limits.edition))
assert(limits.licensed == false, "not licensed")
assert(limits.num_interfaces == 1, "one interface (lo): " .. tostring(limits.num_interfaces))
