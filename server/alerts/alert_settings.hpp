#pragma once

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>

// The `alerts:` section of the server's configuration file: whether the
// engine runs, its workers and how often each sweep looks (server/README.md,
// "Alerts", documents every key). The rules themselves live in the
// database (alert_settings), per dealer, customer and device.
namespace openmps::server::alerts {

class AlertsConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct EngineSettings {
  bool enabled = true;  // false: ingest records history only; no alerts
  int workers = 2;      // event workers, each with its database connection
  // How often workers look for events when nobody wakes them.
  std::chrono::milliseconds pollInterval{5000};
  std::chrono::seconds timersInterval{30};  // hold-downs, repeats, escalation, digests
  std::chrono::seconds silenceInterval{std::chrono::minutes(5)};
  std::chrono::seconds metersInterval{std::chrono::hours(1)};
  std::chrono::seconds forecastInterval{std::chrono::hours(6)};
};

EngineSettings parseEngineSettings(const std::string& configText, const std::string& sourceName,
                                   const std::filesystem::path& baseDir);

}  // namespace openmps::server::alerts
