// openmps-server collector add --customer NAME: enrolls a client and prints
// its enrollment string (one line on stdout; everything else on stderr).
// collector list [--customer NAME] [--json]: the enrolled clients.
// collector revoke ID: refuses that client's batches from now on.
#include <array>
#include <cstdio>

#include "server/cli/cli_support.hpp"
#include "server/cli/commands.hpp"
#include "server/config/server_secrets.hpp"
#include "server/store/pg_admin.hpp"
#include "shared/envelope/enrollment.hpp"

namespace openmps::server::cli {
namespace {

constexpr const char* kUsage =
    "openmps-server collector add --customer NAME [--name LABEL] --config FILE\n"
    "       openmps-server collector list [--customer NAME] [--json] --config FILE\n"
    "       openmps-server collector revoke ID --config FILE";

store::Organisation customerNamed(store::PgAdmin& admin, const std::string& name) {
  const auto customer = admin.findOrganisation("customer", name);
  if (!customer) {
    throw std::runtime_error("no customer named '" + name +
                             "' (add it with: org add --customer NAME --parent DEALER)");
  }
  return *customer;
}

int add(const util::ParsedArgs& parsed) {
  if (!parsed.has("customer")) {
    throw util::UsageError("--customer NAME is required");
  }
  const auto cfg = loadConfig(parsed);
  const auto masterKey = config::loadMasterKey(cfg);
  // Fails before anything is stored when clients would get no address.
  (void)config::enrollmentFor(cfg, masterKey, 1);
  store::PgAdmin admin(cfg.databaseUri);
  const auto customer = customerNamed(admin, *parsed.get("customer"));
  const auto enrollment = config::enrollmentFor(
      cfg, masterKey, admin.addCollector(customer.id, parsed.getOr("name", "")));
  std::fprintf(stderr,
               "enrolled collector %llu for customer '%s'; give this line to "
               "'openmps-client enroll' (it contains the client's key):\n",
               static_cast<unsigned long long>(enrollment.clientId), customer.name.c_str());
  std::printf("%s\n", envelope::encodeEnrollment(enrollment).c_str());
  return 0;
}

int list(const util::ParsedArgs& parsed) {
  const auto cfg = loadConfig(parsed);
  store::PgAdmin admin(cfg.databaseUri);
  std::optional<std::int64_t> customerId;
  if (const auto name = parsed.get("customer")) {
    customerId = customerNamed(admin, *name).id;
  }
  const auto rows = admin.listCollectors(customerId);
  const std::string out =
      parsed.has("json") ? store::collectorsToJson(rows) : store::collectorsToText(rows);
  std::fputs(out.c_str(), stdout);
  return 0;
}

int revoke(const util::ParsedArgs& parsed, const std::string& idText) {
  const auto id = util::parseInt(idText);
  if (!id || *id <= 0) {
    throw util::UsageError("collector revoke: '" + idText +
                           "' is not a collector id (see: collector list)");
  }
  const auto cfg = loadConfig(parsed);
  store::PgAdmin admin(cfg.databaseUri);
  const auto row = admin.revokeCollector(static_cast<std::uint64_t>(*id));
  std::printf(
      "collector %llu of customer '%s' revoked at %s; its batches are refused from now on\n",
      static_cast<unsigned long long>(row.id), row.customer.c_str(), row.revokedAt.c_str());
  return 0;
}

}  // namespace

int collectorCommand(std::span<const std::string> args) {
  const std::array<util::OptionSpec, 5> specs = {
      configOption(),
      util::OptionSpec{"customer", true, "NAME",
                       "add: the customer it reports for; list: only its"},
      util::OptionSpec{"name", true, "LABEL", "add: a label for people (site, machine)"},
      util::OptionSpec{"json", false, "", "list: print JSON"}, helpOption()};
  const auto parsed = util::parseArgs(args, specs);
  if (handleHelp(parsed, kUsage, specs)) {
    return 0;
  }
  const auto& pos = parsed.positional();
  if (pos.size() == 1 && pos[0] == "add") {
    return add(parsed);
  }
  if (pos.size() == 1 && pos[0] == "list") {
    return list(parsed);
  }
  if (pos.size() == 2 && pos[0] == "revoke") {
    return revoke(parsed, pos[1]);
  }
  if (!pos.empty() && pos[0] == "revoke") {
    throw util::UsageError("expected 'collector revoke ID'");
  }
  throw util::UsageError("expected 'collector add', 'collector list' or 'collector revoke ID'");
}

}  // namespace openmps::server::cli
