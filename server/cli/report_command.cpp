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
#include "server/reports/pg_report_runs.hpp"
#include "server/reports/report_runner.hpp"
#include "shared/util/files.hpp"
#include "shared/util/time_format.hpp"

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
    "       openmps-server report schedule add NAME (--customer NAME | --dealer NAME | --all)\n"
    "                      (--monthly DAY | --weekly WEEKDAY | --daily) [--hour H] [--format F]\n"
    "                      [--locale L] --mail-to ADDRESS [--mail-to ...] [--keep-days N]\n"
    "       openmps-server report schedule list [--customer NAME | --dealer NAME]\n"
    "       openmps-server report schedule remove ID\n"
    "       openmps-server report runs [--customer NAME | --dealer NAME] [--limit N]\n"
    "       openmps-server report download RUN -o FILE\n"
    "Without --from/--to: each customer's last billing period. Without -o: CSV and JSON go to\n"
    "standard output; XLSX and PDF need a file.";

std::vector<util::OptionSpec> specs() {
  return {
      configOption(),
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
      {"monthly", true, "DAY", "schedule: on this day of the month (past its end: the last day)"},
      {"weekly", true, "WEEKDAY", "schedule: on this weekday, 1 Monday .. 7 Sunday"},
      {"daily", false, "", "schedule: every day"},
      {"hour", true, "H", "schedule: at this hour of the organisation's time (default 6)"},
      {"mail-to", true, "ADDRESS", "schedule: mail the report here (repeat for more)"},
      {"keep-days", true, "N", "schedule: keep the files this long for download (default 90)"},
      {"limit", true, "N", "runs: how many (default 20)"},
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

reports::Scope listScope(reports::PgReportSource& source, const util::ParsedArgs& parsed) {
  if (parsed.has("customer")) return source.scopeByName("customer", *parsed.get("customer"));
  if (parsed.has("dealer")) return source.scopeByName("dealer", *parsed.get("dealer"));
  return source.scopeByName("root", "root");
}

std::string when(std::optional<reports::TimePoint> t) {
  return t ? util::formatRfc3339(*t).substr(0, 16) : std::string("-");
}

reports::ScheduleRule ruleOf(const util::ParsedArgs& parsed) {
  const int given =
      int{parsed.has("monthly")} + int{parsed.has("weekly")} + int{parsed.has("daily")};
  if (given != 1) throw util::UsageError("give one of --monthly DAY, --weekly WEEKDAY or --daily");
  reports::ScheduleRule r;
  if (parsed.has("monthly")) {
    r.frequency = reports::Frequency::kMonthly;
    r.day = static_cast<int>(parsed.intOr("monthly", 1, 1, 31));
  } else if (parsed.has("weekly")) {
    r.frequency = reports::Frequency::kWeekly;
    r.day = static_cast<int>(parsed.intOr("weekly", 1, 1, 7));
  } else {
    r.frequency = reports::Frequency::kDaily;
  }
  r.hour = static_cast<int>(parsed.intOr("hour", 6, 0, 23));
  return r;
}

int addSchedule(const std::string& name, const util::ParsedArgs& parsed) {
  const auto request = requestOf(name, parsed);
  if (parsed.has("from"))
    throw util::UsageError("a schedule reports on the time before each run: no --from/--to");
  const auto cfg = loadConfig(parsed);
  pqxx::connection conn(cfg.databaseUri.reveal());
  pqxx::work txn(conn);
  reports::PgReportSource source(txn);
  reports::ScheduleSpec spec;
  spec.organisationId = scopeOf(source, parsed).organisationId;
  spec.report = name;
  spec.format = request.format;
  spec.locale = request.locale;
  spec.rule = ruleOf(parsed);
  spec.recipients = parsed.all("mail-to");
  spec.keepDays = static_cast<int>(parsed.intOr("keep-days", 90, 1, 3650));
  reports::PgReportRuns runs(txn, auth::AuditActor::commandLine());
  const auto id = runs.addSchedule(spec, std::chrono::system_clock::now());
  txn.commit();
  std::printf("report schedule %lld added\n", static_cast<long long>(id));
  return 0;
}

int listSchedules(const util::ParsedArgs& parsed) {
  const auto cfg = loadConfig(parsed);
  pqxx::connection conn(cfg.databaseUri.reveal());
  pqxx::read_transaction txn(conn);
  reports::PgReportSource source(txn);
  reports::PgReportRuns runs(txn, auth::AuditActor::commandLine());
  for (const auto& s : runs.schedules(listScope(source, parsed).organisationId)) {
    std::string to;
    for (const auto& r : s.recipients) to += (to.empty() ? "" : ",") + r;
    std::printf("%-5lld %-22s %-11s %-4s %-7s day %-2d %02d:00  next %s  to %s\n",
                static_cast<long long>(s.id), s.organisation.c_str(), s.report.c_str(),
                s.format.c_str(), reports::toString(s.rule.frequency), s.rule.day, s.rule.hour,
                when(s.nextRunAt).c_str(), to.empty() ? "-" : to.c_str());
  }
  return 0;
}

int removeSchedule(const std::string& id, const util::ParsedArgs& parsed) {
  const auto number = util::parseInt(id);
  if (!number) throw util::UsageError("expected a schedule number, got '" + id + "'");
  const auto cfg = loadConfig(parsed);
  pqxx::connection conn(cfg.databaseUri.reveal());
  pqxx::work txn(conn);
  reports::PgReportRuns(txn, auth::AuditActor::commandLine()).removeSchedule(*number);
  txn.commit();
  std::printf("report schedule %lld removed\n", static_cast<long long>(*number));
  return 0;
}

int listRuns(const util::ParsedArgs& parsed) {
  const auto cfg = loadConfig(parsed);
  pqxx::connection conn(cfg.databaseUri.reveal());
  pqxx::read_transaction txn(conn);
  reports::PgReportSource source(txn);
  reports::PgReportRuns runs(txn, auth::AuditActor::commandLine());
  const auto limit = static_cast<std::size_t>(parsed.intOr("limit", 20, 1, 1000));
  for (const auto& r : runs.runs(listScope(source, parsed).organisationId, limit)) {
    std::printf("%-6lld %-22s %-11s %-4s %-7s due %s  attempts %d  %s%s\n",
                static_cast<long long>(r.id), r.organisation.c_str(), r.report.c_str(),
                r.format.c_str(), r.status.c_str(), when(r.dueAt).c_str(), r.attempts,
                r.hasFile ? r.fileName.c_str() : "(no file)",
                r.lastError.empty() ? "" : ("  error: " + r.lastError).c_str());
  }
  return 0;
}

int download(const std::string& id, const util::ParsedArgs& parsed) {
  const auto number = util::parseInt(id);
  if (!number) throw util::UsageError("expected a run number, got '" + id + "'");
  if (!parsed.has("output")) throw util::UsageError("download needs -o FILE");
  const auto cfg = loadConfig(parsed);
  pqxx::connection conn(cfg.databaseUri.reveal());
  pqxx::read_transaction txn(conn);
  const auto file = reports::PgReportRuns(txn, auth::AuditActor::commandLine()).file(*number);
  if (!file)
    throw util::UsageError("run " + id + " has no file (not made yet, failed, or expired)");
  util::writeFileAtomically(*parsed.get("output"), *file, 0640);
  std::fprintf(stderr, "run %s: %zu bytes written to %s\n", id.c_str(), file->size(),
               parsed.get("output")->c_str());
  return 0;
}

int schedule(const std::vector<std::string>& words, const util::ParsedArgs& parsed) {
  if (words.size() == 3 && words[1] == "add") return addSchedule(words[2], parsed);
  if (words.size() == 2 && words[1] == "list") return listSchedules(parsed);
  if (words.size() == 3 && words[1] == "remove") return removeSchedule(words[2], parsed);
  throw util::UsageError("expected 'report schedule add NAME', 'list' or 'remove ID'");
}

}  // namespace

int reportCommand(std::span<const std::string> rawArgs) {
  const auto args = expandShortOptions(rawArgs);
  const auto options = specs();
  const auto parsed = util::parseArgs(args, options);
  if (handleHelp(parsed, kUsage, options)) {
    return 0;
  }
  const auto& words = parsed.positional();
  if (words.empty()) {
    throw util::UsageError(
        "expected a report name or list, meter-names, duty-cycle, schedule, runs, download");
  }
  const std::string& what = words.front();
  try {
    if (what == "schedule") return schedule(words, parsed);
    if (what == "download" && words.size() == 2) return download(words[1], parsed);
    if (words.size() != 1) throw util::UsageError("unexpected argument '" + words[1] + "'");
    if (what == "runs") return listRuns(parsed);
    if (what == "list") return listReports();
    if (what == "meter-names") return meterNames(parsed);
    if (what == "duty-cycle") return dutyCycle(parsed);
    return generate(what, parsed);
  } catch (const reports::ReportScopeError& e) {
    throw util::UsageError(e.what());
  } catch (const reports::ReportSettingsError& e) {
    throw util::UsageError(e.what());
  } catch (const reports::ScheduleError& e) {
    throw util::UsageError(e.what());
  }
}

}  // namespace openmps::server::cli
