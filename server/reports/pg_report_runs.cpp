#include "server/reports/pg_report_runs.hpp"

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "server/auth/pg_audit_log.hpp"
#include "server/store/pg_array.hpp"
#include "shared/util/log.hpp"
#include "shared/util/time_format.hpp"

namespace openmps::server::reports {
namespace {

struct Statement {
  const char* name;
  const char* sql;
};

constexpr int kMaxRecipients = 50;
constexpr int kMaxCatchUp = 24;

constexpr Statement kOrganisationZone = {"runs_organisation_zone",
                                         "SELECT time_zone FROM organisations WHERE id = $1"};
constexpr Statement kAddSchedule = {
    "runs_add_schedule",
    "INSERT INTO report_schedules (organisation_id, owner_user_id, report, format, locale, "
    "frequency, "
    "day, hour, recipients, keep_days, next_run_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
    "$9::text[], $10, $11) RETURNING id"};
constexpr Statement kRemoveSchedule = {"runs_remove_schedule",
                                       "DELETE FROM report_schedules WHERE id = $1 RETURNING "
                                       "organisation_id, report, format, frequency"};
constexpr Statement kChangeSchedule = {
    "runs_change_schedule",
    "WITH old AS (SELECT id, report, format, coalesce(locale, '') AS locale, frequency, day, hour,"
    " recipients, keep_days FROM report_schedules WHERE id = $1 FOR UPDATE)"
    " UPDATE report_schedules s SET report = $2, format = $3, locale = $4, frequency = $5,"
    " day = $6, hour = $7, recipients = $8::text[], keep_days = $9, next_run_at = $10"
    " FROM old WHERE s.id = old.id RETURNING s.organisation_id, old.report, old.format,"
    " old.locale, old.frequency, old.day, old.hour, old.recipients, old.keep_days"};
constexpr Statement kSchedules = {
    "runs_schedules",
    "SELECT s.id, s.organisation_id, o.name, s.report, s.format, coalesce(s.locale, ''), "
    "s.frequency, "
    "s.day, s.hour, s.recipients, s.keep_days, s.enabled, "
    "(extract(epoch FROM s.next_run_at) * 1000)::bigint "
    "FROM report_schedules s JOIN organisations o ON o.id = s.organisation_id "
    "WHERE o.path @> ARRAY[$1::bigint] ORDER BY s.id"};
constexpr Statement kRequestRun = {
    "runs_request",
    "INSERT INTO report_runs (organisation_id, requested_by, report, format, locale, period_from, "
    "period_to, due_at, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6::date, $7::date, $8, $8) "
    "RETURNING id"};

#define OPENMPS_RUN_COLUMNS                                                                       \
  "r.id, r.schedule_id, r.organisation_id, o.name, r.report, r.format, r.status, r.attempts, "    \
  "coalesce(r.last_error, ''), coalesce(r.file_name, ''), coalesce(r.content_type, ''), r.rows, " \
  "(extract(epoch FROM r.due_at) * 1000)::bigint, (extract(epoch FROM r.finished_at) * "          \
  "1000)::bigint, "                                                                               \
  "(extract(epoch FROM r.expires_at) * 1000)::bigint, r.file IS NOT NULL "

constexpr Statement kRuns = {
    "runs_list",
    "SELECT " OPENMPS_RUN_COLUMNS
    "FROM report_runs r JOIN organisations o ON o.id = r.organisation_id "
    "WHERE o.path @> ARRAY[$1::bigint] AND ($3 = 0 OR r.id < $3) ORDER BY r.id DESC LIMIT $2"};
constexpr Statement kRun = {"runs_one",
                            "SELECT " OPENMPS_RUN_COLUMNS
                            "FROM report_runs r JOIN organisations o ON o.id = r.organisation_id "
                            "WHERE r.id = $1"};
constexpr Statement kFile = {"runs_file",
                             "SELECT file FROM report_runs WHERE id = $1 AND file IS NOT NULL"};
constexpr Statement kDueSchedules = {
    "runs_due_schedules",
    "SELECT s.id, s.organisation_id, s.owner_user_id, s.report, s.format, s.locale, s.frequency, "
    "s.day, s.hour, (extract(epoch FROM s.next_run_at) * 1000)::bigint, o.time_zone "
    "FROM report_schedules s JOIN organisations o ON o.id = s.organisation_id "
    "WHERE s.enabled AND s.next_run_at <= $1 ORDER BY s.id FOR UPDATE OF s SKIP LOCKED"};
constexpr Statement kScheduledRun = {
    "runs_scheduled",
    "INSERT INTO report_runs (schedule_id, organisation_id, requested_by, report, format, locale, "
    "period_from, period_to, due_at, next_attempt_at) "
    "VALUES ($1, $2, nullif($3, 0), $4, $5, nullif($6, ''), nullif($7, '')::date, "
    "nullif($8, '')::date, $9, $9) ON CONFLICT (schedule_id, due_at) DO NOTHING"};
constexpr Statement kAdvance = {"runs_advance",
                                "UPDATE report_schedules SET next_run_at = $2 WHERE id = $1"};
constexpr Statement kClaim = {
    "runs_claim", "SELECT " OPENMPS_RUN_COLUMNS
                  ", coalesce(r.locale, o.locale), r.period_from::text, r.period_to::text, "
                  "coalesce(s.recipients, '{}'), coalesce(s.keep_days, 90), "
                  "coalesce(s.owner_user_id, r.requested_by) "
                  "FROM report_runs r JOIN organisations o ON o.id = r.organisation_id "
                  "LEFT JOIN report_schedules s ON s.id = r.schedule_id "
                  "WHERE r.status = 'pending' AND r.next_attempt_at <= $1 "
                  "ORDER BY r.next_attempt_at, r.id LIMIT 1 FOR UPDATE OF r SKIP LOCKED"};
constexpr Statement kComplete = {
    "runs_complete",
    "UPDATE report_runs SET status = 'done', attempts = attempts + 1, file = $2, file_name = $3, "
    "content_type = $4, rows = $5, finished_at = $6, expires_at = $6::timestamptz + "
    "make_interval(days => $7), "
    "last_error = NULL WHERE id = $1"};
constexpr Statement kFail = {
    "runs_fail",
    "UPDATE report_runs SET attempts = attempts + 1, last_error = $2, "
    "status = CASE WHEN $3::timestamptz IS NULL THEN 'failed' ELSE 'pending' END, "
    "next_attempt_at = coalesce($3::timestamptz, next_attempt_at), "
    "finished_at = CASE WHEN $3::timestamptz IS NULL THEN $4::timestamptz END WHERE id = $1"};
constexpr Statement kOwnerScope = {
    "runs_owner_scope",
    "SELECT u.disabled_at IS NULL, u.site_ids = '{}' AND u.device_group_ids = '{}', o.path "
    "FROM users u JOIN organisations o ON o.id = u.organisation_id WHERE u.id = $1"};
constexpr Statement kDropExpired = {
    "runs_drop_expired",
    "UPDATE report_runs SET file = NULL WHERE file IS NOT NULL AND expires_at <= $1"};

template <typename... Args>
pqxx::result exec(pqxx::transaction_base& txn, const Statement& s, Args&&... args) {
  txn.conn().prepare(s.name, s.sql);
  return txn.exec_prepared(s.name, std::forward<Args>(args)...);
}

TimePoint fromMillis(const pqxx::field& f) {
  return TimePoint{std::chrono::milliseconds{f.as<std::int64_t>()}};
}

std::optional<TimePoint> optionalMillis(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return fromMillis(f);
}

std::vector<std::string> textArray(const pqxx::field& f) {
  std::vector<std::string> out;
  auto parser = f.as_array();
  for (auto [kind, value] = parser.get_next(); kind != pqxx::array_parser::juncture::done;
       std::tie(kind, value) = parser.get_next()) {
    if (kind == pqxx::array_parser::juncture::string_value) out.push_back(value);
  }
  return out;
}

RunRow toRun(const pqxx::row& r) {
  RunRow out;
  out.id = r[0].as<std::int64_t>();
  if (!r[1].is_null()) out.scheduleId = r[1].as<std::int64_t>();
  out.organisationId = r[2].as<std::int64_t>();
  out.organisation = r[3].as<std::string>();
  out.report = r[4].as<std::string>();
  out.format = r[5].as<std::string>();
  out.status = r[6].as<std::string>();
  out.attempts = r[7].as<int>();
  out.lastError = r[8].as<std::string>();
  out.fileName = r[9].as<std::string>();
  out.contentType = r[10].as<std::string>();
  if (!r[11].is_null()) out.rows = r[11].as<std::int64_t>();
  out.dueAt = fromMillis(r[12]);
  out.finishedAt = optionalMillis(r[13]);
  out.expiresAt = optionalMillis(r[14]);
  out.hasFile = r[15].as<bool>();
  return out;
}

// What a mail server would take: one address, printable, no separators
// that could smuggle a second recipient or a header.
std::string addressProblem(const std::string& a) {
  const auto at = a.find('@');
  if (a.empty() || a.size() > 254 || at == std::string::npos || at == 0 || at + 1 == a.size() ||
      a.find('@', at + 1) != std::string::npos) {
    return "'" + a.substr(0, 80) + "' is not an e-mail address";
  }
  for (const char c : a) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == ',' || c == ';' || c == '<' || c == '>' || c == '"') {
      return "'" + a.substr(0, 80) + "' is not an e-mail address";
    }
  }
  return {};
}

