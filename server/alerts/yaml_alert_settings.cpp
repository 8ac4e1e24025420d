// The YAML side of alert_settings.hpp, read with shared/yaml.
#include "server/alerts/alert_settings.hpp"
#include "shared/util/duration.hpp"
#include "shared/yaml/yaml_field.hpp"

namespace openmps::server::alerts {
namespace {

using yaml::Field;

std::chrono::seconds duration(const Field& field, std::chrono::seconds min,
                              std::chrono::seconds max) {
  const std::string text = field.text(32);
  const auto parsed = util::parseDuration(text);
  if (!parsed || *parsed < min || *parsed > max) {
    field.fail("expected a duration from " + util::formatDuration(min) + " to " +
               util::formatDuration(max) + ", got '" + text + "'");
  }
  return *parsed;
}

}  // namespace

EngineSettings parseEngineSettings(const std::string& configText, const std::string& sourceName,
                                   const std::filesystem::path& baseDir) {
  using std::chrono::hours;
  using std::chrono::seconds;
  yaml::Options options;
  options.emptyDocumentIsMapping = true;
  const yaml::Context ctx(sourceName, baseDir, yaml::throwFormatted<AlertsConfigError>, options);
  const Field top = ctx.load(configText);
  EngineSettings out;
  if (!top.isMap() || !top.has("alerts")) return out;
  for (const auto& [name, section] : top.entries()) {
    if (name != "alerts" || section.isNull()) continue;
    for (const auto& [key, f] :
         section.entries({"enabled", "workers", "poll_interval", "sweep_interval",
                          "silence_interval", "meter_interval", "forecast_interval"})) {
      if (key == "enabled") {
        out.enabled = f.boolean();
      } else if (key == "workers") {
        out.workers = static_cast<int>(f.integer(1, 32));
      } else if (key == "poll_interval") {
        out.pollInterval = duration(f, seconds(1), hours(1));
      } else if (key == "sweep_interval") {
        out.timersInterval = duration(f, seconds(1), hours(1));
      } else if (key == "silence_interval") {
        out.silenceInterval = duration(f, seconds(1), hours(24));
      } else if (key == "meter_interval") {
        out.metersInterval = duration(f, seconds(1), hours(24));
      } else {
        out.forecastInterval = duration(f, seconds(1), hours(24 * 7));
      }
    }
  }
  return out;
}

}  // namespace openmps::server::alerts
