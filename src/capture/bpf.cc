#include "capture/bpf.h"

namespace flowlens::capture {

Status compileFilter(const std::string& filter, int link_type, bpf_program* program,
                     size_t max_bytes) {
  if (filter.size() > max_bytes) return Error{"over " + std::to_string(max_bytes) + " bytes"};
  if (filter.find('\0') != std::string::npos) return Error{"a NUL byte"};
  pcap_t* dead = pcap_open_dead(link_type, 262144);
  if (dead == nullptr) return Error{"no filter can be compiled for this link type"};
  const int rc = pcap_compile(dead, program, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN);
  const std::string why = rc == 0 ? "" : pcap_geterr(dead);
  pcap_close(dead);
  if (rc != 0) return Error{why};
  return Status::Ok();
}

Status checkFilter(const std::string& filter, int link_type) {
  bpf_program program;
  Status st = compileFilter(filter, link_type, &program);
  if (st) pcap_freecode(&program);
  return st;
}

}  // namespace flowlens::capture