std::optional<std::string> dateText(const std::optional<meters::LocalDate>& d) {
  if (!d) return std::nullopt;
  return meters::formatDate(*d);
}

}  // namespace

PgReportRuns::PgReportRuns(pqxx::transaction_base& txn, auth::AuditActor actor)
    : txn_(txn), actor_(std::move(actor)) {}

namespace {

// What a person may set on a schedule, checked; the recipients as a
// PostgreSQL array.
store::PgArray checkedRecipients(const ScheduleSpec& s) {
  if (!isReport(s.report)) throw ScheduleError("no report named '" + s.report + "'");
  if (const auto problem = ruleProblem(s.rule); !problem.empty()) throw ScheduleError(problem);
  if (s.keepDays < 1 || s.keepDays > 3650) throw ScheduleError("files are kept 1 to 3650 days");
  if (s.recipients.size() > kMaxRecipients) throw ScheduleError("at most 50 recipients");
  store::PgArray recipients;
  for (const auto& a : s.recipients) {
    if (const auto problem = addressProblem(a); !problem.empty())
      throw ScheduleError("recipient " + problem);
    recipients.add(a);
  }
  return recipients;
}

std::optional<std::string> localeText(const ScheduleSpec& s) {
  return s.locale ? std::optional<std::string>(toString(*s.locale)) : std::nullopt;
}

nlohmann::json auditedSpec(const ScheduleSpec& s) {
  return {{"report", s.report},
          {"format", toString(s.format)},
          {"locale", localeText(s).value_or("")},
          {"frequency", toString(s.rule.frequency)},
          {"day", s.rule.day},
          {"hour", s.rule.hour},
          {"recipients", s.recipients},
          {"keep_days", s.keepDays}};
}

}  // namespace

