// openmps-server migrate: creates or upgrades the schema; on a fresh server
// also creates the master key and a self-signed certificate.
#include <array>
#include <chrono>
#include <cstdio>

#include "server/cli/cli_support.hpp"
#include "server/cli/commands.hpp"
#include "server/config/server_secrets.hpp"
#include "server/store/pg_api_role.hpp"
#include "server/store/pg_migrator.hpp"
#include "server/store/pg_partitions.hpp"

namespace openmps::server::cli {

int migrateCommand(std::span<const std::string> args) {
  const std::array<util::OptionSpec, 2> specs = {configOption(), helpOption()};
  const auto parsed = util::parseArgs(args, specs);
  if (handleHelp(parsed, "openmps-server migrate --config FILE", specs)) {
    return 0;
  }
  if (!parsed.positional().empty()) {
    throw util::UsageError("unexpected argument '" + parsed.positional().front() + "'");
  }
  const auto cfg = loadConfig(parsed);
  config::ensureServerSecrets(cfg);
  const auto report =
      store::migrateDatabase(cfg.databaseUri, store::utcYear(std::chrono::system_clock::now()));
  for (const auto& name : report.applied) {
    std::printf("applied %s\n", name.c_str());
  }
  std::printf("schema up to date (%zu applied now, %zu before)\n", report.applied.size(),
              report.alreadyApplied);
  const auto role = store::ensureApiRole(cfg.databaseUri);
  std::printf("API database role %s %s (row-level security applies to it)\n", role.role.c_str(),
              role.created ? "created" : "up to date");
  for (const auto& table : role.withoutRowSecurity) {
    std::fprintf(stderr,
                 "migrate: table %s has no row-level security: the API's role gets no rights on "
                 "it\n",
                 table.c_str());
  }
  return 0;
}

}  // namespace openmps::server::cli
