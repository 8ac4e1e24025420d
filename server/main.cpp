#include <array>

#include "server/cli/commands.hpp"
#include "shared/util/command_table.hpp"

int main(int argc, char** argv) {
  using namespace openmps::server::cli;
  static constexpr std::array<openmps::util::Command, 5> kCommands = {{
      {"migrate", "apply the database schema migrations", migrateCommand},
      {"org", "add dealers and customers: org add --dealer NAME | --customer NAME --parent DEALER",
       orgCommand},
      {"collector", "enroll a client: collector add --customer NAME", collectorCommand},
      {"fleet", "list devices with their latest counters, supplies and status", fleetCommand},
      {"run", "run the server: receivers, ingest, mailbox poller", runCommand},
  }};
  return openmps::util::runCommandLine("openmps-server",
                                       "receives, stores and serves managed-print fleet data",
                                       kCommands, argc, argv);
}