TimePoint PgReportRuns::nextRunOf(const ScheduleSpec& s, TimePoint now) {
  const auto zone = exec(txn_, kOrganisationZone, s.organisationId);
  if (zone.empty()) throw ScheduleError("no organisation " + std::to_string(s.organisationId));
  return nextRun(s.rule, zone[0][0].as<std::string>(), now);
}

std::int64_t PgReportRuns::addSchedule(const ScheduleSpec& s, TimePoint now) {
  const store::PgArray recipients = checkedRecipients(s);
  const TimePoint next = nextRunOf(s, now);
  const auto id =
      exec(txn_, kAddSchedule, s.organisationId, s.ownerUserId, s.report,
           std::string(toString(s.format)), localeText(s), std::string(toString(s.rule.frequency)),
           s.rule.day, s.rule.hour, recipients.str(), s.keepDays, util::formatRfc3339(next))[0][0]
          .as<std::int64_t>();
  auth::writeAudit(txn_, actor_,
                   {s.organisationId, "report_schedule.create", "report_schedule",
                    std::to_string(id), "", auditedSpec(s).dump(), ""});
  return id;
}

void PgReportRuns::changeSchedule(std::int64_t id, const ScheduleSpec& s, TimePoint now) {
  const store::PgArray recipients = checkedRecipients(s);
  const TimePoint next = nextRunOf(s, now);
  const auto r = exec(txn_, kChangeSchedule, id, s.report, std::string(toString(s.format)),
                      localeText(s), std::string(toString(s.rule.frequency)), s.rule.day,
                      s.rule.hour, recipients.str(), s.keepDays, util::formatRfc3339(next));
  if (r.empty()) throw ScheduleError("no report schedule " + std::to_string(id));
  const nlohmann::json before{{"report", r[0][1].as<std::string>()},
                              {"format", r[0][2].as<std::string>()},
                              {"locale", r[0][3].as<std::string>()},
                              {"frequency", r[0][4].as<std::string>()},
                              {"day", r[0][5].as<int>()},
                              {"hour", r[0][6].as<int>()},
                              {"recipients", textArray(r[0][7])},
                              {"keep_days", r[0][8].as<int>()}};
  auth::writeAudit(txn_, actor_,
                   {r[0][0].as<std::int64_t>(), "report_schedule.update", "report_schedule",
                    std::to_string(id), before.dump(), auditedSpec(s).dump(), ""});
}

