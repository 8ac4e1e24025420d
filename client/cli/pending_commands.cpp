// Commands whose implementation has not landed yet. Each says so plainly and
// fails; it is removed from here when its real file arrives.
#include <cstdio>

#include "client/cli/commands.hpp"

namespace openmps::client::cli {
namespace {
int notYet(const char* name) {
  std::fprintf(stderr, "openmps-client %s: not implemented yet\n", name);
  return 3;
}
}  // namespace

int scanCommand(std::span<const std::string>) {
  return notYet("scan");
}

}  // namespace openmps::client::cli
