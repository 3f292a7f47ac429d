#include "core/options.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <initializer_list>
#include <string>
#include <vector>

#include "core/cpu_affinity.h"

namespace flowlens {
namespace {

// Parses `args` as if given after the program name.
Result<Command> parse(std::initializer_list<std::string> args) {
  std::vector<std::string> words = {"flowlens"};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<const char*> argv;
  for (const auto& w : words) argv.push_back(w.c_str());
  return parseCommandLine(static_cast<int>(argv.size()), argv.data());
}

Options parseOk(std::initializer_list<std::string> args) {
  auto r = parse(args);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error());
  return r.ok() ? r->options : Options{};
}

// A configuration file in /tmp, removed with the object.
class TempConfig {
 public:
  explicit TempConfig(const std::string& text) {
    char tmpl[] = "/tmp/flowlens-options-XXXXXX";
    const int fd = mkstemp(tmpl);
    path_ = tmpl;
    if (fd >= 0) close(fd);
    std::ofstream(path_) << text;
  }
  ~TempConfig() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(OptionsTest, DefaultsWithoutArguments) {
  const Options o = parseOk({});
  EXPECT_TRUE(o.interfaces.empty());
  EXPECT_EQ(o.http.port, 3000);
  EXPECT_EQ(o.http.address, "");
  EXPECT_FALSE(o.https.enabled());
  EXPECT_FALSE(o.redis.has_value());
  EXPECT_EQ(o.dns_mode, 0);
  EXPECT_EQ(o.disable_login, -1);
  EXPECT_EQ(o.user, "");  // the daemon picks "flowlens" where it exists, else "nobody"
  EXPECT_FALSE(o.dont_change_user);
  EXPECT_FALSE(o.daemon);
  EXPECT_EQ(o.verbose, 2);
  EXPECT_EQ(o.http_prefix, "");
  auto r = parse({});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->action, Command::Action::kRun);
}

TEST(OptionsTest, InterfaceIsRepeatable) {
  const Options o = parseOk({"-i", "eth0", "-i", "lo", "--interface", "trace.pcap"});
  EXPECT_EQ(o.interfaces, (std::vector<std::string>{"eth0", "lo", "trace.pcap"}));
}

TEST(OptionsTest, HttpPortForms) {
  EXPECT_EQ(parseOk({"-w", "3001"}).http.port, 3001);
  EXPECT_EQ(parseOk({"-w", "3001"}).http.address, "");

  const Options v4 = parseOk({"-w", "127.0.0.1:8080"});
  EXPECT_EQ(v4.http.address, "127.0.0.1");
  EXPECT_EQ(v4.http.port, 8080);
  EXPECT_EQ(v4.http.civetwebSpec(false), "127.0.0.1:8080");

  const Options v6 = parseOk({"--http-port", "[::1]:3000"});
  EXPECT_EQ(v6.http.address, "::1");
  EXPECT_EQ(v6.http.port, 3000);
  EXPECT_EQ(v6.http.civetwebSpec(false), "[::1]:3000");
  EXPECT_EQ(v6.http.civetwebSpec(true), "[::1]:3000s");

  const Options off = parseOk({"-w", "0"});
  EXPECT_EQ(off.http.port, 0);
  EXPECT_FALSE(off.http.enabled());
}

TEST(OptionsTest, HttpPortErrors) {
  EXPECT_FALSE(parse({"-w", "70000"}).ok());
  EXPECT_FALSE(parse({"-w", "-1"}).ok());
  EXPECT_FALSE(parse({"-w", "http"}).ok());
  EXPECT_FALSE(parse({"-w", "999.1.1.1:3000"}).ok());
  EXPECT_FALSE(parse({"-w", "[::1]3000"}).ok());
  EXPECT_FALSE(parse({"-w", "[::1"}).ok());
  EXPECT_FALSE(parse({"-w", ""}).ok());
  auto r = parse({"-w", "abc"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("--http-port"), std::string::npos) << r.error();
}

// ntopng's -g and -y: core lists, each core one this process may run on.
TEST(OptionsTest, CoreAffinities) {
  const std::vector<int> cores = affinity::usableCores();
  ASSERT_FALSE(cores.empty());
  const std::string c = std::to_string(cores.front());
  Options o = parseOk({"-g", c, "--other-core-affinity", c});
  EXPECT_EQ(o.core_affinity, std::vector<int>{cores.front()});
  EXPECT_EQ(o.other_core_affinity, std::vector<int>{cores.front()});
  EXPECT_TRUE(parseOk({}).core_affinity.empty());
  auto bad = parse({"-g", "x"});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().find("--core-affinity"), std::string::npos) << bad.error();
  bad = parse({"-y", "1-0"});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().find("--other-core-affinity"), std::string::npos) << bad.error();
}

