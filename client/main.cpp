#include <array>

#include "client/cli/commands.hpp"
#include "shared/util/command_table.hpp"

int main(int argc, char** argv) {
  using namespace openmps::client::cli;
  static constexpr std::array<openmps::util::Command, 6> kCommands = {{
      {"probe", "read one device and print what it reports", probeCommand},
      {"scan", "sweep address ranges once and list the printers found", scanCommand},
      {"run", "run the collector daemon (or one round with --once)", runCommand},
      {"status", "show outbox depth, last sweep, last send, device count", statusCommand},
      {"enroll", "store the enrollment string the server printed", enrollCommand},
      {"pmd", "work with device definitions: pmd check DIR", pmdCommand},
  }};
  return openmps::util::runCommandLine("openmps-client",
                                       "collects printer counters, supplies and status over SNMP",
                                       kCommands, argc, argv);
}
