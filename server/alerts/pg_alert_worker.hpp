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

  struct Round {
    int events = 0;     // events acted on (0: none queued, or their devices busy)
    bool full = false;  // `maxDevices` devices were queued: more may wait
  };
  // One round over up to `maxDevices` devices.
  Round processRound(std::chrono::system_clock::time_point now, int maxDevices = 64);
  // Waits at most `timeout` for ingest to queue events; true when it did.
  // Every commit that queues events notifies every worker after it is
  // visible, so a round that was not full is followed by a wait, not by
  // another round: an event it could not see wakes the worker again.
  bool waitForEvents(std::chrono::milliseconds timeout);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace openmps::server::alerts