TEST(OptionsTest, HttpsPort) {
  const Options o = parseOk({"-W", "0.0.0.0:3001"});
  EXPECT_TRUE(o.https.enabled());
  EXPECT_EQ(o.https.address, "0.0.0.0");
  EXPECT_EQ(o.https.port, 3001);
  EXPECT_EQ(o.https.civetwebSpec(true), "0.0.0.0:3001s");
  EXPECT_EQ(parseOk({"--https-port", "3443"}).https.port, 3443);
  EXPECT_FALSE(parse({"-W", "65536"}).ok());
}

TEST(OptionsTest, DirectoriesUserDaemonPidAndName) {
  const Options o = parseOk({"-d", "/var/tmp/fl", "-t", "/opt/fl", "-U", "ntopng", "-e", "-G",
                             "/run/fl.pid", "--instance-name", "probe-1", "--syslog"});
  EXPECT_EQ(o.data_dir, "/var/tmp/fl");
  EXPECT_EQ(o.install_dir, "/opt/fl");
  EXPECT_EQ(o.user, "ntopng");
  EXPECT_TRUE(o.daemon);
  EXPECT_EQ(o.pid_path, "/run/fl.pid");
  EXPECT_EQ(o.instance_name, "probe-1");
  EXPECT_TRUE(o.syslog);
  const Options l = parseOk(
      {"--data-dir", "/a", "--install-dir", "/b", "--user", "u", "--daemon", "--pid-path", "/p"});
  EXPECT_EQ(l.data_dir, "/a");
  EXPECT_EQ(l.install_dir, "/b");
  EXPECT_EQ(l.user, "u");
  EXPECT_TRUE(l.daemon);
  EXPECT_EQ(l.pid_path, "/p");
}

TEST(OptionsTest, RedisHostPortPasswordDb) {
  const Options h = parseOk({"-r", "redis.local"});
  ASSERT_TRUE(h.redis.has_value());
  EXPECT_EQ(h.redis->host, "redis.local");
  EXPECT_EQ(h.redis->port, 6379);
  EXPECT_EQ(h.redis->password, "");
  EXPECT_EQ(h.redis->db, 0);
  EXPECT_EQ(h.redis->unix_socket, "");

  const Options full = parseOk({"--redis", "10.0.0.1:6380:s3cret@2"});
  ASSERT_TRUE(full.redis.has_value());
  EXPECT_EQ(full.redis->host, "10.0.0.1");
  EXPECT_EQ(full.redis->port, 6380);
  EXPECT_EQ(full.redis->password, "s3cret");
  EXPECT_EQ(full.redis->db, 2);

  const Options port_only = parseOk({"-r", "localhost:6390"});
  EXPECT_EQ(port_only.redis->port, 6390);
  EXPECT_EQ(port_only.redis->password, "");

  const Options db_only = parseOk({"-r", "localhost@5"});
  EXPECT_EQ(db_only.redis->host, "localhost");
  EXPECT_EQ(db_only.redis->db, 5);
}

TEST(OptionsTest, RedisUnixSocket) {
  const Options o = parseOk({"-r", "/var/run/redis/redis.sock@3"});
  ASSERT_TRUE(o.redis.has_value());
  EXPECT_EQ(o.redis->unix_socket, "/var/run/redis/redis.sock");
  EXPECT_EQ(o.redis->db, 3);
  auto plain = parseRedisEndpoint("/tmp/r.sock");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->unix_socket, "/tmp/r.sock");
  EXPECT_EQ(plain->db, 0);
}

