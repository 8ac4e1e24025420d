// Reports over the API: made on demand (the file in the answer, or a run
// made in the background and kept for download), scheduled, and the
// dealer's ERP meter names. Every organisation named must be in the
// caller's subtree (404 otherwise, as for something that does not exist);
// restricted accounts (limited to sites or device groups) get no reports,
// which cover whole organisations.
#include "server/api/report_routes.hpp"

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "server/api/auth_json.hpp"
#include "server/api/json_body.hpp"
#include "server/api/problem.hpp"
#include "server/auth/pg_users.hpp"
#include "server/reports/pg_report_admin.hpp"
#include "server/reports/pg_report_runs.hpp"
#include "server/reports/report_runner.hpp"
#include "shared/util/args.hpp"
#include "shared/util/time_format.hpp"

namespace openmps::server::api {
namespace {

using reports::Format;

std::set<auth::Role> managers() {
  return {auth::Role::kRootAdmin, auth::Role::kDealerAdmin, auth::Role::kCustomerAdmin};
}

[[noreturn]] void badQuery(const std::string& name, const std::string& reason) {
  throw ApiError(400, "invalid-query", name + ": " + reason, {{name, reason}});
}

std::optional<std::string> queryValue(const RequestContext& ctx, const std::string& name) {
  const auto it = ctx.request().query.find(name);
  if (it == ctx.request().query.end()) return std::nullopt;
  return it->second;
}

// The organisation, when it is the caller's or below it; 404 otherwise.
std::int64_t organisationInScope(RequestContext& ctx, std::int64_t id, const std::string& field) {
  const auto org = auth::PgUsers(ctx.txn()).organisation(id);
  const auto& path = org ? org->path : std::vector<std::int64_t>{};
  if (!org || std::find(path.begin(), path.end(), ctx.caller().organisationId) == path.end()) {
    throw ApiError(404, "not-found", field + ": no organisation " + std::to_string(id),
                   {{field, "no such organisation"}});
  }
  return id;
}

std::int64_t queryOrganisation(RequestContext& ctx) {
  const auto text = queryValue(ctx, "organisation_id");
  if (!text) return ctx.caller().organisationId;
  const auto id = util::parseInt(*text);
  if (!id || *id < 1) badQuery("organisation_id", "expected an organisation id");
  return organisationInScope(ctx, *id, "organisation_id");
}

std::optional<meters::LocalDate> dateValue(const std::optional<std::string>& text,
                                           const std::string& name, bool query) {
  if (!text) return std::nullopt;
  const auto d = meters::parseDate(*text);
  if (!d) {
    if (query) badQuery(name, "expected a date YYYY-MM-DD");
    invalidField(name, "expected a date YYYY-MM-DD");
  }
  return d;
}

void checkPeriod(const std::optional<meters::LocalDate>& from,
                 const std::optional<meters::LocalDate>& to, bool query) {
  const auto fail = [&](const std::string& name, const std::string& reason) {
    if (query) badQuery(name, reason);
    invalidField(name, reason);
  };
  if (from.has_value() != to.has_value())
    fail(from ? "to" : "from", "give both from and to, or neither");
  if (from && *to < *from) fail("to", "is before from");
  if (from && meters::startOfDay("UTC", *to) - meters::startOfDay("UTC", *from) >
                  std::chrono::hours{24 * 366 * 3}) {
    fail("to", "the period is longer than three years");
  }
}

Format formatValue(const std::optional<std::string>& text, bool query) {
  const auto f = reports::parseFormat(text.value_or("json"));
  if (!f) {
    if (query) badQuery("format", "expected csv, xlsx, pdf or json");
    invalidField("format", "expected csv, xlsx, pdf or json");
  }
  return *f;
}

std::optional<reports::Locale> localeValue(const std::optional<std::string>& text, bool query) {
  if (!text) return std::nullopt;
  const auto l = reports::parseLocale(*text);
  if (!l || text->size() != 2) {
    if (query) badQuery("locale", "expected en, de, fr or it");
    invalidField("locale", "expected en, de, fr or it");
  }
  return l;
}

void requireReport(const std::string& name) {
  if (!reports::isReport(name)) throw ApiError(404, "not-found", "no report named '" + name + "'");
}

nlohmann::json optionalTime(const std::optional<reports::TimePoint>& t) {
  return t ? nlohmann::json(util::formatRfc3339(*t)) : nlohmann::json(nullptr);
}

nlohmann::json runJson(const reports::RunRow& r) {
  return {
      {"id", r.id},
      {"schedule_id", r.scheduleId ? nlohmann::json(*r.scheduleId) : nlohmann::json(nullptr)},
      {"organisation_id", r.organisationId},
      {"organisation_name", r.organisation},
      {"report", r.report},
      {"format", r.format},
      {"status", r.status},
      {"attempts", r.attempts},
      {"last_error", r.lastError.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.lastError)},
      {"file_name", r.hasFile ? nlohmann::json(r.fileName) : nlohmann::json(nullptr)},
      {"rows", r.rows ? nlohmann::json(*r.rows) : nlohmann::json(nullptr)},
      {"due_at", util::formatRfc3339(r.dueAt)},
      {"finished_at", optionalTime(r.finishedAt)},
      {"expires_at", optionalTime(r.expiresAt)},
      {"has_file", r.hasFile}};
}

nlohmann::json scheduleJson(const reports::ScheduleRow& s) {
  return {{"id", s.id},
          {"organisation_id", s.organisationId},
          {"organisation_name", s.organisation},
          {"report", s.report},
          {"format", s.format},
          {"locale", s.locale.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.locale)},
          {"frequency", reports::toString(s.rule.frequency)},
          {"day", s.rule.day},
          {"hour", s.rule.hour},
          {"recipients", s.recipients},
          {"keep_days", s.keepDays},
          {"enabled", s.enabled},
          {"next_run_at", util::formatRfc3339(s.nextRunAt)}};
}

