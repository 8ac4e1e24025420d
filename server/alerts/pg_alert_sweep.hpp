#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "server/alerts/alert_settings.hpp"
#include "shared/util/secret.hpp"

// The periodic sweep: what time does to alerts. Each part runs when its
// row in alert_sweeps is due and this server can lock it (FOR UPDATE SKIP
// LOCKED), so with several servers each part runs once per interval:
//   timers   hold-downs that end, repeats and escalation, held digests
//   silence  devices silent while their collector reports; silent collectors
//   meters   meter readings missing before a customer's billing day
//   forecast supplies that run out before a new one can be delivered
// Every decision comes from lifecycle.hpp with `now` from the caller's
// injected clock.
namespace openmps::server::alerts {

class PgAlertSweep {
 public:
  PgAlertSweep(const util::Secret& databaseUri, const EngineSettings& settings);
  ~PgAlertSweep();
  PgAlertSweep(const PgAlertSweep&) = delete;
  PgAlertSweep& operator=(const PgAlertSweep&) = delete;

  // Every part that is due by `now`; returns how many ran here.
  int runDue(std::chrono::system_clock::time_point now);
  // One part now, due or not ("timers", "silence", "meters", "forecast");
  // its one-line result.
  std::string run(const std::string& part, std::chrono::system_clock::time_point now);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace openmps::server::alerts
