// hostMatches's selections of ntopng's other host lists (getLocalHostsInfoNoTX, ...NoTXTCP,
// getPublicHostsInfo, getBroadcastMulticastHostsInfo).

#include <gtest/gtest.h>

#include "iface/queries.h"

namespace flowlens {
namespace {

host::Host hostAt(const char* address, bool local) {
  host::Host h;
  h.ip = *util::parseIp(address);
  h.in_use = true;
  h.local = local;
  return h;
}

bool in(HostKind kind, const host::Host& h, HostScope scope = HostScope::kAll) {
  HostQuery q;
  q.kind = kind;
  q.scope = scope;
  return hostMatches(q, h);
}

TEST(HostKinds, ReceiveOnlyHostsHaveSentNothing) {
  host::Host quiet = hostAt("192.168.1.7", true);
  quiet.traffic.add(false, 3, 180);
  quiet.l4[host::kL4Udp].add(false, 3, 180);
  host::Host talker = quiet;
  talker.traffic.add(true, 1, 60);
  EXPECT_TRUE(in(HostKind::kRxOnly, quiet));
  EXPECT_FALSE(in(HostKind::kRxOnly, talker));
  EXPECT_TRUE(in(HostKind::kRxOnly, quiet, HostScope::kLocal));
  EXPECT_FALSE(in(HostKind::kRxOnly, quiet, HostScope::kRemote));
  // ...NoTXTCP: and what it received includes TCP.
  EXPECT_FALSE(in(HostKind::kRxOnlyTcp, quiet)) << "UDP only";
  quiet.l4[host::kL4Tcp].add(false, 1, 60);
  EXPECT_TRUE(in(HostKind::kRxOnlyTcp, quiet));
  talker.l4[host::kL4Tcp].add(false, 1, 60);
  EXPECT_FALSE(in(HostKind::kRxOnlyTcp, talker));
}

TEST(HostKinds, PublicIsNotPrivate) {
  EXPECT_TRUE(in(HostKind::kPublic, hostAt("8.8.8.8", false)));
  EXPECT_TRUE(in(HostKind::kPublic, hostAt("2001:db8::1", false)));
  for (const char* a : {"10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.0.1", "fd00::1"}) {
    EXPECT_FALSE(in(HostKind::kPublic, hostAt(a, true))) << a;
  }
  EXPECT_TRUE(in(HostKind::kPublic, hostAt("172.32.0.1", false))) << "just past 172.16.0.0/12";
}

TEST(HostKinds, BroadcastAndMulticast) {
  for (const char* a : {"255.255.255.255", "224.0.0.251", "239.255.255.250", "ff02::fb"}) {
    EXPECT_TRUE(in(HostKind::kBroadcastMulticast, hostAt(a, false))) << a;
  }
  for (const char* a : {"192.168.1.255", "223.255.255.255", "fe80::1"}) {
    EXPECT_FALSE(in(HostKind::kBroadcastMulticast, hostAt(a, false))) << a;
  }
}

}  // namespace
}  // namespace flowlens
