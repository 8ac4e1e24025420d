#pragma once

#include <span>
#include <string>
#include <vector>

#include "server/config/server_config.hpp"
#include "shared/util/args.hpp"

namespace openmps::server::cli {

// The --config option every command takes (or OPENMPS_SERVER_CONFIG).
util::OptionSpec configOption();
util::OptionSpec helpOption();

// Loads and validates the configuration named by --config, applies its log
// level. UsageError when none was given.
config::ServerConfig loadConfig(const util::ParsedArgs& args);

// Prints "Usage: ..." and the options; returns true when --help was given.
bool handleHelp(const util::ParsedArgs& args, const char* usage,
                std::span<const util::OptionSpec> specs);

}  // namespace openmps::server::cli
