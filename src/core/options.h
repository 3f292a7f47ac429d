#pragma once
// Command line and configuration file, with ntopng's option names and meanings.
// parseCommandLine() never exits the process: it returns what to do, or an error (exit code 2).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "util/ip.h"

namespace flowlens {

struct ListenEndpoint {
  std::string address;  // empty = all addresses
  int port = 0;         // 0 = disabled
  bool enabled() const { return port > 0; }
  // civetweb listening_ports syntax: "3000", "127.0.0.1:3000", "[::1]:3000"; "s" suffix for TLS.
  std::string civetwebSpec(bool tls) const;
};

struct RedisEndpoint {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string password;
  std::string unix_socket;
  int db = 0;
};

struct Options {
  std::vector<std::string> interfaces;                   // -i, repeatable
  ListenEndpoint http{"", 3000};                         // -w
  ListenEndpoint https{"", 0};                           // -W
  std::string data_dir;                                  // -d
  std::string install_dir;                               // -t
  std::optional<RedisEndpoint> redis;                    // -r (absent: embedded store)
  std::vector<util::IpPrefix> local_networks;            // -m
  std::vector<std::string> local_network_aliases;        // -m net=alias: one per network, "" none
  int dns_mode = 0;                                      // -n 0..3
  int disable_login = -1;                                // -l: -1 login on, 0 localhost, 1 all
  std::string user;                                      // -U ("": flowlens, else nobody)
  bool dont_change_user = false;                         // --dont-change-user
  std::string admin_password_file;                       // --admin-password-file
  std::string http_acl;                                  // --http-acl
  int session_duration_s = 86400;                        // --session-duration
  bool daemon = false;                                   // -e
  std::string pid_path;                                  // -G
  int verbose = 2;                                       // -v (trace level 0..4)
  bool syslog = false;                                   // --syslog
  std::string instance_name;                             // --instance-name
  std::string http_prefix;                               // --http-prefix ("" or "/x/y")
  // Packet capture (ntopng's names).
  bool no_promiscuous = false;                           // -s
  std::string packet_filter;                             // -B (BPF)
  uint32_t max_num_flows = 131072;                       // -X
  uint32_t max_num_hosts = 131072;                       // -x
  std::string ndpi_protocols_file;                       // -p
  bool shutdown_when_done = false;                       // --shutdown-when-done
  bool offline = false;                                  // --offline (ntop.isForcedOffline)
  bool disable_alerts = false;                           // --disable-alerts
  std::string zmq_publish_events;                        // --zmq-publish-events (IPS messages)
  // flowlens's own.
  int packet_threads = 1;                                // --packet-threads
  std::vector<int> core_affinity;        // -g: packet threads' cores, one each in turn
  std::vector<int> other_core_affinity;  // -y: every other thread's cores
  bool original_speed = false;                           // --original-speed
  int flow_idle_timeout_s = 60;                          // --flow-idle-timeout
  int flow_max_lifetime_s = 3600;                        // --flow-max-lifetime
  int host_idle_timeout_s = 300;                         // --host-idle-timeout
  std::string dns_servers;                               // --dns-servers ("": resolv.conf)
  std::string geoip_dir;                                 // --geoip-dir ("": the usual places)
  std::string mac_vendors_dir = "/usr/share/ieee-data";  // --mac-vendors-dir
  int http_threads = 64;                                 // --http-threads
  int lua_states = 8;                                    // --lua-states
  int lua_timeout_ms = 30000;                            // --lua-timeout
  int lua_memory_mb = 256;                               // --lua-memory
  bool allow_exec = false;                               // --allow-exec
  uint64_t http_max_body = 16ull << 20;                  // --http-max-body
  std::string command_line;                              // as given, for ntop.getInfo()
  std::string config_file;                               // when one was used
};

struct Command {
  enum class Action { kRun, kHelp, kVersion, kLuaApi };
  Action action = Action::kRun;
  Options options;
  std::string text;  // help or version text to print for kHelp / kVersion
};

Result<Command> parseCommandLine(int argc, const char* const* argv);

// ntop.isGuiAccessRestricted(): an ACL is set, or a listener is bound to a given address.
bool guiAccessRestricted(const Options& o);

// Reads an ntopng-style configuration file ("-i=eth0", "--http-port=3000", "-v=", "# comment")
// into argument words.
Result<std::vector<std::string>> readConfigFile(const std::string& path);

Result<ListenEndpoint> parseListenEndpoint(const std::string& text);
Result<RedisEndpoint> parseRedisEndpoint(const std::string& text);

}  // namespace flowlens