ApiResponse fileResponse(std::string bytes, const std::string& contentType,
                         const std::string& fileName) {
  ApiResponse r;
  r.status = 200;
  r.contentType = contentType;
  r.body = std::move(bytes);
  r.set("Content-Disposition", "attachment; filename=\"" + fileName + "\"");
  r.set("Cache-Control", "no-store");
  return r;
}

// ---- on demand --------------------------------------------------------------

ApiResponse listReports(RequestContext&) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& r : reports::reportCatalog()) {
    items.push_back({{"name", r.name},
                     {"description", r.description},
                     {"formats", {"csv", "xlsx", "pdf", "json"}}});
  }
  return json(200, {{"items", items}});
}

ApiResponse getReport(RequestContext& ctx, const util::Clock& clock) {
  const std::string name = ctx.param("name");
  requireReport(name);
  reports::ReportRequest r;
  r.report = name;
  r.format = formatValue(queryValue(ctx, "format"), true);
  r.locale = localeValue(queryValue(ctx, "locale"), true);
  r.period.from = dateValue(queryValue(ctx, "from"), "from", true);
  r.period.to = dateValue(queryValue(ctx, "to"), "to", true);
  checkPeriod(r.period.from, r.period.to, true);
  r.period.now = clock.now();
  r.csv.byteOrderMark = queryValue(ctx, "bom").value_or("false") == "true";
  if (!r.locale && !ctx.caller().locale.empty())
    r.locale = reports::parseLocale(ctx.caller().locale);
  const std::int64_t organisation = queryOrganisation(ctx);
  reports::PgReportSource source(ctx.txn());
  auto file = reports::runReport(ctx.txn(), source.scopeById(organisation), r);
  return fileResponse(std::move(file.bytes), file.contentType, file.fileName);
}

// ---- runs kept for download ------------------------------------------------------

reports::PgReportRuns runsOf(RequestContext& ctx) {
  return reports::PgReportRuns(ctx.txn(), auth::AuditActor::of(ctx.caller(), ctx.request().peer));
}

