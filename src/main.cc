// flowlens: parses the options, then runs the daemon (or prints help, version or the Lua API).

#include <cstdio>

#include "core/options.h"
#include "daemon.h"
#include "lua/registry.h"

int main(int argc, char** argv) {
  auto cmd = flowlens::parseCommandLine(argc, argv);
  if (!cmd) {
    std::fprintf(stderr, "flowlens: %s\nRun 'flowlens --help' for the options.\n",
                 cmd.error().c_str());
    return 2;
  }
  using Action = flowlens::Command::Action;
  switch (cmd->action) {
    case Action::kHelp:
    case Action::kVersion:
      std::fputs(cmd->text.c_str(), stdout);
      return 0;
    case Action::kLuaApi:
      for (const auto& name : flowlens::lua::registeredFunctionNames()) {
        std::printf("%s\n", name.c_str());
      }
      return 0;
    case Action::kRun:
      break;
  }
  flowlens::Daemon daemon(std::move(cmd->options), argc, argv);
  return daemon.run();
}
