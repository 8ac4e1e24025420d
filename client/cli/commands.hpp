#pragma once

#include <span>
#include <string>

// The subcommands of openmps-client, one file each in this folder.
namespace openmps::client::cli {

int probeCommand(std::span<const std::string> args);
int scanCommand(std::span<const std::string> args);
int runCommand(std::span<const std::string> args);
int statusCommand(std::span<const std::string> args);
int enrollCommand(std::span<const std::string> args);
int pmdCommand(std::span<const std::string> args);

}  // namespace openmps::client::cli
