#include "server/cli/cli_support.hpp"

#include <cstdio>
#include <cstdlib>

#include "shared/util/log.hpp"

namespace openmps::server::cli {

util::OptionSpec configOption() {
  return {"config", true, "FILE", "server configuration (or $OPENMPS_SERVER_CONFIG)"};
}

util::OptionSpec helpOption() {
  return {"help", false, "", "show this help"};
}

config::ServerConfig loadConfig(const util::ParsedArgs& args) {
  std::string path = args.getOr("config", "");
  if (path.empty()) {
    const char* env = std::getenv("OPENMPS_SERVER_CONFIG");
    path = env == nullptr ? "" : env;
  }
  if (path.empty()) {
    throw util::UsageError("--config FILE is required");
  }
  config::ServerConfig cfg = config::loadServerConfig(path);
  util::setLogLevel(cfg.logLevel);
  return cfg;
}

bool handleHelp(const util::ParsedArgs& args, const char* usage,
                std::span<const util::OptionSpec> specs) {
  if (!args.has("help")) {
    return false;
  }
  std::printf("Usage: %s\n\nOptions:\n%s", usage, util::formatOptions(specs).c_str());
  return true;
}

}  // namespace openmps::server::cli
