#include "server/alerts/lifecycle.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace openmps::server::alerts {
namespace {

using nlohmann::json;

int stageRank(std::string_view stage) {
  if (stage == "low" || stage == "warning") return 1;
  if (stage == "very_low" || stage == "critical") return 2;
  if (stage == "empty") return 3;
  return 0;
}

const Alert* find(const std::vector<Alert>& active, std::string_view condition,
                  std::string_view subject) {
  const auto it = std::find_if(active.begin(), active.end(), [&](const Alert& a) {
    return a.condition == condition && a.subject == subject;
  });
  return it == active.end() ? nullptr : &*it;
}

std::string text(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<int> optionalInt(const json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<int>();
}

// A condition that ended: a pending alert is cancelled, an open one cleared.
Change end(const Alert& a, TimePoint at) {
  Change c;
  c.alert = a;
  c.at = at;
  if (a.state == AlertState::kPending) {
    c.kind = Change::Kind::kCancel;
    c.alert.state = AlertState::kCancelled;
  } else {
    c.kind = Change::Kind::kClear;
    c.alert.state = AlertState::kCleared;
    c.notify = AlertEvent::kCleared;
  }
  return c;
}

Change create(std::string_view condition, std::string_view subject, std::string stage,
              Severity severity, TimePoint since, std::chrono::seconds holdDown,
              std::string detail) {
  Change c;
  c.kind = Change::Kind::kCreate;
  c.at = since;
  Alert& a = c.alert;
  a.condition = std::string(condition);
  a.subject = std::string(subject);
  a.stage = std::move(stage);
  a.severity = severity;
  a.since = since;
  a.detail = std::move(detail);
  if (holdDown > std::chrono::seconds(0)) {
    a.state = AlertState::kPending;
    a.dueAt = since + holdDown;
  } else {
    a.state = AlertState::kOpen;
    a.raisedAt = since;
    c.notify = AlertEvent::kRaised;
  }
  return c;
}

Change fold(const Alert& a, TimePoint at, std::string detail) {
  Change c;
  c.kind = Change::Kind::kFold;
  c.alert = a;
  c.alert.detail = std::move(detail);
  c.at = at;
  return c;
}

Change restage(const Alert& a, std::string stage, Severity severity, TimePoint at,
               std::string detail) {
  Change c;
  c.kind = Change::Kind::kStage;
  c.at = at;
  const bool worse = stageRank(stage) > stageRank(a.stage);
  c.alert = a;
  c.alert.stage = std::move(stage);
  c.alert.severity = severity;
  c.alert.detail = std::move(detail);
  if (worse && a.state == AlertState::kOpen) c.notify = AlertEvent::kWorse;
  return c;
}

std::vector<Change> statusRaised(const events::Event& e, const json& d, const RuleSet& rules,
                                 const std::vector<Alert>& active) {
  const std::string condition = text(d, "condition");
  const std::string subject = text(d, "subject");
  if (!isKnownCondition(condition)) return {};
  const ConditionRule& rule = rules.rule(condition);
  if (!rule.enabled) return {};
  if (condition == "printer_alert") {
    const auto shown = severityFromString(text(d, "severity"));
    if (!shown || *shown < rule.minSeverity) return {};
  }
  if (const Alert* a = find(active, condition, subject)) return {fold(*a, e.at, e.detail)};
  return {create(condition, subject, "", rule.severity, e.at, rule.holdDown, e.detail)};
}

std::vector<Change> statusCleared(const events::Event& e, const json& d,
                                  const std::vector<Alert>& active) {
  if (const Alert* a = find(active, text(d, "condition"), text(d, "subject"))) {
    return {end(*a, e.at)};
  }
  return {};
}

std::vector<Change> supplyLevel(const events::Event& e, const json& d, const RuleSet& rules,
                                const std::vector<Alert>& active) {
  const std::string family = text(d, "family");
  if (!isSupplyCondition(family)) return {};
  const ConditionRule& rule = rules.rule(family);
  const std::string subject = std::to_string(optionalInt(d, "index").value_or(0));
  const Alert* a = find(active, family, subject);
  const std::string stage =
      rule.enabled ? supplyStage(rule, optionalInt(d, "after"), text(d, "state")) : "";
  if (stage.empty()) {
    if (a != nullptr) return {end(*a, e.at)};
    return {};
  }
  const Severity severity = supplyStageSeverity(rule, stage);
  if (a == nullptr)
    return {create(family, subject, stage, severity, e.at, rule.holdDown, e.detail)};
  if (a->stage == stage) return {fold(*a, e.at, e.detail)};
  return {restage(*a, stage, severity, e.at, e.detail)};
}

std::vector<Change> supplyReplaced(const events::Event& e, const json& d,
                                   const std::vector<Alert>& active) {
  const std::string subject = std::to_string(optionalInt(d, "index").value_or(0));
  std::vector<Change> out;
  for (const Alert& a : active) {
    const bool aboutIt = (isSupplyCondition(a.condition) || a.condition == kForecastCondition) &&
                         a.subject == subject;
    if (aboutIt) out.push_back(end(a, e.at));
  }
  return out;
}

// The device's own limit, stricter or not than the one ingest used.
bool jumpFor(const ConditionRule& rule, const json& d) {
  const double minutes = std::max(1.0, d.value("minutes", 0.0));
  const auto it = d.find("counters");
  if (it == d.end() || !it->is_array()) return false;
  for (const auto& c : *it) {
    const double rise = c.value("after", 0.0) - c.value("before", 0.0);
    if (rise > rule.pagesPerMinute * minutes + 50.0) return true;
  }
  return false;
}

std::vector<Change> oneShot(const events::Event& e, const json& d, const RuleSet& rules,
                            const std::vector<Alert>& active) {
  const ConditionRule& rule = rules.rule(e.kind);
  if (!rule.enabled) return {};
  if (e.kind == "counter_jump" && !jumpFor(rule, d)) return {};
  if (const Alert* a = find(active, e.kind, "")) return {fold(*a, e.at, e.detail)};
  return {create(e.kind, "", "", rule.severity, e.at, std::chrono::seconds(0), e.detail)};
}

}  // namespace

const char* toString(AlertState state) {
  switch (state) {
    case AlertState::kPending: return "pending";
    case AlertState::kOpen: return "open";
    case AlertState::kCleared: return "cleared";
    case AlertState::kCancelled: return "cancelled";
  }
  return "open";
}

std::optional<AlertState> alertStateFromString(std::string_view text) {
  if (text == "pending") return AlertState::kPending;
  if (text == "open") return AlertState::kOpen;
  if (text == "cleared") return AlertState::kCleared;
  if (text == "cancelled") return AlertState::kCancelled;
  return std::nullopt;
}

const char* toString(AlertEvent event) {
  switch (event) {
    case AlertEvent::kRaised: return "raised";
    case AlertEvent::kWorse: return "worse";
    case AlertEvent::kRepeat: return "repeat";
    case AlertEvent::kEscalated: return "escalated";
    case AlertEvent::kCleared: return "cleared";
  }
  return "raised";
}

std::string supplyStage(const ConditionRule& rule, std::optional<int> percent,
                        std::string_view state) {
  if (percent) {
    if (*percent <= 0) return "empty";
    if (*percent <= rule.veryLow) return "very_low";
    if (*percent <= rule.low) return "low";
    return "";
  }
  if (state == "empty" || state == "full") return "empty";
  if (state == "low") return "low";
  return "";
}

Severity supplyStageSeverity(const ConditionRule& rule, std::string_view stage) {
  if (stage == "empty") return rule.emptySeverity;
  if (stage == "very_low") return rule.veryLowSeverity;
  return rule.lowSeverity;
}

std::vector<Change> onEvent(const events::Event& event, const RuleSet& rules,
                            const std::vector<Alert>& active) {
  const json d = json::parse(event.detail, nullptr, false);
  if (!d.is_object()) return {};
  if (event.kind == events::kStatusRaised) return statusRaised(event, d, rules, active);
  if (event.kind == events::kStatusCleared) return statusCleared(event, d, active);
  if (event.kind == events::kSupplyLevel) return supplyLevel(event, d, rules, active);
  if (event.kind == events::kSupplyReplaced) return supplyReplaced(event, d, active);
  if (isOneShot(event.kind)) return oneShot(event, d, rules, active);
  if (event.kind == events::kDeviceBack) {
    if (const Alert* a = find(active, "device_silent", "")) return {end(*a, event.at)};
  }
  return {};
}

std::optional<Change> promote(const Alert& pending, bool stillShown,
                              std::optional<TimePoint> latestAt, TimePoint now) {
  if (pending.state != AlertState::kPending || !pending.dueAt) return std::nullopt;
  const bool over = *pending.dueAt <= now || (latestAt && *latestAt >= *pending.dueAt);
  if (!stillShown) {
    // The latest reading no longer shows it: its cleared event is on its
    // way (or was lost); within the hold-down either way.
    return end(pending, latestAt.value_or(now));
  }
  if (!over) return std::nullopt;
  Change c;
  c.kind = Change::Kind::kOpen;
  c.alert = pending;
  c.alert.state = AlertState::kOpen;
  c.alert.raisedAt = now;
  c.at = now;
  c.notify = AlertEvent::kRaised;
  return c;
}

std::optional<Change> remind(const Alert& open, const ConditionRule& rule, TimePoint now) {
  if (open.state != AlertState::kOpen || open.acknowledgedAt) return std::nullopt;
  const TimePoint raised = open.raisedAt.value_or(open.since);
  Change c;
  c.kind = Change::Kind::kRemind;
  c.alert = open;
  c.at = now;
  if (rule.escalateAfter && !open.escalatedAt && open.severity != Severity::kCritical &&
      raised + *rule.escalateAfter <= now) {
    c.alert.severity = static_cast<Severity>(static_cast<int>(open.severity) + 1);
    c.alert.escalatedAt = now;
    c.alert.lastNotifiedAt = now;
    c.notify = AlertEvent::kEscalated;
    return c;
  }
  if (rule.repeat && open.lastNotifiedAt.value_or(raised) + *rule.repeat <= now) {
    c.alert.lastNotifiedAt = now;
    c.notify = AlertEvent::kRepeat;
    return c;
  }
  return std::nullopt;
}

std::string silenceStage(const ConditionRule& rule, std::chrono::seconds gap) {
  if (!rule.enabled) return "";
  if (gap >= rule.criticalAfter) return "critical";
  if (gap >= rule.warningAfter) return "warning";
  return "";
}

std::chrono::seconds collectorSilenceLimit(const ConditionRule& rule,
                                           std::optional<std::chrono::seconds> learnt) {
  const std::chrono::seconds interval =
      rule.sendInterval.value_or(learnt.value_or(std::chrono::minutes(15)));
  return rule.factor * interval + rule.slack;
}

std::optional<Change> watch(std::string_view condition, std::string_view subject,
                            const std::string& stage, Severity severity, TimePoint since,
                            const std::string& detail, const std::optional<Alert>& active,
                            TimePoint now) {
  if (stage.empty()) {
    if (active) return end(*active, now);
    return std::nullopt;
  }
  if (!active) {
    Change c = create(condition, subject, stage, severity, since, std::chrono::seconds(0), detail);
    c.alert.raisedAt = now;
    c.at = now;
    return c;
  }
  if (active->stage == stage) return std::nullopt;
  return restage(*active, stage, severity, now, detail);
}

bool acknowledgeCloses(const Alert& alert) {
  return isOneShot(alert.condition);
}

}  // namespace openmps::server::alerts
