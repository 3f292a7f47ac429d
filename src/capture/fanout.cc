#include "capture/fanout.h"

#include <linux/filter.h>
#include <linux/if_packet.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

namespace flowlens::capture {
namespace {

sock_filter stmt(uint16_t code, uint32_t k) { return sock_filter{code, 0, 0, k}; }
sock_filter jump(uint16_t code, uint32_t k, uint8_t jt, uint8_t jf) {
  return sock_filter{code, jt, jf, k};
}

// A = XOR of the source and destination address words (IPv4, IPv6; read at the network header
// whatever the link layer), mixed; other protocols go to the first socket. The kernel takes it
// modulo the number of sockets.
std::vector<sock_filter> addressPairProgram() {
  const uint32_t kNet = uint32_t(SKF_NET_OFF);
  std::vector<sock_filter> v6;
  v6.push_back(stmt(BPF_LD | BPF_W | BPF_ABS, kNet + 8));  // the first source word
  for (uint32_t off = 12; off < 40; off += 4) {           // 3 more source, 4 destination words
    v6.push_back(stmt(BPF_MISC | BPF_TAX, 0));
    v6.push_back(stmt(BPF_LD | BPF_W | BPF_ABS, kNet + off));
    v6.push_back(stmt(BPF_ALU | BPF_XOR | BPF_X, 0));
  }
  const std::vector<sock_filter> v4 = {
      stmt(BPF_LD | BPF_W | BPF_ABS, kNet + 12), stmt(BPF_MISC | BPF_TAX, 0),
      stmt(BPF_LD | BPF_W | BPF_ABS, kNet + 16), stmt(BPF_ALU | BPF_XOR | BPF_X, 0)};
  const std::vector<sock_filter> mix = {
      stmt(BPF_MISC | BPF_TAX, 0),          stmt(BPF_ALU | BPF_RSH | BPF_K, 16),
      stmt(BPF_ALU | BPF_XOR | BPF_X, 0),   stmt(BPF_ALU | BPF_MUL | BPF_K, 0x45d9f3b),
      stmt(BPF_MISC | BPF_TAX, 0),          stmt(BPF_ALU | BPF_RSH | BPF_K, 16),
      stmt(BPF_ALU | BPF_XOR | BPF_X, 0),   stmt(BPF_RET | BPF_A, 0)};
  // Layout (cBPF jumps go forward only): proto tests, v6 (then over v4 to mix), v4, mix, ret 0.
  std::vector<sock_filter> p;
  p.push_back(stmt(BPF_LD | BPF_W | BPF_ABS, uint32_t(SKF_AD_OFF + SKF_AD_PROTOCOL)));
  p.push_back(jump(BPF_JMP | BPF_JEQ | BPF_K, 0x0800, uint8_t(v6.size() + 2), 0));  // to v4
  p.push_back(jump(BPF_JMP | BPF_JEQ | BPF_K, 0x86dd, 0,
                   uint8_t(v6.size() + 1 + v4.size() + mix.size())));
  p.insert(p.end(), v6.begin(), v6.end());
  p.push_back(stmt(BPF_JMP | BPF_JA, uint32_t(v4.size())));
  p.insert(p.end(), v4.begin(), v4.end());
  p.insert(p.end(), mix.begin(), mix.end());
  p.push_back(stmt(BPF_RET | BPF_K, 0));
  return p;
}

Status failed(const char* what) {
  return Error{std::string(what) + ": " + std::strerror(errno)};
}

}  // namespace

Status joinFanoutGroup(int fd, uint32_t* group) {
  const bool make = *group == kNewFanoutGroup;
  const uint32_t flags = PACKET_FANOUT_CBPF | (make ? PACKET_FANOUT_FLAG_UNIQUEID : 0);
  int arg = int((make ? 0 : (*group & 0xffff)) | (flags << 16));
  if (setsockopt(fd, SOL_PACKET, PACKET_FANOUT, &arg, sizeof(arg)) != 0) {
    return failed("PACKET_FANOUT");
  }
  if (!make) return Status::Ok();
  int got = 0;
  socklen_t len = sizeof(got);
  if (getsockopt(fd, SOL_PACKET, PACKET_FANOUT, &got, &len) != 0) {
    return failed("PACKET_FANOUT (reading the group's id)");
  }
  *group = uint32_t(got) & 0xffff;
  std::vector<sock_filter> program = addressPairProgram();
  sock_fprog fprog{uint16_t(program.size()), program.data()};
  if (setsockopt(fd, SOL_PACKET, PACKET_FANOUT_DATA, &fprog, sizeof(fprog)) != 0) {
    return failed("PACKET_FANOUT_DATA");
  }
  return Status::Ok();
}

}  // namespace flowlens::capture