void PgReportRuns::removeSchedule(std::int64_t id) {
  const auto r = exec(txn_, kRemoveSchedule, id);
  if (r.empty()) throw ScheduleError("no report schedule " + std::to_string(id));
  const nlohmann::json before{{"report", r[0][1].as<std::string>()},
                              {"format", r[0][2].as<std::string>()},
                              {"frequency", r[0][3].as<std::string>()}};
  auth::writeAudit(txn_, actor_,
                   {r[0][0].as<std::int64_t>(), "report_schedule.delete", "report_schedule",
                    std::to_string(id), before.dump(), "", ""});
}

std::vector<ScheduleRow> PgReportRuns::schedules(std::int64_t scope) {
  std::vector<ScheduleRow> out;
  for (const auto& r : exec(txn_, kSchedules, scope)) {
    ScheduleRow s;
    s.id = r[0].as<std::int64_t>();
    s.organisationId = r[1].as<std::int64_t>();
    s.organisation = r[2].as<std::string>();
    s.report = r[3].as<std::string>();
    s.format = r[4].as<std::string>();
    s.locale = r[5].as<std::string>();
    s.rule = {parseFrequency(r[6].as<std::string>()).value_or(Frequency::kMonthly), r[7].as<int>(),
              r[8].as<int>()};
    s.recipients = textArray(r[9]);
    s.keepDays = r[10].as<int>();
    s.enabled = r[11].as<bool>();
    s.nextRunAt = fromMillis(r[12]);
    out.push_back(std::move(s));
  }
  return out;
}

std::int64_t PgReportRuns::requestRun(std::int64_t organisationId, const std::string& report,
                                      Format format, std::optional<Locale> locale,
                                      std::optional<meters::LocalDate> from,
                                      std::optional<meters::LocalDate> to,
                                      std::optional<std::int64_t> requestedBy, TimePoint now) {
  if (!isReport(report)) throw ScheduleError("no report named '" + report + "'");
  if (from.has_value() != to.has_value()) throw ScheduleError("give both dates or neither");
  const std::optional<std::string> lang =
      locale ? std::optional<std::string>(toString(*locale)) : std::nullopt;
  const auto id =
      exec(txn_, kRequestRun, organisationId, requestedBy, report, std::string(toString(format)),
           lang, dateText(from), dateText(to), util::formatRfc3339(now))[0][0]
          .as<std::int64_t>();
  auth::writeAudit(txn_, actor_,
                   {organisationId, "report_run.create", "report_run", std::to_string(id), "",
                    nlohmann::json{{"report", report}, {"format", toString(format)}}.dump(), ""});
  return id;
}

std::vector<RunRow> PgReportRuns::runs(std::int64_t scope, std::size_t limit, std::int64_t after) {
  std::vector<RunRow> out;
  for (const auto& r : exec(txn_, kRuns, scope, static_cast<std::int64_t>(limit), after)) {
    out.push_back(toRun(r));
  }
  return out;
}

std::optional<RunRow> PgReportRuns::run(std::int64_t id) {
  const auto r = exec(txn_, kRun, id);
  if (r.empty()) return std::nullopt;
  return toRun(r[0]);
}

std::optional<std::string> PgReportRuns::file(std::int64_t id) {
  const auto r = exec(txn_, kFile, id);
  if (r.empty()) return std::nullopt;
  const pqxx::binarystring bytes(r[0][0]);
  return bytes.str();
}