TEST(OptionsTest, RedisErrors) {
  EXPECT_FALSE(parseRedisEndpoint("host:port").ok());
  EXPECT_FALSE(parseRedisEndpoint("host:0").ok());
  EXPECT_FALSE(parseRedisEndpoint("host:65536").ok());
  EXPECT_FALSE(parseRedisEndpoint("host@x").ok());
  EXPECT_FALSE(parseRedisEndpoint("host@").ok());
  EXPECT_FALSE(parseRedisEndpoint("@1").ok());
  EXPECT_FALSE(parseRedisEndpoint(":6379").ok());
  EXPECT_FALSE(parseRedisEndpoint("").ok());
  auto r = parse({"-r", "host:nope"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("--redis"), std::string::npos) << r.error();
}

TEST(OptionsTest, LocalNetworks) {
  const Options o = parseOk({"-m", "192.168.1.0/24, 10.1.2.3/8,fe80::/10,172.16.0.1"});
  ASSERT_EQ(o.local_networks.size(), 4u);
  EXPECT_EQ(o.local_networks[0].toString(), "192.168.1.0/24");
  EXPECT_EQ(o.local_networks[1].toString(), "10.0.0.0/8");
  EXPECT_EQ(o.local_networks[2].toString(), "fe80::/10");
  EXPECT_EQ(o.local_networks[3].toString(), "172.16.0.1/32");
}

TEST(OptionsTest, LocalNetworkAliases) {
  // ntopng's "-m net=alias": the alias names the network in the UI; one entry per network.
  const Options o = parseOk({"-m", "192.168.1.0/24=office, 10.0.0.0/8 ,fe80::/10 = link local"});
  ASSERT_EQ(o.local_networks.size(), 3u);
  ASSERT_EQ(o.local_network_aliases.size(), 3u);
  EXPECT_EQ(o.local_networks[0].toString(), "192.168.1.0/24");
  EXPECT_EQ(o.local_network_aliases[0], "office");
  EXPECT_EQ(o.local_networks[1].toString(), "10.0.0.0/8");
  EXPECT_EQ(o.local_network_aliases[1], "");
  EXPECT_EQ(o.local_networks[2].toString(), "fe80::/10");
  EXPECT_EQ(o.local_network_aliases[2], "link local");
  // An empty alias is no alias; the CIDR before '=' is still checked.
  EXPECT_EQ(parseOk({"-m", "10.0.0.0/8="}).local_network_aliases.at(0), "");
  for (const char* bad : {"10.0.0.0/33=x", "=office", "bogus=office"}) {
    auto r = parse({"-m", bad});
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.error().find("--local-networks"), std::string::npos) << r.error();
  }
  EXPECT_TRUE(parseOk({}).local_network_aliases.empty());
}

TEST(OptionsTest, LocalNetworksBadCidr) {
  for (const char* bad :
       {"10.0.0.0/33", "10.0.0/8", "192.168.1.0/24,bogus", "::/129", "1.2.3.4/x"}) {
    auto r = parse({"-m", bad});
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.error().find("--local-networks"), std::string::npos) << r.error();
  }
}

TEST(OptionsTest, DnsModeRange) {
  for (int mode = 0; mode <= 3; ++mode) {
    EXPECT_EQ(parseOk({"-n", std::to_string(mode)}).dns_mode, mode);
  }
  EXPECT_EQ(parseOk({"--dns-mode", "2"}).dns_mode, 2);
  EXPECT_FALSE(parse({"-n", "4"}).ok());
  EXPECT_FALSE(parse({"-n", "-1"}).ok());
  EXPECT_FALSE(parse({"-n", "x"}).ok());
  EXPECT_FALSE(parse({"-n"}).ok());
}