reports::RunRow runInScope(RequestContext& ctx) {
  const std::int64_t id = ctx.idParam("id");
  const auto run = runsOf(ctx).run(id);
  if (!run) throw ApiError(404, "not-found", "no report run " + std::to_string(id));
  organisationInScope(ctx, run->organisationId, "id");
  return *run;
}

ApiResponse listRuns(RequestContext& ctx) {
  const Page page = pageOf(ctx.request());
  const auto rows =
      runsOf(ctx).runs(queryOrganisation(ctx), static_cast<std::size_t>(page.limit), page.after);
  nlohmann::json items = nlohmann::json::array();
  for (const auto& r : rows) items.push_back(runJson(r));
  return json(200, pageJson(std::move(items), static_cast<std::size_t>(page.limit),
                            rows.empty() ? 0 : rows.back().id));
}

ApiResponse createRun(RequestContext& ctx, const util::Clock& clock) {
  const JsonBody body(ctx.request(),
                      {"report", "organisation_id", "format", "locale", "from", "to"});
  const auto& f = body.fields();
  const std::string report = f.requireString("report", 40);
  if (!reports::isReport(report)) invalidField("report", "no report named '" + report + "'");
  const auto organisation =
      f.find("organisation_id")
          ? organisationInScope(ctx, f.requireInt("organisation_id", 1, INT64_MAX),
                                "organisation_id")
          : ctx.caller().organisationId;
  const Format format = formatValue(
      f.find("format") ? std::optional(f.requireString("format", 10)) : std::nullopt, false);
  const auto locale = localeValue(
      f.find("locale") ? std::optional(f.requireString("locale", 10)) : std::nullopt, false);
  const auto from = dateValue(
      f.find("from") ? std::optional(f.requireString("from", 10)) : std::nullopt, "from", false);
  const auto to = dateValue(f.find("to") ? std::optional(f.requireString("to", 10)) : std::nullopt,
                            "to", false);
  checkPeriod(from, to, false);
  auto runs = runsOf(ctx);
  const auto requester =
      ctx.caller().userId > 0 ? std::optional(ctx.caller().userId) : std::nullopt;
  const auto id =
      runs.requestRun(organisation, report, format, locale, from, to, requester, clock.now());
  ApiResponse r = json(202, runJson(*runs.run(id)));
  r.set("Location", "/api/v1/report-runs/" + std::to_string(id));
  return r;
}

ApiResponse getRun(RequestContext& ctx) {
  return json(200, runJson(runInScope(ctx)));
}

ApiResponse getRunFile(RequestContext& ctx) {
  const auto run = runInScope(ctx);
  auto file = runsOf(ctx).file(run.id);
  if (!file) {
    throw ApiError(409, "no-file",
                   "report run " + std::to_string(run.id) + " has no file (" + run.status +
                       (run.hasFile ? "" : ", or expired") + ")");
  }
  return fileResponse(std::move(*file), run.contentType, run.fileName);
}

// ---- schedules -----------------------------------------------------------------

ApiResponse listSchedules(RequestContext& ctx) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& s : runsOf(ctx).schedules(queryOrganisation(ctx)))
    items.push_back(scheduleJson(s));
  return json(200, {{"items", items}});
}

std::vector<std::string> recipientsOf(const JsonBody& body) {
  std::vector<std::string> out;
  const auto list = body.fields().requireArray("recipients", 50);
  const util::JsonPath path(body.fields().path(), "recipients");
  std::size_t i = 0;
  for (const util::JsonValue v : list) {
    out.push_back(util::stringAt(v, util::JsonPath(path, i++), 254));
  }
  return out;
}

