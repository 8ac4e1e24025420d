#include "shared/util/command_table.hpp"

#include <cstdio>
#include <exception>
#include <string_view>

#include "shared/util/args.hpp"
#include "shared/util/version.hpp"

namespace openmps::util {
namespace {

void printUsage(std::FILE* out, const char* program, const char* description,
                std::span<const Command> commands) {
  std::fprintf(out, "%s %s: %s\n\nUsage: %s COMMAND [OPTIONS]\n\nCommands:\n", program, kVersion,
               description, program);
  for (const auto& c : commands) std::fprintf(out, "  %-12s %s\n", c.name, c.summary);
  std::fprintf(out,
               "\n  %s COMMAND --help   shows the options of a command\n"
               "  %s --version        prints the version\n",
               program, program);
}

}  // namespace

int runCommandLine(const char* program, const char* description, std::span<const Command> commands,
                   int argc, char** argv) {
  const std::string_view first = argc > 1 ? argv[1] : "";
  if (first.empty() || first == "--help" || first == "-h" || first == "help") {
    printUsage(first.empty() ? stderr : stdout, program, description, commands);
    return first.empty() ? 2 : 0;
  }
  if (first == "--version" || first == "version") {
    std::printf("%s %s\n", program, kVersion);
    return 0;
  }
  for (const auto& c : commands) {
    if (first != c.name) continue;
    const std::vector<std::string> args(argv + 2, argv + argc);
    try {
      return c.run(args);
    } catch (const UsageError& e) {
      std::fprintf(stderr, "%s %s: %s\n(see '%s %s --help')\n", program, c.name, e.what(), program,
                   c.name);
      return 2;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "%s %s: %s\n", program, c.name, e.what());
      return 1;
    }
  }
  std::fprintf(stderr, "%s: unknown command '%s'\n\n", program, argv[1]);
  printUsage(stderr, program, description, commands);
  return 2;
}

}  // namespace openmps::util
