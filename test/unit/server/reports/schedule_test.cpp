#include "server/reports/schedule.hpp"

#include <catch2/catch.hpp>

#include "shared/util/time_format.hpp"

using namespace openmps::server::reports;
using openmps::server::meters::LocalDate;
using openmps::util::formatRfc3339;

namespace {
TimePoint at(const char* text) {
  return *openmps::util::parseRfc3339(text);
}
}  // namespace

TEST_CASE("monthly runs on day N at the local hour, the month's last day when shorter",
          "[server][reports]") {
  const ScheduleRule rule{Frequency::kMonthly, 1, 6};
  CHECK(formatRfc3339(nextRun(rule, "Europe/Berlin", at("2026-12-04T10:00:00Z"))) ==
        "2027-01-01T05:00:00.000Z");
  CHECK(formatRfc3339(nextRun(rule, "Europe/Berlin", at("2027-01-01T05:00:00Z"))) ==
        "2027-02-01T05:00:00.000Z");  // strictly after
  const ScheduleRule end{Frequency::kMonthly, 31, 7};
  CHECK(formatRfc3339(nextRun(end, "UTC", at("2026-02-01T00:00:00Z"))) ==
        "2026-02-28T07:00:00.000Z");
  CHECK(formatRfc3339(nextRun(end, "UTC", at("2026-02-28T07:00:00Z"))) ==
        "2026-03-31T07:00:00.000Z");
  // summer time: 06:00 in Zurich is 04:00 UTC
  CHECK(formatRfc3339(nextRun(rule, "Europe/Zurich", at("2026-06-15T00:00:00Z"))) ==
        "2026-07-01T04:00:00.000Z");
  CHECK_FALSE(
      runPeriod(rule, "UTC", at("2026-07-01T04:00:00Z")));  // each customer's billing period
}

TEST_CASE("weekly and daily runs and the days they cover", "[server][reports]") {
  const ScheduleRule monday{Frequency::kWeekly, 1, 8};
  const auto due = nextRun(monday, "Europe/Rome", at("2026-12-04T10:00:00Z"));  // a Friday
  CHECK(formatRfc3339(due) == "2026-12-07T07:00:00.000Z");
  const auto week = runPeriod(monday, "Europe/Rome", due);
  REQUIRE(week);
  CHECK(week->first == LocalDate{2026, 11, 30});
  CHECK(week->second == LocalDate{2026, 12, 6});
  const ScheduleRule daily{Frequency::kDaily, 1, 0};
  const auto d = nextRun(daily, "America/New_York", at("2026-12-04T10:00:00Z"));
  CHECK(formatRfc3339(d) == "2026-12-05T05:00:00.000Z");
  CHECK(runPeriod(daily, "America/New_York", d)->first == LocalDate{2026, 12, 4});
}

TEST_CASE("rules are checked", "[server][reports]") {
  CHECK(ruleProblem({Frequency::kWeekly, 8, 6}).find("weekday") != std::string::npos);
  CHECK(ruleProblem({Frequency::kMonthly, 0, 6}).find("day 1 to 31") != std::string::npos);
  CHECK(ruleProblem({Frequency::kDaily, 1, 24}).find("hour") != std::string::npos);
  CHECK(ruleProblem({Frequency::kMonthly, 31, 23}).empty());
  CHECK(parseFrequency("weekly") == Frequency::kWeekly);
  CHECK_FALSE(parseFrequency("hourly"));
}

TEST_CASE("failed runs are retried with growing pauses, then given up and reported",
          "[server][reports]") {
  const RetryPolicy p{4, std::chrono::minutes{5}, std::chrono::hours{1}};
  const auto now = at("2026-12-01T06:00:00Z");
  CHECK(*retryAt(p, 1, now) - now == std::chrono::minutes{5});
  CHECK(*retryAt(p, 2, now) - now == std::chrono::minutes{15});
  CHECK(*retryAt(p, 3, now) - now == std::chrono::minutes{45});
  CHECK_FALSE(retryAt(p, 4, now));
  const RetryPolicy q{10, std::chrono::minutes{5}, std::chrono::hours{1}};
  CHECK(*retryAt(q, 9, now) - now == std::chrono::hours{1});
}