ApiResponse createSchedule(RequestContext& ctx, const util::Clock& clock) {
  const JsonBody body(ctx.request(), {"report", "organisation_id", "format", "locale", "frequency",
                                      "day", "hour", "recipients", "keep_days"});
  const auto& f = body.fields();
  reports::ScheduleSpec spec;
  spec.report = f.requireString("report", 40);
  if (!reports::isReport(spec.report))
    invalidField("report", "no report named '" + spec.report + "'");
  spec.organisationId =
      f.find("organisation_id")
          ? organisationInScope(ctx, f.requireInt("organisation_id", 1, INT64_MAX),
                                "organisation_id")
          : ctx.caller().organisationId;
  if (ctx.caller().userId > 0) spec.ownerUserId = ctx.caller().userId;
  spec.format = formatValue(
      f.find("format") ? std::optional(f.requireString("format", 10)) : std::nullopt, false);
  spec.locale = localeValue(
      f.find("locale") ? std::optional(f.requireString("locale", 10)) : std::nullopt, false);
  const auto frequency = reports::parseFrequency(f.requireString("frequency", 10));
  if (!frequency) invalidField("frequency", "expected monthly, weekly or daily");
  spec.rule.frequency = *frequency;
  spec.rule.day = static_cast<int>(f.optionalInt("day", 1, 31).value_or(1));
  spec.rule.hour = static_cast<int>(f.optionalInt("hour", 0, 23).value_or(6));
  if (const auto problem = reports::ruleProblem(spec.rule); !problem.empty())
    invalidField("day", problem);
  spec.recipients = recipientsOf(body);
  spec.keepDays = static_cast<int>(f.optionalInt("keep_days", 1, 3650).value_or(90));
  auto runs = runsOf(ctx);
  std::int64_t id = 0;
  try {
    id = runs.addSchedule(spec, clock.now());
  } catch (const reports::ScheduleError& e) {
    invalidField("recipients", e.what());
  }
  for (const auto& s : runs.schedules(spec.organisationId)) {
    if (s.id == id) {
      ApiResponse r = json(201, scheduleJson(s));
      r.set("Location", "/api/v1/report-schedules/" + std::to_string(id));
      return r;
    }
  }
  throw ApiError(500, "internal", "the new schedule is not there");
}

// The schedule as it is: the base a change is laid over.
reports::ScheduleSpec specOf(const reports::ScheduleRow& s) {
  reports::ScheduleSpec spec;
  spec.organisationId = s.organisationId;
  spec.report = s.report;
  spec.format = formatValue(s.format, false);
  spec.locale = s.locale.empty() ? std::nullopt : localeValue(s.locale, false);
  spec.rule = s.rule;
  spec.recipients = s.recipients;
  spec.keepDays = s.keepDays;
  return spec;
}

// Members a change names replace the schedule's; the others stay.
void applyChange(const JsonBody& body, reports::ScheduleSpec& spec) {
  const auto& f = body.fields();
  if (f.find("report")) {
    spec.report = f.requireString("report", 40);
    if (!reports::isReport(spec.report))
      invalidField("report", "no report named '" + spec.report + "'");
  }
  if (f.find("format")) spec.format = formatValue(f.requireString("format", 10), false);
  if (f.find("locale")) spec.locale = localeValue(f.requireString("locale", 10), false);
  if (f.find("frequency")) {
    const auto frequency = reports::parseFrequency(f.requireString("frequency", 10));
    if (!frequency) invalidField("frequency", "expected monthly, weekly or daily");
    spec.rule.frequency = *frequency;
  }
  if (const auto day = f.optionalInt("day", 1, 31)) spec.rule.day = static_cast<int>(*day);
  if (const auto hour = f.optionalInt("hour", 0, 23)) spec.rule.hour = static_cast<int>(*hour);
  if (const auto problem = reports::ruleProblem(spec.rule); !problem.empty())
    invalidField("day", problem);
  if (f.find("recipients")) spec.recipients = recipientsOf(body);
  if (const auto keep = f.optionalInt("keep_days", 1, 3650))
    spec.keepDays = static_cast<int>(*keep);
}

ApiResponse updateSchedule(RequestContext& ctx, const util::Clock& clock) {
  const std::int64_t id = ctx.idParam("id");
  const JsonBody body(ctx.request(), {"report", "format", "locale", "frequency", "day", "hour",
                                      "recipients", "keep_days"});
  auto runs = runsOf(ctx);
  std::optional<reports::ScheduleSpec> spec;
  for (const auto& s : runs.schedules(ctx.caller().organisationId))
    if (s.id == id) spec = specOf(s);
  if (!spec) throw ApiError(404, "not-found", "no report schedule " + std::to_string(id));
  applyChange(body, *spec);
  try {
    runs.changeSchedule(id, *spec, clock.now());
  } catch (const reports::ScheduleError& e) {
    invalidField("recipients", e.what());
  }
  for (const auto& s : runs.schedules(spec->organisationId))
    if (s.id == id) return json(200, scheduleJson(s));
  throw ApiError(500, "internal", "the changed schedule is not there");
}

