#pragma once

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "server/alerts/alert_settings.hpp"
#include "server/alerts/planner_options.hpp"
#include "server/config/server_config.hpp"
#include "shared/util/clock.hpp"
#include "shared/util/periodic_task.hpp"

// The alert engine of a running server: event workers woken by ingest
// (NOTIFY openmps_events) and the sweep every alerts.sweep_interval, and
// the options ingest's planner uses. Several servers on one database share
// the work (advisory locks per device, sweep rows claimed).
namespace openmps::server::alerts {

class AlertService {
 public:
  // Reads the alerts: section. Throws AlertsConfigError.
  AlertService(const config::ServerConfig& config, const util::Clock& clock);
  ~AlertService();
  AlertService(const AlertService&) = delete;
  AlertService& operator=(const AlertService&) = delete;

  const EngineSettings& settings() const { return settings_; }
  // For every ingest worker's store (thread-safe).
  PlannerOptionsCache& plannerOptions() { return *plannerOptions_; }

  void start();
  void stop();

 private:
  void workerLoop();

  const config::ServerConfig& config_;
  const util::Clock& clock_;
  EngineSettings settings_;
  std::unique_ptr<PlannerOptionsCache> plannerOptions_;
  std::atomic<bool> stopping_{false};
  std::vector<std::thread> workers_;
  std::unique_ptr<util::PeriodicTask> sweep_;
};

}  // namespace openmps::server::alerts
