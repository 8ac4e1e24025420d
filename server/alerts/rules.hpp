#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

// The alert rules: which conditions raise alerts, how severe, after how
// long, how often they repeat and when they escalate; quiet hours and the
// storm guard. Settings are JSON documents in layers (the defaults, then
// the root, the dealer, the customer, a site, a device group, a device),
// each layer naming only what it changes; the rules of a device are the
// layers merged in that order. server/README.md ("Alerts") lists every
// key and default. Pure.
namespace openmps::server::alerts {

enum class Severity { kInfo = 0, kWarning = 1, kCritical = 2 };
const char* toString(Severity severity);
std::optional<Severity> severityFromString(std::string_view text);

// A layer or value that does not fit the rules' shape; the message names
// the key ("jam.hold_down: expected a duration ...").
class RulesError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// The conditions, one name each across rules, alerts, events and texts.
inline constexpr std::string_view kSupplyConditions[] = {"toner", "drum", "fuser", "waste_toner",
                                                         "kit"};
inline constexpr std::string_view kStatusConditions[] = {
    "jam",     "door_open",    "paper_out",    "service_requested",
    "offline", "vendor_error", "printer_alert"};
inline constexpr std::string_view kSilenceConditions[] = {"device_silent", "collector_silent",
                                                          "meter_missing"};
inline constexpr std::string_view kDataConditions[] = {"counter_backwards", "counter_reset",
                                                       "counter_jump", "device_swapped"};
inline constexpr std::string_view kForecastCondition = "runs_out";

bool isSupplyCondition(std::string_view condition);
bool isKnownCondition(std::string_view condition);
// Conditions without an end of their own (data quality): acknowledging
// them closes them.
bool isOneShot(std::string_view condition);

struct ConditionRule {
  bool enabled = true;
  Severity severity = Severity::kWarning;
  std::chrono::seconds holdDown{0};
  std::optional<std::chrono::seconds> repeat;         // none: never
  std::optional<std::chrono::seconds> escalateAfter;  // none: never
  // Supplies: stages at or below these percentages.
  int low = 20;
  int veryLow = 10;
  Severity lowSeverity = Severity::kWarning;
  Severity veryLowSeverity = Severity::kWarning;
  Severity emptySeverity = Severity::kCritical;
  // device_silent
  std::chrono::seconds warningAfter{std::chrono::hours(24 * 4)};
  std::chrono::seconds criticalAfter{std::chrono::hours(24 * 10)};
  // collector_silent: silent longer than factor x its send interval +
  // slack; the interval is learnt from its batches unless given.
  std::optional<std::chrono::seconds> sendInterval;
  int factor = 2;
  std::chrono::seconds slack{std::chrono::hours(1)};
  // meter_missing: from this many days before the billing day, a device
  // whose last meter reading is older than maxAge.
  int daysBefore = 3;
  std::chrono::seconds maxAge{std::chrono::hours(24 * 3)};
  // printer_alert: the least severe Printer-MIB alert that counts.
  Severity minSeverity = Severity::kCritical;
  // counter_jump
  int pagesPerMinute = 200;
};

struct QuietHours {
  int fromMinute = 0;  // minutes after local midnight
  int toMinute = 0;    // the end; before `from`: over midnight
};

struct StormGuard {
  int threshold = 10;  // alerts of one condition and customer ...
  std::chrono::seconds window{std::chrono::minutes(10)};  // ... within this: one digest
};

struct RuleSet {
  std::map<std::string, ConditionRule, std::less<>> conditions;
  std::optional<QuietHours> quietHours;
  StormGuard storm;

  // The rule of a condition (a known one; RulesError otherwise).
  const ConditionRule& rule(std::string_view condition) const;
};

// The defaults as a JSON document (what `alert rules` shows for the root
// when nothing is set).
std::string defaultSettings();

// Checks one layer (a JSON object naming only keys it changes); the
// returned text is the layer normalised. Throws RulesError naming the key.
std::string checkLayer(std::string_view layerJson);

// The defaults with `layers` merged over them in order (objects key by
// key, anything else replaced), as a RuleSet. A stored layer that no longer
// fits is skipped with its problem in `problems` (never stops alerting).
RuleSet resolveRules(const std::vector<std::string>& layers,
                     std::vector<std::string>* problems = nullptr);
// The merged document itself (`alert rules` shows it).
std::string mergedSettings(const std::vector<std::string>& layers);

// A layer changed by `key=value` ("jam.hold_down=10m", "toner.low=15",
// "quiet_hours=22:00-07:00", "waste_toner.enabled=true") or with a key
// removed (value empty). The value is read as the key's type.
std::string setInLayer(std::string_view layerJson, std::string_view key, std::string_view value);
std::string unsetInLayer(std::string_view layerJson, std::string_view key);

// Whether local wall time `minuteOfDay` lies in the quiet hours, and when
// (minutes after local midnight) they end.
bool inQuietHours(const QuietHours& quiet, int minuteOfDay);

}  // namespace openmps::server::alerts