TEST(OptionsTest, DisableLogin) {
  EXPECT_EQ(parseOk({}).disable_login, -1);
  EXPECT_EQ(parseOk({"-l"}).disable_login, 1);
  EXPECT_EQ(parseOk({"-l", "0"}).disable_login, 0);
  EXPECT_EQ(parseOk({"-l", "1"}).disable_login, 1);
  EXPECT_EQ(parseOk({"--disable-login", "0"}).disable_login, 0);
  // "-l" alone followed by another option does not swallow it.
  const Options o = parseOk({"-l", "-i", "eth0"});
  EXPECT_EQ(o.disable_login, 1);
  EXPECT_EQ(o.interfaces, (std::vector<std::string>{"eth0"}));
  EXPECT_FALSE(parse({"-l", "2"}).ok());
}

TEST(OptionsTest, VerboseLevels) {
  EXPECT_EQ(parseOk({"-v"}).verbose, 3);
  EXPECT_EQ(parseOk({"-v", "0"}).verbose, 0);
  EXPECT_EQ(parseOk({"-v", "4"}).verbose, 4);
  EXPECT_EQ(parseOk({"-v", "6"}).verbose, 4);  // ntopng's 5..6 clamp to debug
  EXPECT_EQ(parseOk({"--verbose", "1"}).verbose, 1);
  EXPECT_FALSE(parse({"-v", "7"}).ok());
  EXPECT_FALSE(parse({"-v", "loud"}).ok());
  const Options o = parseOk({"-v", "-e"});
  EXPECT_EQ(o.verbose, 3);
  EXPECT_TRUE(o.daemon);
}

TEST(OptionsTest, HttpPrefixNormalised) {
  EXPECT_EQ(parseOk({"--http-prefix", "/flowlens"}).http_prefix, "/flowlens");
  EXPECT_EQ(parseOk({"--http-prefix", "flowlens"}).http_prefix, "/flowlens");
  EXPECT_EQ(parseOk({"--http-prefix", "/a/b/"}).http_prefix, "/a/b");
  EXPECT_EQ(parseOk({"--http-prefix", "x///"}).http_prefix, "/x");
  EXPECT_EQ(parseOk({"--http-prefix", "/"}).http_prefix, "");
  EXPECT_EQ(parseOk({"--http-prefix", "///"}).http_prefix, "");
}

TEST(OptionsTest, FlowlensOwnOptions) {
  const Options o = parseOk({"--http-threads", "8", "--lua-states", "3", "--lua-timeout", "500",
                             "--lua-memory", "32", "--allow-exec", "--http-max-body", "4096"});
  EXPECT_EQ(o.http_threads, 8);
  EXPECT_EQ(o.lua_states, 3);
  EXPECT_EQ(o.lua_timeout_ms, 500);
  EXPECT_EQ(o.lua_memory_mb, 32);
  EXPECT_TRUE(o.allow_exec);
  EXPECT_EQ(o.http_max_body, 4096u);
  EXPECT_FALSE(parse({"--lua-states", "0"}).ok());
  EXPECT_FALSE(parse({"--lua-memory", "1"}).ok());
  EXPECT_FALSE(parse({"--lua-timeout", "5"}).ok());
  EXPECT_FALSE(parse({"--http-threads", "1"}).ok());
}

TEST(OptionsTest, HelpVersionAndLuaApiActions) {
  for (const char* flag : {"-h", "--help"}) {
    auto r = parse({flag});
    ASSERT_TRUE(r.ok()) << flag;
    EXPECT_EQ(r->action, Command::Action::kHelp);
    EXPECT_NE(r->text.find("--http-port"), std::string::npos);
    EXPECT_NE(r->text.find("--interface"), std::string::npos);
  }
  for (const char* flag : {"-V", "--version"}) {
    auto r = parse({flag});
    ASSERT_TRUE(r.ok()) << flag;
    EXPECT_EQ(r->action, Command::Action::kVersion);
    EXPECT_EQ(r->text.rfind("flowlens ", 0), 0u) << r->text;
  }
  auto api = parse({"--lua-api"});
  ASSERT_TRUE(api.ok());
  EXPECT_EQ(api->action, Command::Action::kLuaApi);
}

TEST(OptionsTest, UnknownOrMalformedOptionsAreErrors) {
  EXPECT_FALSE(parse({"--no-such-option"}).ok());
  EXPECT_FALSE(parse({"-Z"}).ok());
  EXPECT_FALSE(parse({"-i"}).ok());
  EXPECT_FALSE(parse({"-w", "3000", "stray"}).ok());
  EXPECT_FALSE(parse({"-e", "stray"}).ok());
  EXPECT_FALSE(parse({"--daemon=maybe"}).ok());
  EXPECT_FALSE(parse({"--lua-states", "many"}).ok());
}