ApiResponse deleteSchedule(RequestContext& ctx) {
  const std::int64_t id = ctx.idParam("id");
  auto runs = runsOf(ctx);
  bool found = false;
  for (const auto& s : runs.schedules(ctx.caller().organisationId)) found = found || s.id == id;
  if (!found) throw ApiError(404, "not-found", "no report schedule " + std::to_string(id));
  runs.removeSchedule(id);
  return noContent();
}

// ---- ERP meter names ------------------------------------------------------------------

std::int64_t dealerInScope(RequestContext& ctx) {
  const std::int64_t id = ctx.idParam("id");
  const auto org = auth::PgUsers(ctx.txn()).organisation(id);
  const auto& path = org ? org->path : std::vector<std::int64_t>{};
  if (!org || org->kind != "dealer" ||
      std::find(path.begin(), path.end(), ctx.caller().organisationId) == path.end()) {
    throw ApiError(404, "not-found", "no dealer " + std::to_string(id));
  }
  return id;
}

ApiResponse getMeterNames(RequestContext& ctx) {
  const auto dealer = dealerInScope(ctx);
  reports::PgReportAdmin admin(ctx.txn(), auth::AuditActor::of(ctx.caller(), ctx.request().peer));
  return json(200, {{"names", admin.meterNames(dealer)}});
}

ApiResponse putMeterNames(RequestContext& ctx) {
  const auto dealer = dealerInScope(ctx);
  const JsonBody body(ctx.request(), {"names"});
  const auto names = body.fields().requireObject("names");
  reports::PgReportAdmin admin(ctx.txn(), auth::AuditActor::of(ctx.caller(), ctx.request().peer));
  std::map<std::string, std::string> wanted;
  const util::JsonPath path(body.fields().path(), "names");
  for (const util::JsonValue member : names) {
    const std::string counter(member.key());
    wanted[counter] = util::stringAt(member, util::JsonPath(path, member.key()), 64);
  }
  if (wanted.size() > 64) invalidField("names", "at most 64 meters");
  try {
    for (const auto& [counter, erp] : admin.meterNames(dealer)) {
      if (!wanted.contains(counter)) admin.removeMeterName(dealer, counter);
    }
    for (const auto& [counter, erp] : wanted) {
      const auto current = admin.meterNames(dealer);
      const auto it = current.find(counter);
      if (it == current.end() || it->second != erp) admin.setMeterName(dealer, counter, erp);
    }
  } catch (const reports::ReportSettingsError& e) {
    invalidField("names", e.what());
  }
  return json(200, {{"names", admin.meterNames(dealer)}});
}

// The monthly duty cycles (pages a month a model is built for) the usage
// report compares with: one list for the whole server, like the command
// line's `report duty-cycle`.
nlohmann::json dutyCyclesJson(reports::PgReportAdmin& admin) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& [model, pages] : admin.dutyCycles()) {
    items.push_back({{"model", model}, {"monthly_pages", pages}});
  }
  return {{"items", std::move(items)}};
}

ApiResponse listDutyCycles(RequestContext& ctx) {
  reports::PgReportAdmin admin(ctx.txn(), auth::AuditActor::of(ctx.caller(), ctx.request().peer));
  return json(200, dutyCyclesJson(admin));
}

ApiResponse setDutyCycle(RequestContext& ctx) {
  const JsonBody body(ctx.request(), {"model", "monthly_pages"});
  const auto model = body.fields().requireString("model", 200);
  const auto pages = body.fields().requireInt("monthly_pages", 0, 10'000'000);
  reports::PgReportAdmin admin(ctx.txn(), auth::AuditActor::of(ctx.caller(), ctx.request().peer));
  try {
    admin.setDutyCycle(model, pages);
  } catch (const reports::ReportSettingsError& e) {
    invalidField("model", e.what());
  }
  return json(200, dutyCyclesJson(admin));
}

}  // namespace

