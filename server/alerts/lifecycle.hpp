#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/alerts/rules.hpp"
#include "server/events/event.hpp"

// The life of an alert, decided without a database: what an event does to
// a device's alerts (the workers), and what time does to them (the sweep:
// hold-downs that end, repeats, escalation, silence). One active alert per
// device (or collector), condition and subject; a hold-down keeps a new one
// pending until the condition has lasted that long.
//
// "Now" for conditions seen in readings is the reading's time: an alert's
// `since` is the reading that first showed the condition, and a condition
// that ends in a reading less than the hold-down after it raises nothing,
// whenever those readings arrive. A pending alert becomes open when a later
// reading still shows the condition at or after the hold-down's end, or when
// the server's clock passes that end with the condition still the latest
// known (a device that stops reporting while jammed). Repeats, escalation
// and quiet hours run on the server's (injected) clock.
namespace openmps::server::alerts {

using TimePoint = std::chrono::system_clock::time_point;

enum class AlertState { kPending, kOpen, kCleared, kCancelled };
const char* toString(AlertState state);
std::optional<AlertState> alertStateFromString(std::string_view text);

// An alert as stored.
struct Alert {
  std::int64_t id = 0;
  std::string condition;
  std::string subject;
  std::string stage;  // supplies: low, very_low, empty; device_silent: warning, critical
  Severity severity = Severity::kWarning;
  AlertState state = AlertState::kOpen;
  TimePoint since;
  std::optional<TimePoint> dueAt;
  std::optional<TimePoint> raisedAt;
  std::optional<TimePoint> acknowledgedAt;
  std::optional<TimePoint> lastNotifiedAt;
  std::optional<TimePoint> escalatedAt;
  std::string detail = "{}";
};

// What notifications say happened to an alert.
enum class AlertEvent { kRaised, kWorse, kRepeat, kEscalated, kCleared };
const char* toString(AlertEvent event);

struct Change {
  enum class Kind {
    kCreate,  // a new alert (pending or open)
    kStage,   // stage and severity of an active alert change
    kOpen,    // a pending alert's hold-down is over
    kClear,   // an open alert's condition ended
    kCancel,  // a pending alert's condition ended within the hold-down
    kFold,    // another event of an active alert (its detail updated)
    kRemind,  // a repeat or an escalation of an open alert
  };
  Kind kind = Kind::kCreate;
  Alert alert;  // kCreate: the new alert; otherwise the alert changed, as it is now
  TimePoint at;
  std::optional<AlertEvent> notify;
};

// The alert condition a supply level belongs to, and its stage: empty at 0
// (or the device says empty/full), very_low at or below very_low, low at or
// below low; "" above.
std::string supplyStage(const ConditionRule& rule, std::optional<int> percent,
                        std::string_view state);
Severity supplyStageSeverity(const ConditionRule& rule, std::string_view stage);

// What one event does to the device's active alerts (`active`: its
// pending and open alerts). Events arrive in order per device.
std::vector<Change> onEvent(const events::Event& event, const RuleSet& rules,
                            const std::vector<Alert>& active);

// The sweep. A pending alert whose hold-down is over: open if the
// condition is still the latest known, cancelled if not; nullopt while
// waiting. `latestAt`: the device's latest status reading.
std::optional<Change> promote(const Alert& pending, bool stillShown,
                              std::optional<TimePoint> latestAt, TimePoint now);

// An open alert nobody acknowledged: escalated (severity up one step)
// after escalate_after, or repeated every `repeat`; nullopt otherwise.
std::optional<Change> remind(const Alert& open, const ConditionRule& rule, TimePoint now);

// device_silent: the stage for a device whose latest reading is `gap`
// older than its collector's latest.
std::string silenceStage(const ConditionRule& rule, std::chrono::seconds gap);

// collector_silent: how long a collector may stay silent: factor x its
// send interval (given, or learnt; 15 minutes when neither) + slack.
std::chrono::seconds collectorSilenceLimit(const ConditionRule& rule,
                                           std::optional<std::chrono::seconds> learnt);

// What a condition the sweep watches (silence, meter_missing, runs_out)
// does to its active alert: raise (or restage) when `stage` is not empty,
// clear when it is. `since`: when the condition began.
std::optional<Change> watch(std::string_view condition, std::string_view subject,
                            const std::string& stage, Severity severity, TimePoint since,
                            const std::string& detail, const std::optional<Alert>& active,
                            TimePoint now);

// Acknowledging: the alert stays open (no more repeats or escalation)
// unless its condition has no end of its own, which it closes.
bool acknowledgeCloses(const Alert& alert);

}  // namespace openmps::server::alerts
