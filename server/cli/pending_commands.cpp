// Commands whose implementation has not landed yet. Each says so plainly and
// fails; it is removed from here when its real file arrives.
#include <cstdio>

#include "server/cli/commands.hpp"

namespace openmps::server::cli {
namespace {
int notYet(const char* name) {
  std::fprintf(stderr, "openmps-server %s: not implemented yet\n", name);
  return 3;
}
}  // namespace

int migrateCommand(std::span<const std::string>) {
  return notYet("migrate");
}
int orgCommand(std::span<const std::string>) {
  return notYet("org");
}
int collectorCommand(std::span<const std::string>) {
  return notYet("collector");
}
int fleetCommand(std::span<const std::string>) {
  return notYet("fleet");
}
int runCommand(std::span<const std::string>) {
  return notYet("run");
}

}  // namespace openmps::server::cli
