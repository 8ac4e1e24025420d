#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>

#include "server/reports/report_scheduler.hpp"

// The reports: section of server.yaml (server/reports/README.md):
//
//   reports:
//     scheduler: true          # make scheduled and requested reports in this server
//     poll_interval: 30s       # how often it looks for due runs
//     retry_attempts: 5        # attempts before a run is failed and reported
//     retry_pause: 5m          # first pause after a failure (three times longer each time)
namespace openmps::server::reports {

class ReportConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

SchedulerSettings parseReportSettings(const std::string& configText, const std::string& sourceName,
                                      const std::filesystem::path& baseDir);

}  // namespace openmps::server::reports
