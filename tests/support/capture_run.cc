#include "capture_run.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace flowlens::testing {

std::string pcapDir() { return std::string(FLOWLENS_SOURCE_DIR) + "/tests/data/pcap"; }

std::unique_ptr<PacketEngine> runCapture(const std::string& path, int threads,
                                         const EngineLimits* limits,
                                         const std::string& bpf_filter, HostHooks hooks,
                                         const std::function<void(PacketEngine&)>& before_start) {
  EngineConfig c;
  c.source.name = path;
  c.source.file = true;
  c.source.bpf_filter = bpf_filter;
  c.packet_threads = threads;
  if (limits) {
    c.limits = *limits;
  } else {  // as ndpiReader reads a file: nothing expires
    c.limits.flow_idle_us = c.limits.flow_lifetime_us = c.limits.host_idle_us =
        c.limits.dpi_idle_us = UINT64_MAX / 4;  // never: captures span decades
  }
  auto engine = PacketEngine::create(c, std::move(hooks));
  if (!engine) {
    ADD_FAILURE() << engine.error();
    return nullptr;
  }
  if (before_start) before_start(**engine);
  (*engine)->start();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (!(*engine)->finished() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  EXPECT_TRUE((*engine)->finished()) << path << " not read to its end in 120 s";
  (*engine)->stop();
  return std::move(*engine);
}

}  // namespace flowlens::testing
