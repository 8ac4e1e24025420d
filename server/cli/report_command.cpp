// openmps-server report NAME (--customer NAME | --dealer NAME | --all) [--from D --to D]
//                [--format csv|xlsx|pdf|json] [--locale L] [--bom] [-o FILE]
// openmps-server report list | meter-names | duty-cycle
// Reports on demand at the command line (the operator: the whole tree is
// theirs to read); the settings that shape them, audited as cli:<login>.
#include <array>
#include <cstdio>
#include <iostream>

#include <pqxx/pqxx>

#include "server/auth/audit.hpp"
#include "server/cli/cli_support.hpp"
#include "server/cli/commands.hpp"
#include "server/reports/pg_report_admin.hpp"
#include "server/reports/report_runner.hpp"
#include "shared/util/files.hpp"

namespace openmps::server::cli {
namespace {

constexpr const char* kUsage =
    "openmps-server report NAME (--customer NAME | --dealer NAME | --all) [--from YYYY-MM-DD\n"
    "                      --to YYYY-MM-DD] [--format csv|xlsx|pdf|json] [--locale en|de|fr|it]\n"
    "                      [--bom] [-o FILE] --config FILE\n"
    "       openmps-server report list\n"
    "       openmps-server report meter-names --dealer NAME [--set METER=NAME ...] [--unset METER "
    "...]\n"
    "       openmps-server report duty-cycle [--model MODEL --pages N] --config FILE\n"
    "Without --from/--to: each customer's last billing period. Without -o: CSV and JSON go to\n"
    "standard output; XLSX and PDF need a file.";

std::vector<util::OptionSpec> specs() {
  return {configOption(),
          {"customer", true, "NAME", "a customer's report"},
          {"dealer", true, "NAME", "a dealer's report (all its customers)"},
          {"all", false, "", "every customer"},
          {"from", true, "YYYY-MM-DD", "first day (each customer's local time)"},
          {"to", true, "YYYY-MM-DD", "last day, inclusive"},
          {"format", true, "FORMAT", "csv, xlsx, pdf or json (default xlsx)"},
          {"locale", true, "LANG", "en, de, fr or it (default: the organisation's)"},
          {"bom", false, "", "CSV: start with a UTF-8 byte order mark (for Excel)"},
          {"output", true, "FILE", "write here (also -o FILE)"},
          {"set", true, "METER=NAME", "meter-names: the dealer's ERP name for a meter"},
          {"unset", true, "METER", "meter-names: remove the dealer's name for a meter"},
          {"model", true, "MODEL", "duty-cycle: the model as devices report it"},
          {"pages", true, "N", "duty-cycle: pages a month (0 removes it)"},
          helpOption()};
}

// "-o FILE" is --output: the one short option, as people type it.
std::vector<std::string> expandShortOptions(std::span<const std::string> args) {
  std::vector<std::string> out;
  for (const auto& a : args) {
    out.push_back(a == "-o" ? "--output" : a);
  }
  return out;
}

reports::Scope scopeOf(reports::PgReportSource& source, const util::ParsedArgs& parsed) {
  const int given =
      int{parsed.has("customer")} + int{parsed.has("dealer")} + int{parsed.has("all")};
  if (given != 1) {
    throw util::UsageError("give exactly one of --customer NAME, --dealer NAME or --all");
  }
  if (parsed.has("customer")) return source.scopeByName("customer", *parsed.get("customer"));
  if (parsed.has("dealer")) return source.scopeByName("dealer", *parsed.get("dealer"));
  return source.scopeByName("root", "root");
}

meters::LocalDate dateOption(const util::ParsedArgs& parsed, const char* name) {
  const auto d = meters::parseDate(*parsed.get(name));
  if (!d) {
    throw util::UsageError(std::string("--") + name + ": expected a date YYYY-MM-DD, got '" +
                           *parsed.get(name) + "'");
  }
  return *d;
}

reports::ReportRequest requestOf(const std::string& name, const util::ParsedArgs& parsed) {
  if (!reports::isReport(name)) {
    throw util::UsageError("no report named '" + name + "' (openmps-server report list)");
  }
  reports::ReportRequest r;
  r.report = name;
  r.period.now = std::chrono::system_clock::now();
  if (parsed.has("from") != parsed.has("to")) {
    throw util::UsageError("give both --from and --to, or neither");
  }
  if (parsed.has("from")) {
    r.period.from = dateOption(parsed, "from");
    r.period.to = dateOption(parsed, "to");
    if (*r.period.to < *r.period.from) {
      throw util::UsageError("--to is before --from");
    }
    if (meters::startOfDay("UTC", *r.period.to) - meters::startOfDay("UTC", *r.period.from) >
        std::chrono::hours{24 * 366 * 3}) {
      throw util::UsageError("the period is longer than three years");
    }
  }
  const std::string format = parsed.getOr("format", "xlsx");
  const auto f = reports::parseFormat(format);
  if (!f) throw util::UsageError("--format: expected csv, xlsx, pdf or json, got '" + format + "'");
  r.format = *f;
  if (parsed.has("locale")) {
    r.locale = reports::parseLocale(*parsed.get("locale"));
    if (!r.locale) throw util::UsageError("--locale: expected en, de, fr or it");
  }
  r.csv.byteOrderMark = parsed.has("bom");
  return r;
}

int generate(const std::string& name, const util::ParsedArgs& parsed) {
  auto request = requestOf(name, parsed);
  if (!parsed.has("output") &&
      (request.format == reports::Format::kXlsx || request.format == reports::Format::kPdf)) {
    throw util::UsageError(std::string(reports::toString(request.format)) + " needs -o FILE");
  }
  const auto cfg = loadConfig(parsed);
  pqxx::connection conn(cfg.databaseUri.reveal());
  // One snapshot for the whole report: every table sees the same data.
  pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> txn(conn);
  reports::PgReportSource source(txn);
  const auto scope = scopeOf(source, parsed);
  const auto file = reports::runReport(txn, scope, request);
  txn.commit();
  if (parsed.has("output")) {
    util::writeFileAtomically(*parsed.get("output"), file.bytes, 0640);
    std::fprintf(stderr, "%s: %zu rows, %s to %s, written to %s\n", name.c_str(), file.rows,
                 meters::formatDate(file.from).c_str(), meters::formatDate(file.to).c_str(),
                 parsed.get("output")->c_str());
  } else {
    std::fwrite(file.bytes.data(), 1, file.bytes.size(), stdout);
  }
  return 0;
}

int listReports() {
  for (const auto& r : reports::reportCatalog()) {
    std::printf("%-12s %s\n", r.name, r.description);
  }
  return 0;
}

std::int64_t dealerId(pqxx::transaction_base& txn, const util::ParsedArgs& parsed) {
  if (!parsed.has("dealer")) throw util::UsageError("meter-names needs --dealer NAME");
  reports::PgReportSource source(txn);
  return source.scopeByName("dealer", *parsed.get("dealer")).organisationId;
}

int meterNames(const util::ParsedArgs& parsed) {
  const auto cfg = loadConfig(parsed);
  pqxx::connection conn(cfg.databaseUri.reveal());
  pqxx::work txn(conn);
  const auto dealer = dealerId(txn, parsed);
  reports::PgReportAdmin admin(txn, auth::AuditActor::commandLine());
  for (const auto& assignment : parsed.all("set")) {
    const auto eq = assignment.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw util::UsageError("--set: expected METER=NAME, got '" + assignment + "'");
    }
    admin.setMeterName(dealer, assignment.substr(0, eq), assignment.substr(eq + 1));
  }
  for (const auto& counter : parsed.all("unset")) {
    admin.removeMeterName(dealer, counter);
  }
  const auto names = admin.meterNames(dealer);
  txn.commit();
  if (names.empty()) {
    std::printf(
        "no ERP meter names: the import layout uses the counter names (total, mono, ...)\n");
  }
  for (const auto& [counter, erp] : names) {
    std::printf("%-14s %s\n", counter.c_str(), erp.c_str());
  }
  return 0;
}

int dutyCycle(const util::ParsedArgs& parsed) {
  if (parsed.has("model") != parsed.has("pages")) {
    throw util::UsageError("give --model MODEL and --pages N together");
  }
  const auto cfg = loadConfig(parsed);
  pqxx::connection conn(cfg.databaseUri.reveal());
  pqxx::work txn(conn);
  reports::PgReportAdmin admin(txn, auth::AuditActor::commandLine());
  if (parsed.has("model")) {
    admin.setDutyCycle(*parsed.get("model"), parsed.intOr("pages", 0, 0, 10'000'000));
  }
  const auto cycles = admin.dutyCycles();
  txn.commit();
  for (const auto& [model, pages] : cycles) {
    std::printf("%-40s %lld\n", model.c_str(), static_cast<long long>(pages));
  }
  return 0;
}

}  // namespace

int reportCommand(std::span<const std::string> rawArgs) {
  const auto args = expandShortOptions(rawArgs);
  const auto options = specs();
  const auto parsed = util::parseArgs(args, options);
  if (handleHelp(parsed, kUsage, options)) {
    return 0;
  }
  if (parsed.positional().size() != 1) {
    throw util::UsageError("expected one report name or list, meter-names, duty-cycle");
  }
  const std::string& what = parsed.positional().front();
  try {
    if (what == "list") return listReports();
    if (what == "meter-names") return meterNames(parsed);
    if (what == "duty-cycle") return dutyCycle(parsed);
    return generate(what, parsed);
  } catch (const reports::ReportScopeError& e) {
    throw util::UsageError(e.what());
  } catch (const reports::ReportSettingsError& e) {
    throw util::UsageError(e.what());
  }
}

}  // namespace openmps::server::cli
