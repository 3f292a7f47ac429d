#include "host/host.h"

#include <algorithm>
#include <cstdio>

namespace flowlens::host {

AppTraffic& Host::app(uint16_t id) {
  auto it = std::lower_bound(apps.begin(), apps.end(), id,
                             [](const AppTraffic& a, uint16_t v) { return a.app < v; });
  if (it == apps.end() || it->app != id) it = apps.insert(it, AppTraffic{id, {}, 0});
  return *it;
}

void Host::addContact(bool as_client, uint32_t peer) {
  auto& v = as_client ? contacts_as_client : contacts_as_server;
  auto it = std::lower_bound(v.begin(), v.end(), peer);
  if (it != v.end() && *it == peer) return;
  if (v.size() >= kMaxContacts) return;
  v.insert(it, peer);
}

std::string macToString(const std::array<uint8_t, 6>& m) {
  char buf[18];
  std::snprintf(buf, sizeof(buf), "%02X:%02X:%02X:%02X:%02X:%02X", m[0], m[1], m[2], m[3], m[4],
                m[5]);
  return buf;
}

bool parseMac(const std::string& text, std::array<uint8_t, 6>* mac) {
  unsigned v[6];
  char tail;
  if (std::sscanf(text.c_str(), "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4],
                  &v[5], &tail) != 6) {
    return false;
  }
  for (int i = 0; i < 6; ++i) (*mac)[i] = uint8_t(v[i]);
  return true;
}

}  // namespace flowlens::host