TEST(OptionsTest, CommandLineIsRecorded) {
  auto r = parse({"-i", "eth0", "-w", "3001"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->options.command_line, "flowlens -i eth0 -w 3001");
  EXPECT_EQ(r->options.config_file, "");
}

TEST(OptionsTest, ReadConfigFileFormats) {
  TempConfig conf(
      "# flowlens configuration\n"
      "\n"
      "-i=eth0\n"
      "   \n"
      "--http-port=3001\n"
      "-v=\n"
      "-i eth1\n"
      "  -e  \n"
      "--instance-name=a=b\n");
  auto words = readConfigFile(conf.path());
  ASSERT_TRUE(words.ok()) << words.error();
  EXPECT_EQ(*words, (std::vector<std::string>{"-i", "eth0", "--http-port", "3001", "-v", "-i",
                                              "eth1", "-e", "--instance-name", "a=b"}));
}

TEST(OptionsTest, ReadConfigFileErrors) {
  EXPECT_FALSE(readConfigFile("/nonexistent/flowlens.conf").ok());
  TempConfig conf("-i=eth0\neth1\n");
  auto words = readConfigFile(conf.path());
  ASSERT_FALSE(words.ok());
  EXPECT_NE(words.error().find(":2:"), std::string::npos) << words.error();
}

TEST(OptionsTest, ConfigFileAsFirstArgument) {
  TempConfig conf(
      "# comment\n"
      "-i=eth0\n"
      "--http-port=3001\n"
      "-v=\n"
      "\n"
      "-m 10.0.0.0/8\n");
  auto r = parse({conf.path()});
  ASSERT_TRUE(r.ok()) << r.error();
  const Options& o = r->options;
  EXPECT_EQ(o.config_file, conf.path());
  EXPECT_EQ(o.interfaces, (std::vector<std::string>{"eth0"}));
  EXPECT_EQ(o.http.port, 3001);
  EXPECT_EQ(o.verbose, 3);
  ASSERT_EQ(o.local_networks.size(), 1u);
  EXPECT_EQ(o.local_networks[0].toString(), "10.0.0.0/8");
}

TEST(OptionsTest, CommandLineAddsToConfigFile) {
  TempConfig conf("-i=eth0\n-n=1\n");
  auto r = parse({conf.path(), "-i", "eth1", "-e"});
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->options.interfaces, (std::vector<std::string>{"eth0", "eth1"}));
  EXPECT_EQ(r->options.dns_mode, 1);
  EXPECT_TRUE(r->options.daemon);
}

TEST(OptionsTest, CommandLineOverridesAConfigFileValue) {
  // As in ntopng, options apply in order: the command line, coming after the file, wins.
  TempConfig conf("--http-port=3000\n-n=1\n");
  auto r = parse({conf.path(), "-w", "3005", "-n", "2"});
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->options.http.port, 3005);
  EXPECT_EQ(r->options.dns_mode, 2);
}

TEST(OptionsTest, MissingOrBadConfigFileIsAnError) {
  EXPECT_FALSE(parse({"/nonexistent/flowlens.conf"}).ok());
  TempConfig conf("--no-such-option=1\n");
  EXPECT_FALSE(parse({conf.path()}).ok());
}

TEST(OptionsTest, ParseListenEndpointDirect) {
  auto any = parseListenEndpoint(":3000");
  ASSERT_TRUE(any.ok());
  EXPECT_EQ(any->address, "");
  EXPECT_EQ(any->port, 3000);
  EXPECT_EQ(any->civetwebSpec(false), "3000");
  EXPECT_FALSE(parseListenEndpoint("[::1]:").ok());
  EXPECT_FALSE(parseListenEndpoint("localhost:3000").ok());  // addresses, not names
  EXPECT_FALSE(parseListenEndpoint("3000x").ok());
}

}  // namespace
}  // namespace flowlens
