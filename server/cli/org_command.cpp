// openmps-server org add --dealer NAME | --customer NAME --parent DEALER
#include <array>
#include <cstdio>

#include "server/cli/cli_support.hpp"
#include "server/cli/commands.hpp"
#include "server/store/pg_admin.hpp"

namespace openmps::server::cli {

int orgCommand(std::span<const std::string> args) {
  const std::array<util::OptionSpec, 5> specs = {
      configOption(), util::OptionSpec{"dealer", true, "NAME", "add a dealer"},
      util::OptionSpec{"customer", true, "NAME", "add a customer (needs --parent)"},
      util::OptionSpec{"parent", true, "DEALER", "the dealer a new customer belongs to"},
      helpOption()};
  const auto parsed = util::parseArgs(args, specs);
  static constexpr const char* kUsage =
      "openmps-server org add --dealer NAME --config FILE\n"
      "       openmps-server org add --customer NAME --parent DEALER --config FILE";
  if (handleHelp(parsed, kUsage, specs)) {
    return 0;
  }
  if (parsed.positional().size() != 1 || parsed.positional().front() != "add") {
    throw util::UsageError("expected 'org add'");
  }
  const bool dealer = parsed.has("dealer");
  const bool customer = parsed.has("customer");
  if (dealer == customer) {
    throw util::UsageError("give exactly one of --dealer NAME or --customer NAME");
  }
  if (customer && !parsed.has("parent")) {
    throw util::UsageError("--customer needs --parent DEALER");
  }
  if (dealer && parsed.has("parent")) {
    throw util::UsageError("a dealer has no --parent (it sits under the root)");
  }
  const auto cfg = loadConfig(parsed);
  store::PgAdmin admin(cfg.databaseUri);
  const store::Organisation org =
      dealer ? admin.addDealer(*parsed.get("dealer"))
             : admin.addCustomer(*parsed.get("customer"), *parsed.get("parent"));
  std::printf("added %s '%s' (id %lld)\n", org.kind.c_str(), org.name.c_str(),
              static_cast<long long>(org.id));
  return 0;
}

}  // namespace openmps::server::cli
