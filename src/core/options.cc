#include "core/options.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

#include "core/build_info.h"
#include "core/cpu_affinity.h"

namespace flowlens {
namespace {

Result<int> parseInt(std::string_view s, int lo, int hi, const std::string& what) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size() || v < lo || v > hi) {
    return Error{what + ": '" + std::string(s) + "' is not a number in " + std::to_string(lo) +
                 ".." + std::to_string(hi)};
  }
  return v;
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

}  // namespace

std::string ListenEndpoint::civetwebSpec(bool tls) const {
  std::string spec;
  if (!address.empty()) {
    spec = address.find(':') != std::string::npos ? "[" + address + "]:" : address + ":";
  }
  spec += std::to_string(port);
  if (tls) spec += "s";
  return spec;
}

bool guiAccessRestricted(const Options& o) {
  return !o.http_acl.empty() || !o.http.address.empty() || !o.https.address.empty();
}

Result<ListenEndpoint> parseListenEndpoint(const std::string& text) {
  ListenEndpoint ep;
  std::string port_text = text;
  if (!text.empty() && text[0] == '[') {  // [v6]:port
    const auto close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return Error{"invalid address '" + text + "' (expected [ipv6]:port)"};
    }
    ep.address = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
  } else if (const auto colon = text.rfind(':'); colon != std::string::npos) {
    ep.address = text.substr(0, colon);
    port_text = text.substr(colon + 1);
  }
  if (!ep.address.empty() && !util::parseIp(ep.address)) {
    return Error{"invalid listen address '" + ep.address + "'"};
  }
  auto port = parseInt(port_text, 0, 65535, "port");
  if (!port) return Error{port.error()};
  ep.port = *port;
  return ep;
}

// ntopng syntax: host[:port[:password]][@db], or /path/to/socket[@db].
Result<RedisEndpoint> parseRedisEndpoint(const std::string& text) {
  RedisEndpoint r;
  std::string main = text;
  if (const auto at = text.rfind('@'); at != std::string::npos) {
    auto db = parseInt(text.substr(at + 1), 0, 1 << 20, "redis database index");
    if (!db) return Error{db.error()};
    r.db = *db;
    main = text.substr(0, at);
  }
  if (main.empty()) return Error{"redis: empty host"};
  if (main[0] == '/') {
    r.unix_socket = main;
    return r;
  }
  const auto c1 = main.find(':');
  r.host = main.substr(0, c1);
  if (r.host.empty()) return Error{"redis: empty host"};
  if (c1 != std::string::npos) {
    const auto c2 = main.find(':', c1 + 1);
    auto port = parseInt(main.substr(c1 + 1, c2 == std::string::npos ? std::string::npos
                                                                     : c2 - c1 - 1),
                         1, 65535, "redis port");
    if (!port) return Error{port.error()};
    r.port = *port;
    if (c2 != std::string::npos) r.password = main.substr(c2 + 1);
  }
  return r;
}

Result<std::vector<std::string>> readConfigFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error{"cannot read configuration file '" + path + "'"};
  std::vector<std::string> words;
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    line = trim(line);
    if (line.empty() || line[0] == '#') continue;
    if (line[0] != '-') {
      return Error{path + ":" + std::to_string(lineno) + ": expected an option, got '" + line +
                   "'"};
    }
    // "-x=value", "--long=value", "-x value", "-x=" (flag), "-x" (flag).
    auto sep = line.find_first_of("= \t");
    if (sep == std::string::npos) {
      words.push_back(line);
      continue;
    }
    words.push_back(line.substr(0, sep));
    std::string value = trim(line.substr(sep + 1));
    if (line[sep] == '=' || !value.empty()) {
      if (!value.empty()) words.push_back(value);
    }
  }
  return words;
}

