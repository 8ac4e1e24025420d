#pragma once

#include <chrono>
#include <memory>

#include "shared/util/clock.hpp"
#include "shared/util/secret.hpp"

// An alert worker: takes the devices that have queued events, one device
// at a time under a transaction-scoped advisory lock (so a device's events
// are decided in order by one worker of one server), runs the rules over
// them (lifecycle.hpp), writes the alerts and their notifications, and
// removes the events from the queue, all in one transaction: a crash
// leaves them queued, a commit acts on them once.
namespace openmps::server::alerts {

class PgAlertWorker {
 public:
  explicit PgAlertWorker(const util::Secret& databaseUri);
  ~PgAlertWorker();
  PgAlertWorker(const PgAlertWorker&) = delete;
  PgAlertWorker& operator=(const PgAlertWorker&) = delete;

  // One round over up to `maxDevices` devices; the number of events acted
  // on (0: nothing queued, or every device busy with another worker).
  int processRound(std::chrono::system_clock::time_point now, int maxDevices = 64);
  // Waits at most `timeout` for ingest to queue events; true when it did.
  bool waitForEvents(std::chrono::milliseconds timeout);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace openmps::server::alerts
