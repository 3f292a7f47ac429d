#!/usr/bin/env python3
"""Compares `flowlens --lua-api` with the functions the spec lists.

Prints, per spec section, how many of its ntop.* functions are registered and which are not
yet. Fails when a section delivered so far (DELIVERED below) misses a function, or when
flowlens registers an ntop.* function the spec does not list (a typo or an invention).
"""
import subprocess
import sys
from collections import OrderedDict

# Sections whose every function must be registered, and the parts of sections 31 and 33
# delivered.
DELIVERED = {"3", "4", "5", "6", "7", "8", "9", "11", "12", "13", "14", "15", "16", "19", "22", "23", "24", "26", "27", "28", "29", "32"}
DELIVERED_33 = {"msleep", "md5", "getservbyport", "getTLSVersionName", "getMac64", "decodeMac64",
                "isDeadlineApproaching", "getDeadline", "execCmd", "execCmdAsync",
                "readResultCmdAsync", "setMacDeviceType", "reloadHostPools", "poolsLock", "poolsUnlock", "isOffline", "isForcedOffline", "setOffline", "setOnline",
                "shutdown", "sendMail"}
PARTIAL = {"18": {"snmpv3available", "snmpsetavailable", "snmpgetbulkavailable",
                  "snmpMaxNumEngines", "snmpSetBulkMaxNumRepetitions", "snmpget", "snmpgetnext",
                  "snmpgetnextbulk", "snmpset", "snmpallocasnyncengine", "snmpfreeasnycengine",
                  "snmpgetasync", "snmpgetnextasync", "snmpgetnextbulkasync", "snmpreadasyncrsp",
                  "snmpGetBatch", "snmpReadResponses"},
           "31": {"getRiskStr", "getRiskList", "getFlowRiskAlerts", "shouldResolveHost",
                  "reloadFlowChecks", "reloadHostChecks", "reloadAlertExclusions",
                  "getFlowChecksStats", "getFlowCheckInfo", "getHostCheckInfo"},
           "33": DELIVERED_33}


def main():
    binary, spec_file = sys.argv[1], sys.argv[2]
    registered = set(subprocess.run([binary, "--lua-api"], check=True, capture_output=True,
                                    text=True).stdout.split())
    sections = OrderedDict()
    for line in open(spec_file, encoding="utf-8"):
        if line.startswith("#") or not line.strip():
            continue
        section, fn = line.rstrip("\n").split("\t")
        sections.setdefault(section, []).append(fn)

    spec_all = {fn for fns in sections.values() for fn in fns}
    failures = []
    print(f"{'section':45} registered")
    for section, fns in sections.items():
        have = [f for f in fns if f in registered]
        missing = [f for f in fns if f not in registered]
        print(f"{section:45} {len(have):3}/{len(fns):<3}"
              + (f"  not yet: {' '.join(m[5:] for m in missing)}" if missing else ""))
        number = section.split()[0]
        if number in DELIVERED and missing:
            failures.append(f"section {section} misses {missing}")
        if number in PARTIAL:
            lost = [m for m in missing if m[5:] in PARTIAL[number]]
            if lost:
                failures.append(f"section {number} misses delivered functions {lost}")

    # Section 9 functions that answer for the current user come with the users work.
    for fn in ("ntop.isAllowedInterface", "ntop.isAllowedNetwork"):
        if fn not in registered:
            failures.append(f"{fn} (section 9, per-user) is not registered")
    invented = sorted(f for f in registered if f.startswith("ntop.") and f not in spec_all)
    if invented:
        failures.append(f"registered but not in the spec: {invented}")
    total = len(spec_all)
    have_total = len(spec_all & registered)
    print(f"\nntop.* functions of the spec registered: {have_total}/{total} "
          f"({100.0 * have_total / total:.1f}%)")
    print(f"interface.* functions registered: "
          f"{len([f for f in registered if f.startswith('interface.')])}")
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
