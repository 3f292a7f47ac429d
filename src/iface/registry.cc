#include "iface/registry.h"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace flowlens {

Result<InterfaceRegistry> InterfaceRegistry::create(const std::vector<std::string>& names) {
  InterfaceRegistry r;
  for (const auto& name : names) {
    if (name.empty()) return Error{"empty interface name"};
    if (r.byName(name)) return Error{"interface '" + name + "' given twice"};
    std::error_code ec;
    const bool file = std::filesystem::is_regular_file(name, ec);
    const bool live = name == "any" || std::filesystem::exists("/sys/class/net/" + name, ec);
    if (!file && !live) return Error{"no such interface or capture file: '" + name + "'"};
    r.interfaces_.push_back(std::make_unique<NetworkInterface>(
        static_cast<int>(r.interfaces_.size()), name,
        file ? NetworkInterface::Kind::kPcapFile : NetworkInterface::Kind::kLive));
  }
  return r;
}

NetworkInterface* InterfaceRegistry::byId(int ifid) const {
  if (ifid < 0 || ifid >= static_cast<int>(interfaces_.size())) return nullptr;
  return interfaces_[ifid].get();
}

NetworkInterface* InterfaceRegistry::byName(const std::string& name) const {
  for (const auto& i : interfaces_) {
    if (i->name() == name) return i.get();
  }
  return nullptr;
}

NetworkInterface* InterfaceRegistry::find(const std::string& id_or_name) const {
  int id = 0;
  auto [p, ec] = std::from_chars(id_or_name.data(), id_or_name.data() + id_or_name.size(), id);
  if (!id_or_name.empty() && ec == std::errc() && p == id_or_name.data() + id_or_name.size()) {
    return byId(id);
  }
  return byName(id_or_name);
}

std::string defaultInterfaceName() {
  std::ifstream route("/proc/net/route");
  std::string line;
  std::getline(route, line);  // header
  while (std::getline(route, line)) {
    std::istringstream ss(line);
    std::string iface, dest;
    if (ss >> iface >> dest && dest == "00000000") return iface;
  }
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/sys/class/net", ec)) {
    const std::string name = e.path().filename().string();
    if (name == "lo") continue;
    std::ifstream state(e.path() / "operstate");
    std::string s;
    if (state >> s && s == "up") return name;
  }
  return "lo";
}

}  // namespace flowlens
