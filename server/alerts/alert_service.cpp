#include "server/alerts/alert_service.hpp"

#include "server/alerts/pg_alert_sweep.hpp"
#include "server/alerts/pg_alert_worker.hpp"
#include "shared/util/log.hpp"

namespace openmps::server::alerts {
namespace {

constexpr std::string_view kLog = "alerts";
constexpr std::chrono::milliseconds kWaitSlice{250};
constexpr std::chrono::seconds kReconnectPause{5};

}  // namespace

AlertService::AlertService(const config::ServerConfig& config, const util::Clock& clock)
    : config_(config),
      clock_(clock),
      settings_(parseEngineSettings(config.sourceText, config.sourcePath.string(),
                                    std::filesystem::absolute(config.sourcePath).parent_path())),
      plannerOptions_(
          std::make_unique<PlannerOptionsCache>(config.databaseUri, settings_.enabled, clock)) {}

AlertService::~AlertService() {
  stop();
}

void AlertService::workerLoop() {
  std::unique_ptr<PgAlertWorker> worker;
  while (!stopping_) {
    try {
      if (!worker) worker = std::make_unique<PgAlertWorker>(config_.databaseUri);
      if (worker->processRound(clock_.now()).full) continue;
      for (auto waited = std::chrono::milliseconds(0);
           !stopping_ && waited < settings_.pollInterval; waited += kWaitSlice) {
        if (worker->waitForEvents(kWaitSlice)) break;
      }
    } catch (const std::exception& e) {
      util::logWarning(kLog) << "alert worker: " << e.what() << " (retrying in "
                             << kReconnectPause.count() << " s)";
      worker.reset();
      for (auto waited = std::chrono::milliseconds(0); !stopping_ && waited < kReconnectPause;
           waited += kWaitSlice) {
        std::this_thread::sleep_for(kWaitSlice);
      }
    }
  }
}

void AlertService::start() {
  if (!settings_.enabled) {
    util::logInfo(kLog) << "alert engine switched off (alerts.enabled: false)";
    return;
  }
  stopping_ = false;
  for (int i = 0; i < settings_.workers; ++i) workers_.emplace_back([this] { workerLoop(); });
  auto sweep = std::make_shared<std::unique_ptr<PgAlertSweep>>();
  sweep_ = std::make_unique<util::PeriodicTask>(
      "alert sweep",
      [this, sweep] {
        try {
          if (!*sweep) *sweep = std::make_unique<PgAlertSweep>(config_.databaseUri, settings_);
          (*sweep)->runDue(clock_.now());
        } catch (...) {
          sweep->reset();  // a new connection next time
          throw;
        }
      },
      settings_.timersInterval, std::chrono::seconds(30));
  sweep_->start();
}

void AlertService::stop() {
  stopping_ = true;
  for (auto& t : workers_) {
    if (t.joinable()) t.join();
  }
  workers_.clear();
  if (sweep_) sweep_->stop();
  sweep_.reset();
}

}  // namespace openmps::server::alerts
