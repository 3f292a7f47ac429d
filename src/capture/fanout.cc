#include "capture/fanout.h"

#include <linux/filter.h>
#include <linux/if_packet.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

namespace flowlens::capture {
namespace {

// A small assembler for classic BPF: jumps name labels, resolved to cBPF's forward offsets.
class Program {
 public:
  static constexpr int kNext = -2;  // a jump target: the following instruction

  void op(uint16_t code, uint32_t k = 0) { code_.push_back({code, k, -1, -1}); }
  void jeq(uint32_t k, int if_true, int if_false) {
    code_.push_back({BPF_JMP | BPF_JEQ | BPF_K, k, if_true, if_false});
  }
  void jset(uint32_t k, int if_true, int if_false) {
    code_.push_back({BPF_JMP | BPF_JSET | BPF_K, k, if_true, if_false});
  }
  void jump(int to) { code_.push_back({BPF_JMP | BPF_JA, 0, to, -1}); }
  void label(int name) {
    if (labels_.size() <= size_t(name)) labels_.resize(size_t(name) + 1, -1);
    labels_[size_t(name)] = int(code_.size());
  }
  std::vector<sock_filter> build() const {
    std::vector<sock_filter> out;
    for (size_t i = 0; i < code_.size(); ++i) {
      const Insn& in = code_[i];
      const auto skip = [&](int name) {
        return name == kNext ? 0u : uint32_t(labels_.at(size_t(name)) - int(i) - 1);
      };
      sock_filter f{in.code, 0, 0, in.k};
      const auto placed = [&](int name) {  // a label after this instruction
        return name == kNext ||
               (size_t(name) < labels_.size() && labels_[size_t(name)] > int(i));
      };
      if (in.code == (BPF_JMP | BPF_JA)) {
        if (!placed(in.if_true)) return {};
        f.k = skip(in.if_true);
      } else if (in.if_true != -1) {
        if (!placed(in.if_true) || !placed(in.if_false)) return {};
        if (skip(in.if_true) > 255 || skip(in.if_false) > 255) return {};  // too far for cBPF
        f.jt = uint8_t(skip(in.if_true));
        f.jf = uint8_t(skip(in.if_false));
      }
      out.push_back(f);
    }
    return out;
  }

