// openmps-server collector add --customer NAME: enrolls a client and prints
// its enrollment string (one line on stdout; everything else on stderr).
#include <array>
#include <cstdio>

#include "server/cli/cli_support.hpp"
#include "server/cli/commands.hpp"
#include "server/config/server_secrets.hpp"
#include "server/store/pg_admin.hpp"
#include "shared/envelope/enrollment.hpp"
#include "shared/envelope/keys.hpp"

namespace openmps::server::cli {

int collectorCommand(std::span<const std::string> args) {
  const std::array<util::OptionSpec, 4> specs = {
      configOption(), util::OptionSpec{"customer", true, "NAME", "the customer it reports for"},
      util::OptionSpec{"name", true, "LABEL", "a label for people (site, machine)"}, helpOption()};
  const auto parsed = util::parseArgs(args, specs);
  if (handleHelp(parsed, "openmps-server collector add --customer NAME --config FILE", specs)) {
    return 0;
  }
  if (parsed.positional().size() != 1 || parsed.positional().front() != "add") {
    throw util::UsageError("expected 'collector add'");
  }
  if (!parsed.has("customer")) {
    throw util::UsageError("--customer NAME is required");
  }
  const auto cfg = loadConfig(parsed);
  const auto masterKey = config::loadMasterKey(cfg);
  envelope::Enrollment enrollment;
  enrollment.servers = config::enrollmentAddresses(cfg);
  if (enrollment.servers.empty()) {
    throw std::runtime_error(
        "no address to give clients: set public_addresses in the configuration");
  }
  if (cfg.needsTls()) {
    enrollment.certFingerprint = config::certificateFingerprint(cfg.tls.certificate);
  }
  store::PgAdmin admin(cfg.databaseUri);
  const std::string customerName = *parsed.get("customer");
  const auto customer = admin.findOrganisation("customer", customerName);
  if (!customer) {
    throw std::runtime_error("no customer named '" + customerName +
                             "' (add it with: org add --customer NAME --parent DEALER)");
  }
  enrollment.clientId = admin.addCollector(customer->id, parsed.getOr("name", ""));
  enrollment.key = envelope::deriveClientKey(masterKey, enrollment.clientId);
  std::fprintf(stderr,
               "enrolled collector %llu for customer '%s'; give this line to "
               "'openmps-client enroll' (it contains the client's key):\n",
               static_cast<unsigned long long>(enrollment.clientId), customer->name.c_str());
  std::printf("%s\n", envelope::encodeEnrollment(enrollment).c_str());
  return 0;
}

}  // namespace openmps::server::cli
