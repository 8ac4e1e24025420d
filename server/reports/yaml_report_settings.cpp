#include "server/reports/yaml_report_settings.hpp"

#include <optional>

#include "shared/yaml/yaml_field.hpp"

namespace openmps::server::reports {

SchedulerSettings parseReportSettings(const std::string& configText, const std::string& sourceName,
                                      const std::filesystem::path& baseDir) {
  using std::chrono::hours;
  using std::chrono::seconds;
  const yaml::Context ctx(sourceName, baseDir, yaml::throwFormatted<ReportConfigError>);
  const yaml::Field root = ctx.load(configText);
  SchedulerSettings out;
  std::optional<yaml::Field> section;
  for (auto& [key, field] : root.entries()) {
    if (key == "reports") section = field;
  }
  if (!section) return out;
  if (!section->isMap()) section->fail("expected a mapping");
  for (const auto& [key, f] :
       section->entries({"scheduler", "poll_interval", "retry_attempts", "retry_pause"})) {
    if (key == "scheduler") {
      out.enabled = f.boolean();
    } else if (key == "poll_interval") {
      out.pollInterval = f.duration(seconds(1), hours(1));
    } else if (key == "retry_attempts") {
      out.retry.maxAttempts = static_cast<int>(f.integer(1, 100));
    } else {
      out.retry.firstPause = f.duration(seconds(1), hours(24));
    }
  }
  return out;
}

}  // namespace openmps::server::reports
