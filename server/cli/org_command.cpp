// openmps-server org add --dealer NAME | --customer NAME --parent DEALER
// openmps-server org set (--dealer NAME | --customer NAME) [--time-zone TZ] [--billing-day N]
//                        [--lead-days N] [--locale L]
#include <array>
#include <cstdio>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "server/auth/audit.hpp"
#include "server/auth/pg_audit_log.hpp"
#include "server/cli/cli_support.hpp"
#include "server/cli/commands.hpp"
#include "server/store/organisation_settings.hpp"
#include "server/store/pg_admin.hpp"

namespace openmps::server::cli {
namespace {

std::optional<int> intOption(const util::ParsedArgs& parsed, const char* name, int min, int max) {
  if (!parsed.has(name)) return std::nullopt;
  return static_cast<int>(parsed.intOr(name, 0, min, max));
}

// The settings of one organisation, changed and audited in one transaction.
int setSettings(const util::ParsedArgs& parsed) {
  const bool dealer = parsed.has("dealer");
  if (dealer == parsed.has("customer")) {
    throw util::UsageError("give exactly one of --dealer NAME or --customer NAME");
  }
  store::OrganisationSettings s;
  if (parsed.has("time-zone")) s.timeZone = *parsed.get("time-zone");
  s.billingDay = intOption(parsed, "billing-day", 1, 31);
  s.leadDays = intOption(parsed, "lead-days", 0, 365);
  if (parsed.has("locale")) s.locale = *parsed.get("locale");
  if (const auto problem = store::settingsProblem(s); !problem.empty()) {
    throw util::UsageError(problem);
  }
  const auto cfg = loadConfig(parsed);
  const char* kind = dealer ? "dealer" : "customer";
  const std::string name = *parsed.get(kind);
  const auto org = store::PgAdmin(cfg.databaseUri).findOrganisation(kind, name);
  if (!org) {
    throw util::UsageError(std::string("no ") + kind + " named '" + name + "'");
  }
  pqxx::connection conn(cfg.databaseUri.reveal());
  pqxx::work txn(conn);
  const auto change = store::updateOrganisationSettings(txn, org->id, s);
  auth::writeAudit(txn, auth::AuditActor::commandLine(),
                   {org->id, "organisation.update", "organisation", std::to_string(org->id),
                    change.before, change.after, "settings"});
  txn.commit();
  const auto after = nlohmann::json::parse(change.after);
  std::printf("%s '%s': time zone %s, billing day %d, order lead time %d days, language %s\n", kind,
              org->name.c_str(), after["time_zone"].get<std::string>().c_str(),
              after["billing_day"].get<int>(), after["order_lead_days"].get<int>(),
              after["locale"].get<std::string>().c_str());
  return 0;
}

}  // namespace

int orgCommand(std::span<const std::string> args) {
  const std::array<util::OptionSpec, 9> specs = {
      configOption(),
      util::OptionSpec{"dealer", true, "NAME", "add (or set) a dealer"},
      util::OptionSpec{"customer", true, "NAME", "add (or set) a customer (add needs --parent)"},
      util::OptionSpec{"parent", true, "DEALER", "the dealer a new customer belongs to"},
      util::OptionSpec{"time-zone", true, "TZ", "set: IANA time zone (Europe/Berlin)"},
      util::OptionSpec{"billing-day", true, "N", "set: day of the month billing periods start"},
      util::OptionSpec{"lead-days", true, "N", "set: days a toner order takes"},
      util::OptionSpec{"locale", true, "LANG", "set: en, de, fr or it"},
      helpOption()};
  const auto parsed = util::parseArgs(args, specs);
  static constexpr const char* kUsage =
      "openmps-server org add --dealer NAME --config FILE\n"
      "       openmps-server org add --customer NAME --parent DEALER --config FILE\n"
      "       openmps-server org set (--dealer NAME | --customer NAME) [--time-zone TZ]\n"
      "                      [--billing-day N] [--lead-days N] [--locale en|de|fr|it] --config "
      "FILE\n"
      "A new customer starts with its dealer's settings.";
  if (handleHelp(parsed, kUsage, specs)) {
    return 0;
  }
  if (parsed.positional().size() == 1 && parsed.positional().front() == "set") {
    return setSettings(parsed);
  }
  if (parsed.positional().size() != 1 || parsed.positional().front() != "add") {
    throw util::UsageError("expected 'org add' or 'org set'");
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
