// The floor of packet benchmarks: read a capture file with libpcap and do nothing but count.
// flowlens and ndpiReader are measured on the same file against this figure.
//
//   pcap_loop FILE      prints: packets=N bytes=N seconds=S pps=P
//
// bytes is the sum of the packets' original (wire) lengths; seconds covers the read loop only,
// not opening the file.
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

struct totals {
  uint64_t packets;
  uint64_t bytes;
};

static void count(u_char* user, const struct pcap_pkthdr* header, const u_char* data) {
  (void)data;
  struct totals* t = (struct totals*)user;
  t->packets++;
  t->bytes += header->len;
}

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s FILE.pcap\n", argv[0]);
    return 2;
  }
  char errbuf[PCAP_ERRBUF_SIZE];
  pcap_t* p = pcap_open_offline(argv[1], errbuf);
  if (p == NULL) {
    fprintf(stderr, "pcap_loop: %s\n", errbuf);
    return 1;
  }
  struct totals t = {0, 0};
  const double start = now_seconds();
  int rc;
  // Whole buffers at a time (-1: every packet pcap has read); 0 would mean end of file.
  while ((rc = pcap_dispatch(p, -1, count, (u_char*)&t)) > 0) {
  }
  const double seconds = now_seconds() - start;
  if (rc == PCAP_ERROR) {
    fprintf(stderr, "pcap_loop: %s: %s\n", argv[1], pcap_geterr(p));
    pcap_close(p);
    return 1;
  }
  pcap_close(p);
  printf("packets=%llu bytes=%llu seconds=%.6f pps=%.0f\n", (unsigned long long)t.packets,
         (unsigned long long)t.bytes, seconds, seconds > 0 ? (double)t.packets / seconds : 0.0);
  return 0;
}