void registerReportRoutes(Router& router, const util::Clock& clock) {
  // Every report covers whole organisations: an account restricted to sites
  // or device groups gets none (and no Reports page in the portal).
  router.add({"listReports",
              "GET",
              "/api/v1/reports",
              Access::kSignedIn,
              {},
              [](RequestContext& ctx) { return listReports(ctx); },
              Scope::kCaller,
              true});
  router.add({"getReport",
              "GET",
              "/api/v1/reports/{name}",
              Access::kSignedIn,
              {},
              [&clock](RequestContext& ctx) { return getReport(ctx, clock); },
              Scope::kCaller,
              true});
  router.add({"listReportRuns",
              "GET",
              "/api/v1/report-runs",
              Access::kSignedIn,
              {},
              [](RequestContext& ctx) { return listRuns(ctx); },
              Scope::kCaller,
              true});
  router.add({"createReportRun",
              "POST",
              "/api/v1/report-runs",
              Access::kSignedIn,
              {},
              [&clock](RequestContext& ctx) { return createRun(ctx, clock); },
              Scope::kCaller,
              true});
  router.add({"getReportRun",
              "GET",
              "/api/v1/report-runs/{id}",
              Access::kSignedIn,
              {},
              [](RequestContext& ctx) { return getRun(ctx); },
              Scope::kCaller,
              true});
  router.add({"downloadReportRun",
              "GET",
              "/api/v1/report-runs/{id}/file",
              Access::kSignedIn,
              {},
              [](RequestContext& ctx) { return getRunFile(ctx); },
              Scope::kCaller,
              true});
  router.add({"listReportSchedules",
              "GET",
              "/api/v1/report-schedules",
              Access::kSignedIn,
              {},
              [](RequestContext& ctx) { return listSchedules(ctx); },
              Scope::kCaller,
              true});
  router.add({"createReportSchedule", "POST", "/api/v1/report-schedules", Access::kSignedIn,
              managers(), [&clock](RequestContext& ctx) { return createSchedule(ctx, clock); },
              Scope::kCaller, true});
  router.add({"updateReportSchedule", "PATCH", "/api/v1/report-schedules/{id}", Access::kSignedIn,
              managers(), [&clock](RequestContext& ctx) { return updateSchedule(ctx, clock); },
              Scope::kCaller, true});
  router.add({"deleteReportSchedule", "DELETE", "/api/v1/report-schedules/{id}", Access::kSignedIn,
              managers(), [](RequestContext& ctx) { return deleteSchedule(ctx); }, Scope::kCaller,
              true});
  router.add({"getMeterNames",
              "GET",
              "/api/v1/dealers/{id}/meter-names",
              Access::kSignedIn,
              {auth::Role::kRootAdmin, auth::Role::kDealerAdmin, auth::Role::kDealerTechnician},
              [](RequestContext& ctx) { return getMeterNames(ctx); }});
  router.add({"putMeterNames",
              "PUT",
              "/api/v1/dealers/{id}/meter-names",
              Access::kSignedIn,
              {auth::Role::kRootAdmin, auth::Role::kDealerAdmin},
              [](RequestContext& ctx) { return putMeterNames(ctx); }});
  router.add({"listDutyCycles",
              "GET",
              "/api/v1/duty-cycles",
              Access::kSignedIn,
              {},
              [](RequestContext& ctx) { return listDutyCycles(ctx); }});
  // The list is the server's, not a tenant's: only the root admin changes
  // it, as the owner (the API role may only read it).
  router.add({"setDutyCycle",
              "POST",
              "/api/v1/duty-cycles",
              Access::kSignedIn,
              {auth::Role::kRootAdmin},
              [](RequestContext& ctx) { return setDutyCycle(ctx); },
              Scope::kOwner});
}

}  // namespace openmps::server::api
