#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/auth/audit.hpp"
#include "server/reports/renderers.hpp"
#include "server/reports/report_runner.hpp"
#include "server/reports/schedule.hpp"
#include "server/store/pg_api_role.hpp"

namespace pqxx {
class transaction_base;
}

// Report schedules and runs in PostgreSQL (report_schedules, report_runs):
// what people set up (audited), and what the scheduler claims, makes,
// keeps for download and hands to delivery. Statements declared once, by
// name, in pg_report_runs.cpp.
namespace openmps::server::reports {

class ScheduleError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ScheduleSpec {
  std::int64_t organisationId = 0;
  std::optional<std::int64_t> ownerUserId;  // none: set up by the operator
  std::string report;
  Format format = Format::kPdf;
  std::optional<Locale> locale;  // none: the organisation's
  ScheduleRule rule;
  std::vector<std::string> recipients;
  int keepDays = 90;
};

struct ScheduleRow {
  std::int64_t id = 0;
  std::int64_t organisationId = 0;
  std::string organisation;
  std::string report;
  std::string format;
  std::string locale;  // empty: the organisation's
  ScheduleRule rule;
  std::vector<std::string> recipients;
  int keepDays = 90;
  bool enabled = true;
  TimePoint nextRunAt;
};

struct RunRow {
  std::int64_t id = 0;
  std::optional<std::int64_t> scheduleId;
  std::int64_t organisationId = 0;
  std::string organisation;
  std::string report;
  std::string format;
  std::string status;  // pending, done, failed
  int attempts = 0;
  std::string lastError;
  std::string fileName;
  std::string contentType;
  std::optional<std::int64_t> rows;
  TimePoint dueAt;
  std::optional<TimePoint> finishedAt;
  std::optional<TimePoint> expiresAt;
  bool hasFile = false;
};

// A run the scheduler holds (its row locked until the outcome is written).
struct ClaimedRun {
  RunRow run;
  std::string locale;  // "" for the organisation's
  std::optional<meters::LocalDate> from;
  std::optional<meters::LocalDate> to;
  std::vector<std::string> recipients;
  int keepDays = 90;
  std::optional<std::int64_t> ownerUserId;
};

class PgReportRuns {
 public:
  PgReportRuns(pqxx::transaction_base& txn, auth::AuditActor actor);

  // People: checked, audited.
  std::int64_t addSchedule(const ScheduleSpec& spec, TimePoint now);
  void removeSchedule(std::int64_t id);
  // Replaces what a schedule makes, when and for whom (its organisation and
  // owner stay); the next run follows the new rule.
  void changeSchedule(std::int64_t id, const ScheduleSpec& spec, TimePoint now);
  std::vector<ScheduleRow> schedules(std::int64_t scopeOrganisationId);
  // A run made as soon as a scheduler is free (on demand, kept for download).
  std::int64_t requestRun(std::int64_t organisationId, const std::string& report, Format format,
                          std::optional<Locale> locale, std::optional<meters::LocalDate> from,
                          std::optional<meters::LocalDate> to,
                          std::optional<std::int64_t> requestedBy, TimePoint now);
  // Newest first; `after`: a run id (the next page starts below it), 0 for the first page.
  std::vector<RunRow> runs(std::int64_t scopeOrganisationId, std::size_t limit,
                           std::int64_t after = 0);
  std::optional<RunRow> run(std::int64_t id);
  // The file of a finished run still kept; nullopt when there is none.
  std::optional<std::string> file(std::int64_t id);

  // The scheduler (the server's own work: not audited).
  // Turns every schedule due by `now` into runs, one per missed occurrence
  // (up to 24 per schedule: a server down for two years catches up on the
  // last 24), and moves the schedules on. Returns the runs created.
  int createDueRuns(TimePoint now);
  std::optional<ClaimedRun> claim(TimePoint now);
  void complete(const ClaimedRun& claimed, const ReportFile& file, TimePoint now);
  // Records the failure; true when the attempts are used up (status failed).
  bool fail(const ClaimedRun& claimed, const std::string& error, TimePoint now,
            const RetryPolicy& policy);
  // Drops files past their keeping time; returns how many.
  int dropExpiredFiles(TimePoint now);
  // The scope a run for this person is made in (what their API requests
  // see today). Throws std::runtime_error when there is none: the person
  // is gone or disabled, or limited to sites or device groups (reports
  // cover whole organisations).
  store::TenantScope ownerScope(std::int64_t userId);

 private:
  // The schedule's first run after `now` in its organisation's time zone.
  TimePoint nextRunOf(const ScheduleSpec& spec, TimePoint now);

  pqxx::transaction_base& txn_;
  auth::AuditActor actor_;
};

}  // namespace openmps::server::reports
