#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "server/meters/calendar.hpp"

// When scheduled reports run and what they cover (pure). A schedule runs
// at a local hour of the organisation's zone: monthly on day N (past a
// month's end: its last day), weekly on a weekday, or daily. Each run
// reports on the time before it: monthly the last billing period of each
// customer as of the run, weekly the seven days before, daily the day
// before. A failed run is tried again with a growing pause, then marked
// failed and reported; never skipped.
namespace openmps::server::reports {

using TimePoint = std::chrono::system_clock::time_point;

enum class Frequency { kMonthly, kWeekly, kDaily };
std::optional<Frequency> parseFrequency(std::string_view text);
const char* toString(Frequency frequency);

struct ScheduleRule {
  Frequency frequency = Frequency::kMonthly;
  int day = 1;   // monthly 1..31, weekly 1 (Monday) .. 7 (Sunday)
  int hour = 6;  // 0..23 local
};

// What is wrong with the rule, empty when nothing.
std::string ruleProblem(const ScheduleRule& rule);

// The first run strictly after `after`.
TimePoint nextRun(const ScheduleRule& rule, std::string_view timeZone, TimePoint after);

// The local days a run at `due` covers; nullopt: each customer's last
// billing period before `due` (monthly).
std::optional<std::pair<meters::LocalDate, meters::LocalDate>> runPeriod(const ScheduleRule& rule,
                                                                         std::string_view timeZone,
                                                                         TimePoint due);

struct RetryPolicy {
  int maxAttempts = 5;
  std::chrono::seconds firstPause{std::chrono::minutes{5}};
  std::chrono::seconds longestPause{std::chrono::hours{6}};
};

// After `attempts` failed attempts: when to try again, or nullopt when
// they are used up (the run is failed and reported).
std::optional<TimePoint> retryAt(const RetryPolicy& policy, int attempts, TimePoint now);

}  // namespace openmps::server::reports