int PgReportRuns::createDueRuns(TimePoint now) {
  int created = 0;
  for (const auto& s : exec(txn_, kDueSchedules, util::formatRfc3339(now))) {
    const auto id = s[0].as<std::int64_t>();
    const std::string tz = s[10].as<std::string>();
    const ScheduleRule rule{parseFrequency(s[6].as<std::string>()).value_or(Frequency::kMonthly),
                            s[7].as<int>(), s[8].as<int>()};
    std::vector<TimePoint> due;
    for (TimePoint t = fromMillis(s[9]); t <= now; t = nextRun(rule, tz, t)) {
      due.push_back(t);
    }
    if (due.size() > kMaxCatchUp) {
      util::logWarning("reports") << "schedule " << id << " missed " << due.size()
                                  << " runs; making the last " << kMaxCatchUp;
      due.erase(due.begin(), due.end() - kMaxCatchUp);
    }
    for (const TimePoint t : due) {
      // Empty texts and 0 stand for NULL (nullif in the statement).
      const auto period = runPeriod(rule, tz, t);
      const std::string from = period ? meters::formatDate(period->first) : std::string();
      const std::string to = period ? meters::formatDate(period->second) : std::string();
      const std::int64_t owner = s[2].is_null() ? 0 : s[2].as<std::int64_t>();
      const std::string locale = s[5].is_null() ? std::string() : s[5].as<std::string>();
      created += static_cast<int>(exec(txn_, kScheduledRun, id, s[1].as<std::int64_t>(), owner,
                                       s[3].as<std::string>(), s[4].as<std::string>(), locale, from,
                                       to, util::formatRfc3339(t))
                                      .affected_rows());
    }
    exec(txn_, kAdvance, id, util::formatRfc3339(nextRun(rule, tz, now)));
  }
  return created;
}

std::optional<ClaimedRun> PgReportRuns::claim(TimePoint now) {
  const auto r = exec(txn_, kClaim, util::formatRfc3339(now));
  if (r.empty()) return std::nullopt;
  ClaimedRun c;
  c.run = toRun(r[0]);
  c.locale = r[0][16].as<std::string>();
  if (!r[0][17].is_null()) c.from = meters::parseDate(r[0][17].as<std::string>());
  if (!r[0][18].is_null()) c.to = meters::parseDate(r[0][18].as<std::string>());
  c.recipients = textArray(r[0][19]);
  c.keepDays = r[0][20].as<int>();
  if (!r[0][21].is_null()) c.ownerUserId = r[0][21].as<std::int64_t>();
  return c;
}

void PgReportRuns::complete(const ClaimedRun& c, const ReportFile& file, TimePoint now) {
  exec(txn_, kComplete, c.run.id, pqxx::binarystring(file.bytes), file.fileName, file.contentType,
       static_cast<std::int64_t>(file.rows), util::formatRfc3339(now), c.keepDays);
}

bool PgReportRuns::fail(const ClaimedRun& c, const std::string& error, TimePoint now,
                        const RetryPolicy& policy) {
  const auto again = retryAt(policy, c.run.attempts + 1, now);
  const std::optional<std::string> next =
      again ? std::optional<std::string>(util::formatRfc3339(*again)) : std::nullopt;
  exec(txn_, kFail, c.run.id, error.substr(0, 2000), next, util::formatRfc3339(now));
  return !again;
}

int PgReportRuns::dropExpiredFiles(TimePoint now) {
  return static_cast<int>(exec(txn_, kDropExpired, util::formatRfc3339(now)).affected_rows());
}

store::TenantScope PgReportRuns::ownerScope(std::int64_t userId) {
  const auto r = exec(txn_, kOwnerScope, userId);
  if (r.empty()) throw std::runtime_error("the person it is for no longer exists");
  if (!r[0][0].as<bool>()) throw std::runtime_error("the person it is for is disabled");
  if (!r[0][1].as<bool>()) {
    throw std::runtime_error("the person it is for is limited to sites or device groups");
  }
  store::TenantScope scope;
  for (const auto& id : textArray(r[0][2])) scope.organisationPath.push_back(std::stoll(id));
  return scope;
}

}  // namespace openmps::server::reports