Result<Command> parseCommandLine(int argc, const char* const* argv) {
  Command cmd;
  Options& o = cmd.options;

  std::vector<std::string> words;
  for (int i = 1; i < argc; ++i) words.emplace_back(argv[i]);
  for (int i = 0; i < argc; ++i) o.command_line += (i ? " " : "") + std::string(argv[i]);

  // A configuration file as first argument, as ntopng does; later options add to it.
  if (!words.empty() && !words[0].empty() && words[0][0] != '-') {
    o.config_file = words[0];
    auto file_words = readConfigFile(words[0]);
    if (!file_words) return Error{file_words.error()};
    std::vector<std::string> merged = std::move(*file_words);
    merged.insert(merged.end(), words.begin() + 1, words.end());
    words = std::move(merged);
  }

  CLI::App app{"flowlens - network traffic monitor with ntopng's Lua API", "flowlens"};
  app.set_help_flag("-h,--help", "Print this help and exit");
  // Options apply in order, as in ntopng: a later value (the command line after the
  // configuration file) replaces an earlier one. -i collects every value instead.
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.get_formatter()->column_width(34);

  std::string http = "3000", https, redis, local_nets;
  std::string disable_login, verbose;
  std::string core_affinity, other_core_affinity;
  bool version = false, lua_api = false;

  app.add_option("-i,--interface", o.interfaces,
                 "Interface name or pcap file to monitor (repeatable)")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("-w,--http-port", http, "HTTP port, [address:]port; 0 disables HTTP");
  app.add_option("-W,--https-port", https, "HTTPS port, [address:]port; 0 disables HTTPS");
  app.add_option("-d,--data-dir", o.data_dir, "Data directory (default /var/lib/flowlens)");
  app.add_option("-t,--install-dir", o.install_dir,
                 "Directory holding scripts/ and httpdocs/ (default: found automatically)");
  app.add_option("-r,--redis", redis,
                 "Redis: host[:port[:password]][@db] or /socket[@db]; default: embedded store");
  app.add_option("-m,--local-networks", local_nets,
                 "Local networks, comma separated CIDR[=alias]: 192.168.1.0/24=office,10.0.0.0/8");
  app.add_option("-n,--dns-mode", o.dns_mode,
                 "DNS: 0 resolve local only, 1 resolve all, 2 none (decode answers), 3 none")
      ->check(CLI::Range(0, 3));
  app.add_option("-l,--disable-login", disable_login,
                 "Disable login: 1 (default) for everybody, 0 for localhost only")
      ->expected(0, 1);
  app.add_option("-U,--user", o.user,
                 "User to run as after start-up (default: flowlens where it exists, else nobody)");
  app.add_flag("--dont-change-user", o.dont_change_user, "Keep running as the starting user");
  app.add_option("--admin-password-file", o.admin_password_file,
                 "Set the admin password from the first line of this file (unattended installs)");
  app.add_option("--http-acl", o.http_acl,
                 "Who may use the web server: e.g. -0.0.0.0/0,+127.0.0.1,+192.168.1.0/24");
  app.add_option("--session-duration", o.session_duration_s, "Login session lifetime, seconds")
      ->check(CLI::Range(60, 30 * 86400));
  app.add_flag("-e,--daemon", o.daemon, "Run as a daemon (logs go to syslog)");
  app.add_option("-G,--pid-path", o.pid_path, "Write the process id to this file");
  app.add_option("-v,--verbose", verbose,
                 "Trace level 0 (errors) .. 4 (debug); without a value: 3 (info)")
      ->expected(0, 1);
  app.add_flag("--syslog", o.syslog, "Log to syslog instead of stderr");
  app.add_option("--instance-name", o.instance_name, "Name of this instance");
  app.add_option("--http-prefix", o.http_prefix, "URL prefix when behind a proxy, e.g. /flowlens");
  app.add_flag("-s,--disable-promisc", o.no_promiscuous,
               "Capture without putting interfaces in promiscuous mode");
  app.add_option("-B,--packet-filter", o.packet_filter, "BPF filter applied to every interface");
  app.add_option("-X,--max-num-flows", o.max_num_flows, "Most flows kept per interface")
      ->check(CLI::Range(uint32_t{1}, uint32_t{1} << 28));
  app.add_option("-x,--max-num-hosts", o.max_num_hosts, "Most hosts kept per interface")
      ->check(CLI::Range(uint32_t{1}, uint32_t{1} << 28));
  app.add_option("-p,--ndpi-protocols", o.ndpi_protocols_file,
                 "Custom nDPI protocol definitions (nDPI protos.txt format)");
  app.add_flag("--shutdown-when-done", o.shutdown_when_done,
               "Exit once every capture file has been read");
  app.add_flag("--disable-alerts", o.disable_alerts,
               "Raise no flow alerts (no alert store, nothing for the recipient queues)");
  app.add_option("--zmq-publish-events", o.zmq_publish_events,
                 "ZMQ endpoint to publish events on (ntop.broadcastIPSMessage), e.g. tcp://*:5556");
  app.add_flag("--offline", o.offline,
               "No Internet access: scripts see ntop.isOffline() and isForcedOffline() true");
  app.add_option("--packet-threads", o.packet_threads,
                 "Packet threads per interface (flows split by address-pair hash)")
      ->check(CLI::Range(1, 64));
  app.add_option("-g,--core-affinity", core_affinity,
                 "Bind the packet threads to these cores, one each in turn: 0,1 or 2-5");
  app.add_option("-y,--other-core-affinity", other_core_affinity,
                 "Bind every other thread (web server, Lua, housekeeping) to these cores");
  app.add_flag("--original-speed", o.original_speed,
               "Replay capture files at the pace they were captured (default: as fast as possible)");
  app.add_option("--flow-idle-timeout", o.flow_idle_timeout_s,
                 "Seconds without packets after which a flow ends")
      ->check(CLI::Range(1, 10 * 365 * 86400));
  app.add_option("--flow-max-lifetime", o.flow_max_lifetime_s,
                 "Seconds after which a long flow is ended and started anew")
      ->check(CLI::Range(1, 10 * 365 * 86400));
  app.add_option("--host-idle-timeout", o.host_idle_timeout_s,
                 "Seconds without traffic after which a host without flows is purged")
      ->check(CLI::Range(1, 10 * 365 * 86400));
  app.add_option("--dns-servers", o.dns_servers,
                 "DNS servers for host names, host[:port] comma separated (default: resolv.conf)");
  app.add_option("--geoip-dir", o.geoip_dir,
                 "Directory of the MaxMind .mmdb databases (City or Country, and ASN)");
  app.add_option("--mac-vendors-dir", o.mac_vendors_dir,
                 "Directory of the IEEE OUI lists (oui.csv, mam.csv, oui36.csv)");
  app.add_option("--http-threads", o.http_threads, "HTTP worker threads")
      ->check(CLI::Range(2, 1024));
  app.add_option("--http-max-body", o.http_max_body, "Largest accepted request body, bytes")
      ->check(CLI::Range(uint64_t{1024}, uint64_t{1} << 32));
  app.add_option("--lua-states", o.lua_states, "Warm Lua states kept for HTTP requests")
      ->check(CLI::Range(1, 256));
  app.add_option("--lua-timeout", o.lua_timeout_ms, "Script time limit in milliseconds")
      ->check(CLI::Range(10, 3600 * 1000));
  app.add_option("--lua-memory", o.lua_memory_mb, "Memory limit of one Lua state, MiB")
      ->check(CLI::Range(8, 65536));
  app.add_flag("--allow-exec", o.allow_exec,
               "Let administrators' scripts run commands (ntop.execCmd and friends)");
  app.add_flag("-V,--version", version, "Print the version and exit");
  app.add_flag("--lua-api", lua_api, "Print every registered Lua function and exit");

  std::vector<std::string> reversed(words.rbegin(), words.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    cmd.action = Command::Action::kHelp;
    cmd.text = app.help();
    return cmd;
  } catch (const CLI::ParseError& e) {
    return Error{e.what()};
  }

  if (version) {
    cmd.action = Command::Action::kVersion;
    cmd.text = std::string("flowlens ") + build::kVersion + " (" + build::kGitRevision + ")\n";
    return cmd;
  }
  if (lua_api) cmd.action = Command::Action::kLuaApi;

  auto http_ep = parseListenEndpoint(http);
  if (!http_ep) return Error{"--http-port: " + http_ep.error()};
  o.http = *http_ep;
  if (!https.empty()) {
    auto https_ep = parseListenEndpoint(https);
    if (!https_ep) return Error{"--https-port: " + https_ep.error()};
    o.https = *https_ep;
  }
  if (!redis.empty()) {
    auto r = parseRedisEndpoint(redis);
    if (!r) return Error{"--redis: " + r.error()};
    o.redis = *r;
  }
  if (!local_nets.empty()) {
    std::stringstream ss(local_nets);
    std::string item;
    while (std::getline(ss, item, ',')) {
      item = trim(item);
      if (item.empty()) continue;
      // ntopng's "192.168.1.0/24=office": the text after '=' is the network's alias.
      std::string alias;
      if (const auto eq = item.find('='); eq != std::string::npos) {
        alias = trim(item.substr(eq + 1));
        item = trim(item.substr(0, eq));
      }
      auto p = util::parsePrefix(item);
      if (!p) return Error{"--local-networks: " + p.error()};
      o.local_networks.push_back(*p);
      o.local_network_aliases.push_back(std::move(alias));
    }
  }
  if (app.count("-l") > 0) {  // "-l" alone disables login for everybody
    auto mode = disable_login.empty() ? Result<int>(1)
                                      : parseInt(disable_login, 0, 1, "--disable-login");
    if (!mode) return Error{mode.error()};
    o.disable_login = *mode;
  }
  if (app.count("-v") > 0) {  // ntopng's levels go to 6; ours stop at 4 (debug)
    auto level = verbose.empty() ? Result<int>(3) : parseInt(verbose, 0, 6, "--verbose");
    if (!level) return Error{level.error()};
    o.verbose = std::min(*level, 4);
  }
  if (!core_affinity.empty()) {
    auto cores = affinity::parseCoreList(core_affinity);
    if (!cores) return Error{"--core-affinity: " + cores.error()};
    o.core_affinity = *cores;
  }
  if (!other_core_affinity.empty()) {
    auto cores = affinity::parseCoreList(other_core_affinity);
    if (!cores) return Error{"--other-core-affinity: " + cores.error()};
    o.other_core_affinity = *cores;
  }
  if (!o.http_prefix.empty()) {
    if (o.http_prefix[0] != '/') o.http_prefix = "/" + o.http_prefix;
    while (o.http_prefix.size() > 1 && o.http_prefix.back() == '/') o.http_prefix.pop_back();
    if (o.http_prefix == "/") o.http_prefix.clear();
  }
  return cmd;
}

}  // namespace flowlens