 private:
  struct Insn {
    uint16_t code;
    uint32_t k;
    int if_true, if_false;  // labels (or kNext); -1: not a conditional jump
  };
  std::vector<Insn> code_;
  std::vector<int> labels_;
};

constexpr uint32_t kNet = uint32_t(SKF_NET_OFF);  // loads relative to the network header

// A = the XOR of `words` 32-bit words from the network header + `first` (+ X when `indexed`:
// an inner header's offset). M[0] keeps the running XOR, M[1] the offset.
void xorWords(Program& p, bool indexed, uint32_t first, int words) {
  const uint16_t load = BPF_LD | BPF_W | (indexed ? BPF_IND : BPF_ABS);
  if (indexed) p.op(BPF_STX, 1);
  p.op(load, kNet + first);
  for (int w = 1; w < words; ++w) {
    p.op(BPF_ST, 0);
    if (indexed) p.op(BPF_LDX | BPF_MEM, 1);
    p.op(load, kNet + first + 4 * uint32_t(w));
    p.op(BPF_LDX | BPF_MEM, 0);
    p.op(BPF_ALU | BPF_XOR | BPF_X);
  }
}

}  // namespace

// The plan, by label: which header's addresses choose the thread.
std::vector<sock_filter> fanoutProgram() {
  enum Label {
    kV4, kV4Udp, kV4in4, kV6in4, kV4Plain, kV6, kV6Options, kV6Udp, kV4in6, kV6in6,
    kV4in6Indexed, kV6in6Indexed, kV6Plain, kMix, kFirst
  };
  Program p;
  p.op(BPF_LD | BPF_W | BPF_ABS, uint32_t(SKF_AD_OFF + SKF_AD_PROTOCOL));  // the ethertype
  p.jeq(0x0800, kV4, Program::kNext);
  // Anything else, a VLAN tag left in the frame (QinQ's outer one taken off) included, to the
  // first thread.
  p.jeq(0x86dd, kV6, kFirst);

  // IPv6: the inner header of 4in6 and 6in6, also behind one hop-by-hop or destination options
  // header (Linux's ip6tnl puts one there); GRE, GTP-U and VXLAN, whose inner headers the
  // decoder also follows, all to the first thread (their inner flows stay together there).
  p.label(kV6);
  p.op(BPF_LD | BPF_B | BPF_ABS, kNet + 6);  // next header
  p.jeq(4, kV4in6, Program::kNext);
  p.jeq(41, kV6in6, Program::kNext);
  p.jeq(47, kFirst, Program::kNext);
  p.jeq(0, kV6Options, Program::kNext);
  p.jeq(60, kV6Options, Program::kNext);
  p.jeq(17, kV6Udp, kV6Plain);
  p.label(kV6Options);
  p.op(BPF_LD | BPF_B | BPF_ABS, kNet + 41);  // its length, in 8 bytes, less one
  p.op(BPF_ALU | BPF_ADD | BPF_K, 1);
  p.op(BPF_ALU | BPF_LSH | BPF_K, 3);
  p.op(BPF_ALU | BPF_ADD | BPF_K, 40);
  p.op(BPF_MISC | BPF_TAX);                   // X = where the next header starts
  p.op(BPF_LD | BPF_B | BPF_ABS, kNet + 40);  // which header that is
  p.jeq(4, kV4in6Indexed, Program::kNext);
  p.jeq(41, kV6in6Indexed, Program::kNext);
  p.jeq(47, kFirst, kV6Plain);
  p.label(kV4in6Indexed);
  xorWords(p, true, 12, 2);
  p.jump(kMix);
  p.label(kV6in6Indexed);
  xorWords(p, true, 8, 8);
  p.jump(kMix);
  p.label(kV6Udp);
  p.op(BPF_LD | BPF_H | BPF_ABS, kNet + 40);  // source port
  p.jeq(2152, kFirst, Program::kNext);
  p.op(BPF_LD | BPF_H | BPF_ABS, kNet + 42);  // destination port
  p.jeq(2152, kFirst, Program::kNext);
  p.jeq(4789, kFirst, kV6Plain);
  p.label(kV4in6);
  xorWords(p, false, 40 + 12, 2);
  p.jump(kMix);
  p.label(kV6in6);
  xorWords(p, false, 40 + 8, 8);
  p.jump(kMix);
  p.label(kV6Plain);
  xorWords(p, false, 8, 8);
  p.jump(kMix);

  // IPv4 the same way; a fragment is keyed by its own header, as the decoder keys it.
  p.label(kV4);
  p.op(BPF_LD | BPF_H | BPF_ABS, kNet + 6);  // flags and fragment offset
  p.jset(0x3fff, kV4Plain, Program::kNext);
  p.op(BPF_LD | BPF_B | BPF_ABS, kNet + 9);  // protocol
  p.jeq(4, kV4in4, Program::kNext);
  p.jeq(41, kV6in4, Program::kNext);
  p.jeq(47, kFirst, Program::kNext);
  p.jeq(17, kV4Udp, kV4Plain);
  p.label(kV4Udp);
  p.op(BPF_LDX | BPF_B | BPF_MSH, kNet);  // X = the header's length
  p.op(BPF_LD | BPF_H | BPF_IND, kNet);   // source port
  p.jeq(2152, kFirst, Program::kNext);
  p.op(BPF_LD | BPF_H | BPF_IND, kNet + 2);
  p.jeq(2152, kFirst, Program::kNext);
  p.jeq(4789, kFirst, kV4Plain);
  p.label(kV4in4);
  p.op(BPF_LDX | BPF_B | BPF_MSH, kNet);
  xorWords(p, true, 12, 2);
  p.jump(kMix);
  p.label(kV6in4);
  p.op(BPF_LDX | BPF_B | BPF_MSH, kNet);
  xorWords(p, true, 8, 8);
  p.jump(kMix);
  p.label(kV4Plain);
  xorWords(p, false, 12, 2);

  p.label(kMix);
  p.op(BPF_MISC | BPF_TAX);
  p.op(BPF_ALU | BPF_RSH | BPF_K, 16);
  p.op(BPF_ALU | BPF_XOR | BPF_X);
  p.op(BPF_ALU | BPF_MUL | BPF_K, 0x45d9f3b);
  p.op(BPF_MISC | BPF_TAX);
  p.op(BPF_ALU | BPF_RSH | BPF_K, 16);
  p.op(BPF_ALU | BPF_XOR | BPF_X);
  p.op(BPF_RET | BPF_A);
  p.label(kFirst);
  p.op(BPF_RET | BPF_K, 0);
  return p.build();
}

namespace {

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
  std::vector<sock_filter> program = fanoutProgram();
  if (program.empty()) return Error{"the fanout program does not assemble"};
  sock_fprog fprog{uint16_t(program.size()), program.data()};
  if (setsockopt(fd, SOL_PACKET, PACKET_FANOUT_DATA, &fprog, sizeof(fprog)) != 0) {
    return failed("PACKET_FANOUT_DATA");
  }
  return Status::Ok();
}

}  // namespace flowlens::capture
