#include "server/alerts/rules.hpp"

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "shared/util/duration.hpp"

namespace openmps::server::alerts {
namespace {

using nlohmann::json;
using std::chrono::hours;
using std::chrono::seconds;

enum class Kind { kBool, kSeverity, kDuration, kDurationOrOff, kDurationOrAuto, kPercent, kInt };

struct KeySpec {
  std::string_view name;
  Kind kind;
  int min = 0;
  int max = 0;
};

constexpr KeySpec kEnabled{"enabled", Kind::kBool};
constexpr KeySpec kSeverityKey{"severity", Kind::kSeverity};
constexpr KeySpec kHoldDown{"hold_down", Kind::kDuration};
constexpr KeySpec kRepeat{"repeat", Kind::kDurationOrOff};
constexpr KeySpec kEscalate{"escalate_after", Kind::kDurationOrOff};

std::vector<KeySpec> keysOf(std::string_view condition) {
  if (isSupplyCondition(condition)) {
    return {kEnabled,
            {"low", Kind::kPercent, 0, 100},
            {"very_low", Kind::kPercent, 0, 100},
            {"low_severity", Kind::kSeverity},
            {"very_low_severity", Kind::kSeverity},
            {"empty_severity", Kind::kSeverity},
            kHoldDown,
            kRepeat,
            kEscalate};
  }
  if (condition == "printer_alert") {
    return {kEnabled,  kSeverityKey, {"min_severity", Kind::kSeverity},
            kHoldDown, kRepeat,      kEscalate};
  }
  if (std::find(std::begin(kStatusConditions), std::end(kStatusConditions), condition) !=
      std::end(kStatusConditions)) {
    return {kEnabled, kSeverityKey, kHoldDown, kRepeat, kEscalate};
  }
  if (condition == "device_silent") {
    return {
        kEnabled, {"warning_after", Kind::kDuration}, {"critical_after", Kind::kDuration}, kRepeat};
  }
  if (condition == "collector_silent") {
    return {kEnabled,
            kSeverityKey,
            {"send_interval", Kind::kDurationOrAuto},
            {"factor", Kind::kInt, 1, 100},
            {"slack", Kind::kDuration},
            kRepeat,
            kEscalate};
  }
  if (condition == "meter_missing") {
    return {kEnabled,
            kSeverityKey,
            {"days_before", Kind::kInt, 0, 27},
            {"max_age", Kind::kDuration},
            kRepeat};
  }
  if (condition == "counter_jump") {
    return {
        kEnabled, kSeverityKey, {"pages_per_minute", Kind::kInt, 1, 100'000}, kRepeat, kEscalate};
  }
  return {kEnabled, kSeverityKey, kRepeat, kEscalate};
}

std::vector<std::string_view> allConditions() {
  std::vector<std::string_view> out;
  for (auto c : kSupplyConditions) out.push_back(c);
  for (auto c : kStatusConditions) out.push_back(c);
  for (auto c : kSilenceConditions) out.push_back(c);
  for (auto c : kDataConditions) out.push_back(c);
  out.push_back(kForecastCondition);
  return out;
}

const json& defaults() {
  static const json kDefaults = [] {
    json d = json::object();
    auto supply = [](int low, int veryLow, bool enabled) {
      return json{{"enabled", enabled},
                  {"low", low},
                  {"very_low", veryLow},
                  {"low_severity", "warning"},
                  {"very_low_severity", "warning"},
                  {"empty_severity", "critical"},
                  {"hold_down", "0s"},
                  {"repeat", "off"},
                  {"escalate_after", "off"}};
    };
    d["toner"] = supply(20, 10, true);
    d["drum"] = supply(10, 5, true);
    d["fuser"] = supply(10, 5, true);
    // Waste receptacles report remaining space, and real devices flap:
    // off unless a dealer wants them.
    d["waste_toner"] = supply(10, 5, false);
    d["kit"] = supply(10, 5, true);
    auto status = [](const char* severity, const char* holdDown) {
      return json{{"enabled", true},
                  {"severity", severity},
                  {"hold_down", holdDown},
                  {"repeat", "off"},
                  {"escalate_after", "off"}};
    };
    d["jam"] = status("warning", "15m");
    d["door_open"] = status("warning", "15m");
    d["paper_out"] = status("warning", "15m");
    d["service_requested"] = status("critical", "0s");
    d["offline"] = status("warning", "30m");
    d["vendor_error"] = status("warning", "15m");
    d["printer_alert"] = status("critical", "15m");
    d["printer_alert"]["min_severity"] = "critical";
    d["device_silent"] = {
        {"enabled", true}, {"warning_after", "4d"}, {"critical_after", "10d"}, {"repeat", "off"}};
    d["collector_silent"] = {
        {"enabled", true}, {"severity", "critical"}, {"send_interval", "auto"}, {"factor", 2},
        {"slack", "1h"},   {"repeat", "off"},        {"escalate_after", "off"}};
    d["meter_missing"] = {{"enabled", true},
                          {"severity", "warning"},
                          {"days_before", 3},
                          {"max_age", "3d"},
                          {"repeat", "off"}};
    for (auto c : kDataConditions) {
      d[std::string(c)] = {
          {"enabled", true}, {"severity", "warning"}, {"repeat", "off"}, {"escalate_after", "off"}};
    }
    d["counter_jump"]["pages_per_minute"] = 200;
    d[std::string(kForecastCondition)] = {
        {"enabled", true}, {"severity", "warning"}, {"repeat", "off"}, {"escalate_after", "off"}};
    d["quiet_hours"] = "off";
    d["storm"] = {{"threshold", 10}, {"window", "10m"}};
    return d;
  }();
  return kDefaults;
}

[[noreturn]] void fail(const std::string& key, const std::string& problem) {
  throw RulesError(key + ": " + problem);
}

std::optional<QuietHours> parseQuiet(const std::string& key, const std::string& text) {
  if (text == "off") return std::nullopt;
  auto minute = [&](std::string_view hhmm) {
    if (hhmm.size() != 5 || hhmm[2] != ':') fail(key, "expected HH:MM-HH:MM or off");
    const int h = (hhmm[0] - '0') * 10 + (hhmm[1] - '0');
    const int m = (hhmm[3] - '0') * 10 + (hhmm[4] - '0');
    for (const char c : {hhmm[0], hhmm[1], hhmm[3], hhmm[4]}) {
      if (c < '0' || c > '9') fail(key, "expected HH:MM-HH:MM or off");
    }
    if (h > 23 || m > 59) fail(key, "expected times from 00:00 to 23:59");
    return h * 60 + m;
  };
  const auto dash = text.find('-');
  if (dash == std::string::npos) fail(key, "expected HH:MM-HH:MM or off, got '" + text + "'");
  QuietHours q{minute(std::string_view(text).substr(0, dash)),
               minute(std::string_view(text).substr(dash + 1))};
  if (q.fromMinute == q.toMinute) fail(key, "the quiet hours must not be empty");
  return q;
}

std::optional<seconds> durationValue(const std::string& key, const json& v, bool offAllowed,
                                     bool autoAllowed) {
  if (!v.is_string()) fail(key, "expected a duration such as 15m, 4h or 2d");
  const std::string text = v.get<std::string>();
  if (offAllowed && text == "off") return std::nullopt;
  if (autoAllowed && text == "auto") return std::nullopt;
  const auto d = util::parseDuration(text);
  if (!d || *d > hours(24 * 366)) {
    fail(key, std::string("expected a duration such as 15m, 4h or 2d") +
                  (offAllowed    ? " (or off)"
                   : autoAllowed ? " (or auto)"
                                 : "") +
                  ", got '" + text + "'");
  }
  return *d;
}

void checkValue(const std::string& key, const KeySpec& spec, const json& v) {
  switch (spec.kind) {
    case Kind::kBool:
      if (!v.is_boolean()) fail(key, "expected true or false");
      return;
    case Kind::kSeverity:
      if (!v.is_string() || !severityFromString(v.get<std::string>())) {
        fail(key, "expected info, warning or critical");
      }
      return;
    case Kind::kDuration: durationValue(key, v, false, false); return;
    case Kind::kDurationOrOff: durationValue(key, v, true, false); return;
    case Kind::kDurationOrAuto: durationValue(key, v, false, true); return;
    case Kind::kPercent:
    case Kind::kInt:
      if (!v.is_number_integer() || v.get<std::int64_t>() < spec.min ||
          v.get<std::int64_t>() > spec.max) {
        fail(key, "expected a whole number from " + std::to_string(spec.min) + " to " +
                      std::to_string(spec.max));
      }
      return;
  }
}

void checkCondition(const std::string& name, const json& v) {
  if (!v.is_object()) fail(name, "expected an object of settings");
  const auto specs = keysOf(name);
  for (const auto& item : v.items()) {
    const std::string& key = item.key();
    const json& value = item.value();
    const auto it =
        std::find_if(specs.begin(), specs.end(), [&](const KeySpec& s) { return s.name == key; });
    if (it == specs.end()) {
      std::string known;
      for (const auto& s : specs) known += (known.empty() ? "" : ", ") + std::string(s.name);
      fail(name + "." + key, "unknown setting (known: " + known + ")");
    }
    checkValue(name + "." + key, *it, value);
  }
}

void checkStorm(const json& v) {
  if (!v.is_object()) fail("storm", "expected an object with threshold and window");
  for (const auto& [key, value] : v.items()) {
    if (key == "threshold") {
      checkValue("storm.threshold", {"threshold", Kind::kInt, 1, 100'000}, value);
    } else if (key == "window") {
      checkValue("storm.window", {"window", Kind::kDuration}, value);
    } else {
      fail("storm." + key, "unknown setting (known: threshold, window)");
    }
  }
}

void check(const json& layer) {
  if (!layer.is_object()) fail("settings", "expected a JSON object");
  const auto conditions = allConditions();
  for (const auto& [key, value] : layer.items()) {
    if (key == "quiet_hours") {
      if (!value.is_string()) fail(key, "expected HH:MM-HH:MM or off");
      parseQuiet(key, value.get<std::string>());
    } else if (key == "storm") {
      checkStorm(value);
    } else if (std::find(conditions.begin(), conditions.end(), key) != conditions.end()) {
      checkCondition(key, value);
    } else {
      fail(key, "unknown condition or setting");
    }
  }
}

void merge(json& into, const json& layer) {
  for (const auto& [key, value] : layer.items()) {
    if (value.is_object() && into.contains(key) && into[key].is_object()) {
      merge(into[key], value);
    } else {
      into[key] = value;
    }
  }
}

Severity severityOf(const json& v) {
  return severityFromString(v.get<std::string>()).value_or(Severity::kWarning);
}

ConditionRule ruleFrom(const json& c) {
  ConditionRule r;
  auto has = [&](const char* k) { return c.contains(k); };
  if (has("enabled")) r.enabled = c["enabled"].get<bool>();
  if (has("severity")) r.severity = severityOf(c["severity"]);
  if (has("hold_down")) r.holdDown = *durationValue("hold_down", c["hold_down"], false, false);
  if (has("repeat")) r.repeat = durationValue("repeat", c["repeat"], true, false);
  if (has("escalate_after")) {
    r.escalateAfter = durationValue("escalate_after", c["escalate_after"], true, false);
  }
  if (has("low")) r.low = c["low"].get<int>();
  if (has("very_low")) r.veryLow = c["very_low"].get<int>();
  if (has("low_severity")) r.lowSeverity = severityOf(c["low_severity"]);
  if (has("very_low_severity")) r.veryLowSeverity = severityOf(c["very_low_severity"]);
  if (has("empty_severity")) r.emptySeverity = severityOf(c["empty_severity"]);
  if (has("warning_after")) {
    r.warningAfter = *durationValue("warning_after", c["warning_after"], false, false);
  }
  if (has("critical_after")) {
    r.criticalAfter = *durationValue("critical_after", c["critical_after"], false, false);
  }
  if (has("send_interval")) {
    r.sendInterval = durationValue("send_interval", c["send_interval"], false, true);
  }
  if (has("factor")) r.factor = c["factor"].get<int>();
  if (has("slack")) r.slack = *durationValue("slack", c["slack"], false, false);
  if (has("days_before")) r.daysBefore = c["days_before"].get<int>();
  if (has("max_age")) r.maxAge = *durationValue("max_age", c["max_age"], false, false);
  if (has("min_severity")) r.minSeverity = severityOf(c["min_severity"]);
  if (has("pages_per_minute")) r.pagesPerMinute = c["pages_per_minute"].get<int>();
  return r;
}

json parseLayer(std::string_view text) {
  json layer = json::parse(text, nullptr, false);
  if (layer.is_discarded()) throw RulesError("settings: not valid JSON");
  return layer;
}

std::string dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// The value of `key` read as its type ("jam.hold_down" "10m" -> "10m").
json typedValue(const std::string& key, std::string_view text) {
  const std::string value(text);
  if (key == "quiet_hours") return value;
  const auto dot = key.find('.');
  if (dot == std::string::npos) fail(key, "expected condition.setting, quiet_hours or storm.*");
  const std::string condition = key.substr(0, dot);
  const std::string name = key.substr(dot + 1);
  if (condition == "storm") {
    if (name == "threshold") {
      try {
        return std::stoi(value);
      } catch (const std::exception&) {
        fail(key, "expected a whole number");
      }
    }
    return value;
  }
  for (const auto& spec : keysOf(condition)) {
    if (spec.name != name) continue;
    if (spec.kind == Kind::kBool) {
      if (value == "true" || value == "on" || value == "yes") return true;
      if (value == "false" || value == "off" || value == "no") return false;
      fail(key, "expected true or false");
    }
    if (spec.kind == Kind::kPercent || spec.kind == Kind::kInt) {
      std::size_t used = 0;
      int n = 0;
      try {
        n = std::stoi(value, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != value.size() || value.empty()) fail(key, "expected a whole number");
      return n;
    }
    return value;
  }
  return value;  // the check names what is wrong
}

}  // namespace

const char* toString(Severity severity) {
  switch (severity) {
    case Severity::kInfo: return "info";
    case Severity::kWarning: return "warning";
    case Severity::kCritical: return "critical";
  }
  return "warning";
}

std::optional<Severity> severityFromString(std::string_view text) {
  if (text == "info") return Severity::kInfo;
  if (text == "warning") return Severity::kWarning;
  if (text == "critical") return Severity::kCritical;
  return std::nullopt;
}

bool isSupplyCondition(std::string_view condition) {
  return std::find(std::begin(kSupplyConditions), std::end(kSupplyConditions), condition) !=
         std::end(kSupplyConditions);
}

bool isKnownCondition(std::string_view condition) {
  const auto all = allConditions();
  return std::find(all.begin(), all.end(), condition) != all.end();
}

bool isOneShot(std::string_view condition) {
  return std::find(std::begin(kDataConditions), std::end(kDataConditions), condition) !=
         std::end(kDataConditions);
}

const ConditionRule& RuleSet::rule(std::string_view condition) const {
  const auto it = conditions.find(condition);
  if (it == conditions.end()) throw RulesError(std::string(condition) + ": unknown condition");
  return it->second;
}

std::string defaultSettings() {
  return dump(defaults());
}

std::string checkLayer(std::string_view layerJson) {
  const json layer = parseLayer(layerJson);
  check(layer);
  return dump(layer);
}

std::string mergedSettings(const std::vector<std::string>& layers) {
  json merged = defaults();
  for (const auto& text : layers) {
    try {
      const json layer = parseLayer(text);
      check(layer);
      merge(merged, layer);
    } catch (const RulesError&) {
      // resolveRules reports it; the shown document skips it the same way.
    }
  }
  return dump(merged);
}

RuleSet resolveRules(const std::vector<std::string>& layers, std::vector<std::string>* problems) {
  json merged = defaults();
  for (const auto& text : layers) {
    try {
      const json layer = parseLayer(text);
      check(layer);
      merge(merged, layer);
    } catch (const RulesError& e) {
      if (problems != nullptr) problems->emplace_back(e.what());
    }
  }
  RuleSet out;
  for (const auto c : allConditions()) {
    out.conditions.emplace(std::string(c), ruleFrom(merged[std::string(c)]));
  }
  out.quietHours = parseQuiet("quiet_hours", merged["quiet_hours"].get<std::string>());
  out.storm.threshold = merged["storm"]["threshold"].get<int>();
  out.storm.window = *durationValue("storm.window", merged["storm"]["window"], false, false);
  return out;
}

std::string setInLayer(std::string_view layerJson, std::string_view key, std::string_view value) {
  json layer = layerJson.empty() ? json::object() : parseLayer(layerJson);
  const std::string k(key);
  json typed = typedValue(k, value);
  const auto dot = k.find('.');
  if (dot == std::string::npos) {
    layer[k] = std::move(typed);
  } else {
    json& section = layer[k.substr(0, dot)];
    if (!section.is_object()) section = json::object();
    section[k.substr(dot + 1)] = std::move(typed);
  }
  check(layer);
  return dump(layer);
}

std::string unsetInLayer(std::string_view layerJson, std::string_view key) {
  json layer = layerJson.empty() ? json::object() : parseLayer(layerJson);
  const std::string k(key);
  const auto dot = k.find('.');
  if (dot == std::string::npos) {
    layer.erase(k);
  } else if (layer.contains(k.substr(0, dot)) && layer[k.substr(0, dot)].is_object()) {
    json& section = layer[k.substr(0, dot)];
    section.erase(k.substr(dot + 1));
    if (section.empty()) layer.erase(k.substr(0, dot));
  }
  return dump(layer);
}

bool inQuietHours(const QuietHours& quiet, int minuteOfDay) {
  if (quiet.fromMinute < quiet.toMinute) {
    return minuteOfDay >= quiet.fromMinute && minuteOfDay < quiet.toMinute;
  }
  return minuteOfDay >= quiet.fromMinute || minuteOfDay < quiet.toMinute;
}

}  // namespace openmps::server::alerts
