#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "server/reports/pg_report_runs.hpp"
#include "server/reports/schedule.hpp"
#include "shared/util/clock.hpp"
#include "shared/util/secret.hpp"

namespace pqxx {
class transaction_base;
}

// The scheduler of `openmps-server run`: turns due schedules into runs,
// claims runs (FOR UPDATE SKIP LOCKED: any number of servers share the
// work, a crash releases the claim), makes the report in one snapshot of
// the database, keeps the file, and hands it to delivery in the same
// transaction that records it done; a failure is retried after a pause
// and, when the attempts are used up, recorded and handed to delivery as
// a failure. Nothing is skipped.
namespace openmps::server::reports {

// What happens to a finished or given-up run, inside the transaction that
// records it (so a mail is queued if and only if the run is recorded).
class RunDelivery {
 public:
  virtual ~RunDelivery() = default;
  virtual void delivered(pqxx::transaction_base& txn, const ClaimedRun& run,
                         const ReportFile& file) = 0;
  virtual void failed(pqxx::transaction_base& txn, const ClaimedRun& run,
                      const std::string& error) = 0;
};

struct SchedulerSettings {
  bool enabled = true;
  std::chrono::milliseconds pollInterval{std::chrono::seconds{30}};
  RetryPolicy retry;
  int runsPerPass = 20;
};

class ReportScheduler {
 public:
  // `delivery` may be null (reports are kept for download only).
  ReportScheduler(util::Secret databaseUri, const util::Clock& clock, SchedulerSettings settings,
                  RunDelivery* delivery);
  ~ReportScheduler();
  ReportScheduler(const ReportScheduler&) = delete;
  ReportScheduler& operator=(const ReportScheduler&) = delete;

  void start();
  void stop();
  // One pass: due schedules become runs, expired files go, then up to
  // runsPerPass runs are made. Returns the runs finished (done or failed).
  int runOnce();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace openmps::server::reports
