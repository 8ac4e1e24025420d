#pragma once

#include <span>
#include <string>
#include <vector>

namespace openmps::util {

// A subcommand of openmps-client or openmps-server.
struct Command {
  const char* name;
  const char* summary;
  int (*run)(std::span<const std::string> args);  // args after the command name
};

// Dispatches argv to a command: handles --help and --version, prints usage
// on unknown commands, turns UsageError into exit code 2 and any other
// uncaught error into one line on stderr and exit code 1.
int runCommandLine(const char* program, const char* description, std::span<const Command> commands,
                   int argc, char** argv);

}  // namespace openmps::util
