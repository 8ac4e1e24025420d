#include "server/reports/schedule.hpp"

#include <algorithm>

namespace openmps::server::reports {
namespace {

meters::LocalDate monthlyDay(int year, unsigned month, int day) {
  return {year, month, std::min(static_cast<unsigned>(day), meters::daysInMonth(year, month))};
}

// The rule's run on the given local date, or nullopt if it has none then.
std::optional<TimePoint> runOn(const ScheduleRule& rule, std::string_view tz, meters::LocalDate d) {
  switch (rule.frequency) {
    case Frequency::kDaily: break;
    case Frequency::kWeekly:
      if (meters::weekday(d) + 1 != rule.day) return std::nullopt;
      break;
    case Frequency::kMonthly:
      if (d != monthlyDay(d.year, d.month, rule.day)) return std::nullopt;
      break;
  }
  return meters::atLocalTime(tz, d, rule.hour, 0);
}

}  // namespace

std::optional<Frequency> parseFrequency(std::string_view text) {
  if (text == "monthly") return Frequency::kMonthly;
  if (text == "weekly") return Frequency::kWeekly;
  if (text == "daily") return Frequency::kDaily;
  return std::nullopt;
}

const char* toString(Frequency f) {
  switch (f) {
    case Frequency::kMonthly: return "monthly";
    case Frequency::kWeekly: return "weekly";
    case Frequency::kDaily: return "daily";
  }
  return "monthly";
}

std::string ruleProblem(const ScheduleRule& rule) {
  if (rule.hour < 0 || rule.hour > 23) return "hour must be 0 to 23";
  if (rule.frequency == Frequency::kMonthly && (rule.day < 1 || rule.day > 31)) {
    return "a monthly schedule runs on day 1 to 31";
  }
  if (rule.frequency == Frequency::kWeekly && (rule.day < 1 || rule.day > 7)) {
    return "a weekly schedule runs on weekday 1 (Monday) to 7 (Sunday)";
  }
  return {};
}

TimePoint nextRun(const ScheduleRule& rule, std::string_view tz, TimePoint after) {
  // At most a month and a few days ahead; step through the local days.
  meters::LocalDate d = meters::localDate(tz, after);
  for (int i = 0; i < 400; ++i, d = meters::addDays(d, 1)) {
    if (const auto t = runOn(rule, tz, d); t && *t > after) {
      return *t;
    }
  }
  return after + std::chrono::hours{24 * 31};  // unreachable for a valid rule
}

std::optional<std::pair<meters::LocalDate, meters::LocalDate>> runPeriod(const ScheduleRule& rule,
                                                                         std::string_view tz,
                                                                         TimePoint due) {
  const meters::LocalDate today = meters::localDate(tz, due);
  const meters::LocalDate yesterday = meters::addDays(today, -1);
  switch (rule.frequency) {
    case Frequency::kMonthly: return std::nullopt;
    case Frequency::kWeekly: return std::make_pair(meters::addDays(today, -7), yesterday);
    case Frequency::kDaily: return std::make_pair(yesterday, yesterday);
  }
  return std::nullopt;
}

std::optional<TimePoint> retryAt(const RetryPolicy& policy, int attempts, TimePoint now) {
  if (attempts >= policy.maxAttempts) {
    return std::nullopt;
  }
  auto pause = policy.firstPause;
  for (int i = 1; i < attempts && pause < policy.longestPause; ++i) {
    pause *= 3;
  }
  return now + std::min(pause, policy.longestPause);
}

}  // namespace openmps::server::reports
