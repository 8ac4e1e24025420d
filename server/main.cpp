#include <algorithm>
#include <array>
#include <string_view>
#include <vector>

#include "server/cli/commands.hpp"
#include "shared/util/command_table.hpp"

int main(int argc, char** argv) {
  using namespace openmps::server::cli;
  // Sized by its entries: a count written by hand went stale when commands
  // were added beside each other (and the extra empty entry crashed).
  static constexpr auto kCommands = std::to_array<openmps::util::Command>({
      {"migrate", "apply the database schema migrations", migrateCommand},
      {"org", "add dealers and customers: org add --dealer NAME | --customer NAME --parent DEALER",
       orgCommand},
      {"collector", "enroll a client: collector add --customer NAME", collectorCommand},
      {"fleet", "list devices with their latest counters, supplies and status", fleetCommand},
      {"user", "people who sign in: user add|list|disable|enable|reset-password|reset-totp",
       userCommand},
      {"report", "billing meters, supplies, inventory, usage ... as CSV, XLSX, PDF or JSON",
       reportCommand},
      {"alert",
       "alerts: alert list|show|ack|rules|subscribe|subscriptions|unsubscribe|test-notify|sweep",
       alertCommand},
      {"notify", "the notification outbox: notify list|retry", notifyCommand},
      {"run", "run the server: receivers, ingest, mailbox poller, alerts, notifications",
       runCommand},
  });
  // "openmps-server --config FILE COMMAND ..." means "openmps-server COMMAND
  // ... --config FILE": the options move behind the command name.
  std::vector<char*> args(argv, argv + argc);
  if (args.size() > 2 && std::string_view(args[1]).starts_with("--config")) {
    const std::size_t width = std::string_view(args[1]).find('=') == std::string_view::npos ? 2 : 1;
    if (args.size() > 1 + width) {
      std::rotate(args.begin() + 1, args.begin() + 1 + static_cast<std::ptrdiff_t>(width),
                  args.begin() + 2 + static_cast<std::ptrdiff_t>(width));
    }
  }
  return openmps::util::runCommandLine("openmps-server",
                                       "receives, stores and serves managed-print fleet data",
                                       kCommands, static_cast<int>(args.size()), args.data());
}
