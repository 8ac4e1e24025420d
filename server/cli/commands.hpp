#pragma once

#include <span>
#include <string>

// The subcommands of openmps-server, one file each in this folder.
namespace openmps::server::cli {

int migrateCommand(std::span<const std::string> args);
int orgCommand(std::span<const std::string> args);
int collectorCommand(std::span<const std::string> args);
int fleetCommand(std::span<const std::string> args);
int runCommand(std::span<const std::string> args);
int reportCommand(std::span<const std::string> args);
int userCommand(std::span<const std::string> args);
int alertCommand(std::span<const std::string> args);
int notifyCommand(std::span<const std::string> args);

}  // namespace openmps::server::cli
