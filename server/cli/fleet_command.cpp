// openmps-server fleet [--customer NAME | --dealer NAME] [--json]
#include <array>
#include <cstdio>

#include "server/cli/cli_support.hpp"
#include "server/cli/commands.hpp"
#include "server/store/fleet.hpp"
#include "server/store/pg_admin.hpp"

namespace openmps::server::cli {

int fleetCommand(std::span<const std::string> args) {
  const std::array<util::OptionSpec, 5> specs = {
      configOption(), util::OptionSpec{"customer", true, "NAME", "only this customer's devices"},
      util::OptionSpec{"dealer", true, "NAME", "only the devices of this dealer's customers"},
      util::OptionSpec{"json", false, "", "print the JSON document (server/README.md)"},
      helpOption()};
  const auto parsed = util::parseArgs(args, specs);
  if (handleHelp(parsed, "openmps-server fleet [--customer NAME | --dealer NAME] [--json]",
                 specs)) {
    return 0;
  }
  if (!parsed.positional().empty()) {
    throw util::UsageError("unexpected argument '" + parsed.positional().front() + "'");
  }
  if (parsed.has("customer") && parsed.has("dealer")) {
    throw util::UsageError("give --customer or --dealer, not both");
  }
  const auto cfg = loadConfig(parsed);
  store::FleetScope scope;
  for (const char* kind : {"customer", "dealer"}) {
    if (!parsed.has(kind)) {
      continue;
    }
    store::PgAdmin admin(cfg.databaseUri);
    const std::string name = *parsed.get(kind);
    const auto org = admin.findOrganisation(kind, name);
    if (!org) {
      throw std::runtime_error(std::string("no ") + kind + " named '" + name + "'");
    }
    scope = store::FleetScope{kind, org->name, org->id};
  }
  const auto fleet = store::loadFleet(cfg.databaseUri, scope);
  const std::string out =
      parsed.has("json") ? store::fleetToJson(fleet) : store::fleetToText(fleet);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace openmps::server::cli
