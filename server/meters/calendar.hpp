#pragma once

#include <chrono>
#include <compare>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

// Local calendars: billing periods, schedules and dates in reports are in
// the organisation's time zone (IANA names, the system's tz database).
// Pure: no clock, no database.
namespace openmps::server::meters {

using TimePoint = std::chrono::system_clock::time_point;

class CalendarError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct LocalDate {
  int year = 1970;
  unsigned month = 1;  // 1..12
  unsigned day = 1;    // 1..31
  auto operator<=>(const LocalDate&) const = default;
};

struct LocalTime {
  LocalDate date;
  int hour = 0;
  int minute = 0;
  int second = 0;
  bool operator==(const LocalTime&) const = default;
};

bool isKnownTimeZone(std::string_view name);
// The first instant of the local day (midnight, or the first time that
// exists where a clock change skips midnight). CalendarError for an
// unknown zone.
TimePoint startOfDay(std::string_view timeZone, LocalDate date);
LocalDate localDate(std::string_view timeZone, TimePoint t);
LocalTime localTime(std::string_view timeZone, TimePoint t);
// The instant of a local wall time (the earlier one where it occurs twice,
// the first after the gap where it does not occur).
TimePoint atLocalTime(std::string_view timeZone, LocalDate date, int hour, int minute);

unsigned daysInMonth(int year, unsigned month);
LocalDate addDays(LocalDate date, int days);
// Month arithmetic that keeps the day, clamped to the target month's end.
LocalDate addMonths(LocalDate date, int months);
// 0 = Monday ... 6 = Sunday
int weekday(LocalDate date);
std::string formatDate(LocalDate date);  // YYYY-MM-DD
std::optional<LocalDate> parseDate(std::string_view text);

// [start, end) in UTC instants and the local days it covers.
struct Period {
  TimePoint start;
  TimePoint end;
  LocalDate first;  // first local day
  LocalDate last;   // last local day, inclusive
};

// The local days first..last (inclusive) in the zone.
Period localPeriod(std::string_view timeZone, LocalDate first, LocalDate last);
// A billing month: from billing day N of (year, month) to day N of the
// next month, local midnight; N past a month's end means its last day.
Period billingPeriod(std::string_view timeZone, int billingDay, int year, unsigned month);
// The latest billing period that has ended by `now` ("last month").
Period lastBillingPeriod(std::string_view timeZone, int billingDay, TimePoint now);

}  // namespace openmps::server::meters
