#include "server/reports/report_scheduler.hpp"

#include <pqxx/pqxx>

#include "shared/util/log.hpp"
#include "shared/util/periodic_task.hpp"

namespace openmps::server::reports {
namespace {

constexpr const char* kLog = "reports";

ReportRequest requestOf(const ClaimedRun& c) {
  ReportRequest r;
  r.report = c.run.report;
  r.format = parseFormat(c.run.format).value_or(Format::kPdf);
  if (!c.locale.empty()) r.locale = parseLocale(c.locale);
  r.period.from = c.from;
  r.period.to = c.to;
  // The run's own time, not the clock's: a run made late (a retry, a
  // server that was down) reports on the same period it was due for.
  r.period.now = c.run.dueAt;
  return r;
}

}  // namespace

struct ReportScheduler::Impl {
  Impl(util::Secret uri, const util::Clock& c, SchedulerSettings s, RunDelivery* d)
      : databaseUri(std::move(uri)), clock(c), settings(s), delivery(d) {}

  util::Secret databaseUri;
  const util::Clock& clock;
  SchedulerSettings settings;
  RunDelivery* delivery;
  std::unique_ptr<pqxx::connection> claims;   // holds the claimed run's lock
  std::unique_ptr<pqxx::connection> reading;  // makes the report
  std::unique_ptr<util::PeriodicTask> task;
  std::string apiRole;  // checked when first needed

  void connect() {
    if (!claims || !claims->is_open())
      claims = std::make_unique<pqxx::connection>(databaseUri.reveal());
    if (!reading || !reading->is_open())
      reading = std::make_unique<pqxx::connection>(databaseUri.reveal());
  }

  ReportFile make(const ClaimedRun& c) {
    // One snapshot: every table of the report sees the same data.
    if (c.ownerUserId && apiRole.empty()) apiRole = store::checkApiRole(databaseUri);
    pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> txn(*reading);
    // A run for a person (the schedule's owner, or who asked for it) is
    // made in that person's scope, as their API requests are, so
    // row-level security limits it to what they may read today.
    if (c.ownerUserId) {
      store::enterTenantScope(
          txn, apiRole, PgReportRuns(txn, auth::AuditActor::server()).ownerScope(*c.ownerUserId));
    }
    PgReportSource source(txn);
    const Scope scope = source.scopeById(c.run.organisationId);
    ReportFile file = runReport(txn, scope, requestOf(c));
    txn.commit();
    return file;
  }

  // One claimed run from claim to recorded outcome; false when none is due.
  bool one() {
    pqxx::work txn(*claims);
    PgReportRuns runs(txn, auth::AuditActor::server());
    const auto claimed = runs.claim(clock.now());
    if (!claimed) return false;
    std::string error;
    try {
      const ReportFile file = make(*claimed);
      // Done and handed to delivery together, or neither (the savepoint
      // undoes the first when the second fails).
      pqxx::subtransaction done(txn, "report_done");
      PgReportRuns(done, auth::AuditActor::server()).complete(*claimed, file, clock.now());
      if (delivery) delivery->delivered(done, *claimed, file);
      done.commit();
      util::logInfo(kLog) << "report run " << claimed->run.id << " (" << claimed->run.report << ", "
                          << claimed->run.organisation << "): " << file.rows << " rows, "
                          << file.bytes.size() << " bytes, " << claimed->recipients.size()
                          << " recipients";
    } catch (const pqxx::broken_connection&) {
      throw;  // the claim is gone with its connection; the run stays pending
    } catch (const std::exception& e) {
      error = e.what();
    }
    if (!error.empty()) {
      const bool gaveUp = runs.fail(*claimed, error, clock.now(), settings.retry);
      if (gaveUp && delivery) delivery->failed(txn, *claimed, error);
      util::logError(kLog) << "report run " << claimed->run.id << " (" << claimed->run.report
                           << ", " << claimed->run.organisation << ") failed (attempt "
                           << claimed->run.attempts + 1 << "): " << error
                           << (gaveUp ? "; attempts used up, reported" : "; tried again later");
    }
    txn.commit();
    return true;
  }

  int pass() {
    connect();
    {
      pqxx::work txn(*claims);
      PgReportRuns runs(txn, auth::AuditActor::server());
      const int created = runs.createDueRuns(clock.now());
      const int dropped = runs.dropExpiredFiles(clock.now());
      txn.commit();
      if (created > 0) util::logInfo(kLog) << created << " scheduled report runs due";
      if (dropped > 0)
        util::logInfo(kLog) << dropped << " report files past their keeping time dropped";
    }
    int done = 0;
    while (done < settings.runsPerPass && one()) ++done;
    return done;
  }
};

ReportScheduler::ReportScheduler(util::Secret databaseUri, const util::Clock& clock,
                                 SchedulerSettings settings, RunDelivery* delivery)
    : impl_(std::make_unique<Impl>(std::move(databaseUri), clock, settings, delivery)) {}

ReportScheduler::~ReportScheduler() {
  stop();
}

void ReportScheduler::start() {
  if (!impl_->settings.enabled || impl_->task) return;
  impl_->task = std::make_unique<util::PeriodicTask>(
      "report scheduler",
      [this] {
        try {
          runOnce();
        } catch (const pqxx::broken_connection&) {
          impl_->claims.reset();
          impl_->reading.reset();
          throw;
        }
      },
      impl_->settings.pollInterval, impl_->settings.pollInterval);
  impl_->task->start();
}

void ReportScheduler::stop() {
  if (impl_->task) {
    impl_->task->stop();
    impl_->task.reset();
  }
}

int ReportScheduler::runOnce() {
  return impl_->pass();
}

}  // namespace openmps::server::reports
