// capture::fanoutProgram: the classic BPF program that chooses a live capture's packet thread.
// Run here by a small interpreter of the instructions it uses, over packets given as a
// network header (SKF_NET_OFF loads) and an ethertype (SKF_AD_PROTOCOL), as the kernel sees them.

#include "capture/fanout.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

namespace flowlens::capture {
namespace {

struct Packet {
  uint16_t ethertype;
  std::vector<uint8_t> net;  // from the network header on
};

struct Result {
  uint32_t value = 0;
  bool load_failed = false;  // the kernel ends the program with 0 then
};

// The program's result, or nullopt when it did something this interpreter does not know, or
// read a scratch word it had not written on the way.
std::optional<Result> run(const std::vector<sock_filter>& prog, const Packet& pkt) {
  uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = {};
  bool written[BPF_MEMWORDS] = {};
  bool failed = false;
  const auto load = [&](int64_t k, int size) -> uint32_t {
    if (k == int64_t(SKF_AD_OFF) + SKF_AD_PROTOCOL) return pkt.ethertype;
    const int64_t off = k - int64_t(SKF_NET_OFF);
    if (off < 0 || off + size > int64_t(pkt.net.size())) {
      failed = true;
      return 0;
    }
    uint32_t v = 0;
    for (int i = 0; i < size; ++i) v = v << 8 | pkt.net[size_t(off) + size_t(i)];
    return v;
  };
  for (size_t pc = 0; pc < prog.size(); ++pc) {
    const sock_filter& f = prog[pc];
    const int64_t k = int32_t(f.k);
    const int size = BPF_SIZE(f.code) == BPF_W ? 4 : BPF_SIZE(f.code) == BPF_H ? 2 : 1;
    switch (f.code) {
      case BPF_LD | BPF_W | BPF_ABS: case BPF_LD | BPF_H | BPF_ABS: case BPF_LD | BPF_B | BPF_ABS:
        a = load(k, size);
        break;
      case BPF_LD | BPF_W | BPF_IND: case BPF_LD | BPF_H | BPF_IND: case BPF_LD | BPF_B | BPF_IND:
        a = load(k + int64_t(x), size);
        break;
      case BPF_LDX | BPF_B | BPF_MSH: x = 4 * (load(k, 1) & 0xf); break;
      case BPF_LDX | BPF_MEM:
        if (f.k >= BPF_MEMWORDS || !written[f.k]) return std::nullopt;
        x = mem[f.k];
        break;
      case BPF_ST: mem[f.k] = a, written[f.k] = true; break;
      case BPF_STX: mem[f.k] = x, written[f.k] = true; break;
      case BPF_MISC | BPF_TAX: x = a; break;
      case BPF_ALU | BPF_XOR | BPF_X: a ^= x; break;
      case BPF_ALU | BPF_ADD | BPF_K: a += f.k; break;
      case BPF_ALU | BPF_LSH | BPF_K: a <<= f.k; break;
      case BPF_ALU | BPF_RSH | BPF_K: a >>= f.k; break;
      case BPF_ALU | BPF_MUL | BPF_K: a *= f.k; break;
      case BPF_JMP | BPF_JA: pc += f.k; break;
      case BPF_JMP | BPF_JEQ | BPF_K: pc += a == f.k ? f.jt : f.jf; break;
      case BPF_JMP | BPF_JSET | BPF_K: pc += (a & f.k) ? f.jt : f.jf; break;
      case BPF_RET | BPF_A: return Result{a, false};
      case BPF_RET | BPF_K: return Result{f.k, false};
      default: return std::nullopt;
    }
    if (failed) return Result{0, true};
  }
  return std::nullopt;  // fell off the end: the kernel would refuse the program
}

// What the kernel's checker asks of every path (bpf_check_classic, check_load_and_stores):
// jumps land inside the program, it ends in a return, and a scratch word is written before it
// is read. The program only jumps forward, so one pass in order sees every path.
::testing::AssertionResult kernelWouldLoad(const std::vector<sock_filter>& prog) {
  if (prog.empty() || prog.size() > BPF_MAXINSNS) return ::testing::AssertionFailure() << "size";
  if (BPF_CLASS(prog.back().code) != BPF_RET) return ::testing::AssertionFailure() << "no RET";
  const uint16_t all = (1u << BPF_MEMWORDS) - 1;
  std::vector<uint16_t> in(prog.size() + 1, all);  // scratch words surely written on arrival
  std::vector<bool> reached(prog.size() + 1, false);
  in[0] = 0;
  reached[0] = true;
  for (size_t pc = 0; pc < prog.size(); ++pc) {
    if (!reached[pc]) continue;
    const sock_filter& f = prog[pc];
    uint16_t out = in[pc];
    if (f.code == (BPF_LDX | BPF_MEM) && !(out >> f.k & 1)) {
      return ::testing::AssertionFailure() << "M[" << f.k << "] read unwritten at " << pc;
    }
    if (f.code == BPF_ST || f.code == BPF_STX) out |= uint16_t(1u << f.k);
    const auto flow = [&](size_t to) {
      if (to >= prog.size()) return false;
      in[to] = reached[to] ? uint16_t(in[to] & out) : out;
      reached[to] = true;
      return true;
    };
    bool ok = true;
    if (BPF_CLASS(f.code) == BPF_RET) continue;
    if (f.code == (BPF_JMP | BPF_JA)) {
      ok = flow(pc + 1 + f.k);
    } else if (BPF_CLASS(f.code) == BPF_JMP) {
      ok = flow(pc + 1 + f.jt) && flow(pc + 1 + f.jf);
    } else {
      ok = flow(pc + 1);
    }
    if (!ok) return ::testing::AssertionFailure() << "a jump out of the program at " << pc;
  }
  return ::testing::AssertionSuccess();
}

std::vector<uint8_t> ipv4(uint32_t src, uint32_t dst, uint8_t proto, uint16_t frag = 0) {
  std::vector<uint8_t> h(20, 0);
  h[0] = 0x45;
  h[6] = uint8_t(frag >> 8);
  h[7] = uint8_t(frag);
  h[9] = proto;
  for (int i = 0; i < 4; ++i) {
    h[12 + i] = uint8_t(src >> (24 - 8 * i));
    h[16 + i] = uint8_t(dst >> (24 - 8 * i));
  }
  return h;
}

std::vector<uint8_t> ipv6(uint8_t first_byte, uint8_t last_byte, uint8_t next) {
  std::vector<uint8_t> h(40, 0);
  h[0] = 0x60;
  h[6] = next;
  for (int i = 0; i < 16; ++i) {
    h[8 + i] = uint8_t(0x20 + i);
    h[24 + i] = uint8_t(0x30 + i);
  }
  h[8] = first_byte;
  h[39] = last_byte;
  return h;
}

std::vector<uint8_t> join(std::vector<uint8_t> a, const std::vector<uint8_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::vector<uint8_t> udp(uint16_t sport, uint16_t dport) {
  return {uint8_t(sport >> 8), uint8_t(sport), uint8_t(dport >> 8), uint8_t(dport), 0, 8, 0, 0};
}

class FanoutProgramTest : public ::testing::Test {
 protected:
  // The program's answer for a packet, padded with 64 bytes of payload so that a load at a
  // wrong offset still finds bytes (and a failed load is reported, not taken for "first").
  uint32_t of(uint16_t ethertype, std::vector<uint8_t> net, bool may_fail = false) {
    if (!may_fail) net.resize(net.size() + 64, 0xee);
    auto r = run(prog_, Packet{ethertype, net});
    EXPECT_TRUE(r.has_value()) << "an instruction the test does not know, or M read unwritten";
    if (!may_fail) EXPECT_FALSE(r && r->load_failed) << "a load out of the packet";
    return r ? r->value : 0;
  }
  std::vector<sock_filter> prog_ = fanoutProgram();
};

TEST_F(FanoutProgramTest, AssemblesAndPassesTheKernelsChecks) {
  ASSERT_FALSE(prog_.empty());
  EXPECT_TRUE(kernelWouldLoad(prog_));
}

// Both directions of a conversation get the same number; other pairs mostly another.
TEST_F(FanoutProgramTest, SymmetricInTheAddressPairAndSpreading) {
  std::vector<uint32_t> seen;
  for (uint32_t i = 1; i <= 64; ++i) {
    const uint32_t a = 0x0a000000 + i, b = 0xc0a80000 + 7 * i;
    const uint32_t there = of(0x0800, join(ipv4(a, b, 6), udp(1000, 80)));
    EXPECT_EQ(there, of(0x0800, join(ipv4(b, a, 6), udp(80, 1000)))) << i;
    EXPECT_EQ(there, of(0x0800, join(ipv4(a, b, 17), udp(5, 6)))) << "ports or protocol count";
    seen.push_back(there % 2);
  }
  const auto odd = std::count(seen.begin(), seen.end(), 1u);
  EXPECT_GT(odd, 16);  // of 64 pairs, both threads get a fair share
  EXPECT_LT(odd, 48);
  const uint32_t v6 = of(0x86dd, join(ipv6(0x20, 1, 6), udp(1, 2)));
  std::vector<uint8_t> back = ipv6(0x20, 1, 6);
  for (int i = 0; i < 16; ++i) std::swap(back[8 + i], back[24 + i]);
  EXPECT_EQ(v6, of(0x86dd, join(back, udp(2, 1))));
  EXPECT_NE(v6, of(0x86dd, join(ipv6(0x20, 2, 6), udp(1, 2))));
}

// Every fragment of a datagram, the first (with ports) and the others, goes the same way.
TEST_F(FanoutProgramTest, FragmentsFollowTheirDatagram) {
  const uint32_t whole = of(0x0800, join(ipv4(1, 2, 17), udp(53, 53)));
  EXPECT_EQ(whole, of(0x0800, join(ipv4(1, 2, 17, 0x2000), udp(53, 53))));  // first fragment
  EXPECT_EQ(whole, of(0x0800, ipv4(1, 2, 17, 0x00b9)));                     // a later one
}

// IP-in-IP, 6in4, 4in6 and 6in6 go by the inner addresses, as the decoder keys their flows:
// the same inner flow between other tunnel ends, or not tunnelled at all, goes the same way.
TEST_F(FanoutProgramTest, IpInIpTunnelsGoByTheInnerHeader) {
  const auto inner4 = join(ipv4(0x0a000001, 0x0a000002, 6), udp(1, 2));
  const uint32_t plain4 = of(0x0800, inner4);
  EXPECT_EQ(plain4, of(0x0800, join(ipv4(0xc0000201, 0xc0000202, 4), inner4)));
  EXPECT_EQ(plain4, of(0x0800, join(ipv4(0xc6336401, 0xc6336409, 4), inner4)));
  EXPECT_EQ(plain4, of(0x86dd, join(ipv6(0x24, 9, 4), inner4)));  // 4in6
  const auto inner6 = join(ipv6(0x20, 5, 17), udp(514, 514));
  const uint32_t plain6 = of(0x86dd, inner6);
  EXPECT_EQ(plain6, of(0x0800, join(ipv4(0xc0000201, 0xc0000202, 41), inner6)));  // 6in4
  EXPECT_EQ(plain6, of(0x0800, join(ipv4(0x0b0b0b0b, 0x0c0c0c0c, 41), inner6)));
  EXPECT_EQ(plain6, of(0x86dd, join(ipv6(0x24, 9, 41), inner6)));  // 6in6
  // ip6tnl's way: a destination options header (16 bytes here) before the inner header.
  const std::vector<uint8_t> options = {41, 1, 4, 1, 4, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_EQ(plain6, of(0x86dd, join(join(ipv6(0x24, 9, 60), options), inner6)));
  std::vector<uint8_t> to4 = options;
  to4[0] = 4;
  EXPECT_EQ(plain4, of(0x86dd, join(join(ipv6(0x24, 9, 60), to4), inner4)));
  // Options before anything else: the outer addresses, as for any IPv6 packet.
  std::vector<uint8_t> to_udp = options;
  to_udp[0] = 17;
  EXPECT_EQ(of(0x86dd, join(ipv6(0x20, 5, 17), udp(1, 2))),
            of(0x86dd, join(join(ipv6(0x20, 5, 0), to_udp), udp(1, 2))));
  // An IPv4 header with options: the inner header starts after them.
  std::vector<uint8_t> outer = ipv4(0xc0000201, 0xc0000202, 4);
  outer[0] = 0x46;
  outer.insert(outer.end(), {1, 1, 1, 0});  // 4 bytes of options (NOPs, end)
  EXPECT_EQ(plain4, of(0x0800, join(outer, inner4)));
}

// Tunnels the decoder follows but the program does not open all go to the first thread, where
// their inner flows stay together; so do non-IP frames.
TEST_F(FanoutProgramTest, OtherTunnelsAndNonIpGoToTheFirstSocket) {
  EXPECT_EQ(of(0x0800, join(ipv4(0x01020304, 0x05060708, 47), {0, 0, 0x08, 0})), 0u);  // GRE
  EXPECT_EQ(of(0x0800, join(ipv4(0x01020304, 0x05060708, 17), udp(2152, 2152))), 0u);  // GTP-U
  EXPECT_EQ(of(0x0800, join(ipv4(0x01020304, 0x05060708, 17), udp(40000, 4789))), 0u);  // VXLAN
  EXPECT_EQ(of(0x0800, join(ipv4(0x01020304, 0x05060708, 17), udp(9, 2152))), 0u);
  // From port 4789 is not VXLAN to the decoder: keyed as any UDP flow.
  EXPECT_EQ(of(0x0800, join(ipv4(0x01020304, 0x05060708, 17), udp(4789, 9))),
            of(0x0800, join(ipv4(0x01020304, 0x05060708, 17), udp(1, 2))));
  EXPECT_EQ(of(0x86dd, join(ipv6(0x20, 1, 17), udp(2152, 9))), 0u);
  EXPECT_EQ(of(0x86dd, join(ipv6(0x20, 1, 17), udp(9, 2152))), 0u);
  EXPECT_EQ(of(0x86dd, join(ipv6(0x20, 1, 17), udp(40000, 4789))), 0u);
  // Other UDP ports are not tunnels: spread like the rest (some pair lands elsewhere than 0).
  bool spread = false;
  for (uint32_t i = 1; i <= 16 && !spread; ++i) {
    spread = of(0x0800, join(ipv4(i, 0x05060708, 17), udp(9, 2153))) % 2 != 0;
  }
  EXPECT_TRUE(spread);
  EXPECT_EQ(of(0x86dd, join(ipv6(0x20, 1, 47), {0, 0, 0x86, 0xdd})), 0u);
  EXPECT_EQ(of(0x0806, std::vector<uint8_t>(28, 1)), 0u);  // ARP
  EXPECT_EQ(of(0x8847, std::vector<uint8_t>(40, 1)), 0u);  // MPLS
}

// A VLAN tag still in the frame (QinQ: the kernel takes off one tag only) to the first thread,
// whatever follows it.
TEST_F(FanoutProgramTest, FramesStillTaggedGoToTheFirstSocket) {
  for (uint16_t tag : {0x8100, 0x88a8}) {
    for (uint8_t pcp_byte : {0x00, 0x40, 0x60}) {  // a TCI whose top nibble reads like 4 or 6
      std::vector<uint8_t> net = {pcp_byte, 7, 0x08, 0x00};
      net = join(net, join(ipv4(0x0a000001, 0x0a000002, 6), udp(1, 2)));
      EXPECT_EQ(of(tag, net), 0u);
    }
  }
}

TEST_F(FanoutProgramTest, TruncatedHeadersEndWithZero) {
  EXPECT_EQ(of(0x0800, std::vector<uint8_t>{0x45, 0, 0}, true), 0u);
  EXPECT_EQ(of(0x86dd, ipv6(0x20, 1, 41), true), 0u);  // 6in6 promised, nothing inside
}

}  // namespace
}  // namespace flowlens::capture
