#pragma once
// The set of monitored interfaces and their ifids (0, 1, ... in -i order), fixed after start-up.
// Lookups are lock-free: the vector never changes once built.

#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "iface/interface.h"

namespace flowlens {

class InterfaceRegistry {
 public:
  // Each name is a live interface, or a capture file when a file of that name exists.
  static Result<InterfaceRegistry> create(const std::vector<std::string>& names);

  const std::vector<std::unique_ptr<NetworkInterface>>& all() const { return interfaces_; }
  NetworkInterface* byId(int ifid) const;
  NetworkInterface* byName(const std::string& name) const;
  // An ifid ("0") or an interface name.
  NetworkInterface* find(const std::string& id_or_name) const;
  size_t size() const { return interfaces_.size(); }

 private:
  std::vector<std::unique_ptr<NetworkInterface>> interfaces_;
};

// The interface holding the default route, else the first interface that is up and not
// loopback, else "lo".
std::string defaultInterfaceName();

}  // namespace flowlens
