#include "server/meters/calendar.hpp"

#include <catch2/catch.hpp>

#include "shared/util/time_format.hpp"

using namespace openmps::server::meters;
using openmps::util::formatRfc3339;

TEST_CASE("billing months start at local midnight in the customer's zone", "[server][meters]") {
  const Period p = billingPeriod("Europe/Berlin", 1, 2026, 11);
  CHECK(formatRfc3339(p.start) == "2026-10-31T23:00:00.000Z");
  CHECK(formatRfc3339(p.end) == "2026-11-30T23:00:00.000Z");
  CHECK(p.first == LocalDate{2026, 11, 1});
  CHECK(p.last == LocalDate{2026, 11, 30});
  const Period ny = billingPeriod("America/New_York", 1, 2026, 11);
  CHECK(formatRfc3339(ny.start) == "2026-11-01T04:00:00.000Z");  // still summer time
  CHECK(formatRfc3339(ny.end) == "2026-12-01T05:00:00.000Z");
}

TEST_CASE("a month with a clock change is an hour shorter or longer", "[server][meters]") {
  const Period march = billingPeriod("Europe/Zurich", 1, 2026, 3);
  CHECK(march.end - march.start == std::chrono::hours{31 * 24 - 1});
  const Period october = billingPeriod("Europe/Zurich", 1, 2026, 10);
  CHECK(october.end - october.start == std::chrono::hours{31 * 24 + 1});
  CHECK(billingPeriod("UTC", 1, 2026, 3).end - billingPeriod("UTC", 1, 2026, 3).start ==
        std::chrono::hours{31 * 24});
}

TEST_CASE("a billing day past the month's end is its last day", "[server][meters]") {
  const Period feb = billingPeriod("UTC", 31, 2026, 2);
  CHECK(feb.first == LocalDate{2026, 2, 28});
  CHECK(feb.last == LocalDate{2026, 3, 30});
  const Period mar = billingPeriod("UTC", 31, 2026, 3);
  CHECK(mar.first == LocalDate{2026, 3, 31});
  CHECK(mar.start == feb.end);  // periods follow each other without gap or overlap
  const Period leap = billingPeriod("UTC", 30, 2028, 2);
  CHECK(leap.first == LocalDate{2028, 2, 29});
  const Period mid = billingPeriod("Europe/Rome", 15, 2026, 12);
  CHECK(mid.first == LocalDate{2026, 12, 15});
  CHECK(mid.last == LocalDate{2027, 1, 14});
}

TEST_CASE("last billing period is the latest that has ended", "[server][meters]") {
  const auto now = *openmps::util::parseRfc3339("2026-12-04T10:00:00Z");
  CHECK(lastBillingPeriod("Europe/Berlin", 1, now).first == LocalDate{2026, 11, 1});
  CHECK(lastBillingPeriod("Europe/Berlin", 15, now).first == LocalDate{2026, 10, 15});
  CHECK(lastBillingPeriod("Europe/Berlin", 4, now).first == LocalDate{2026, 11, 4});
  CHECK(lastBillingPeriod("Europe/Berlin", 5, now).first == LocalDate{2026, 10, 5});
  // Just after local midnight on the 1st in Berlin, still November in UTC.
  const auto justAfter = *openmps::util::parseRfc3339("2026-11-30T23:30:00Z");
  CHECK(lastBillingPeriod("Europe/Berlin", 1, justAfter).first == LocalDate{2026, 11, 1});
  CHECK(lastBillingPeriod("UTC", 1, justAfter).first == LocalDate{2026, 10, 1});
}

TEST_CASE("local dates, times and date arithmetic", "[server][meters]") {
  const auto t = *openmps::util::parseRfc3339("2026-12-31T23:30:00Z");
  CHECK(localDate("Europe/Paris", t) == LocalDate{2027, 1, 1});
  CHECK(localDate("UTC", t) == LocalDate{2026, 12, 31});
  const LocalTime lt = localTime("Asia/Tokyo", t);
  CHECK(lt.hour == 8);
  CHECK(lt.minute == 30);
  CHECK(addMonths({2026, 1, 31}, 1) == LocalDate{2026, 2, 28});
  CHECK(addMonths({2026, 1, 15}, -2) == LocalDate{2025, 11, 15});
  CHECK(addDays({2026, 12, 31}, 1) == LocalDate{2027, 1, 1});
  CHECK(weekday({2026, 12, 4}) == 4);  // a Friday
  CHECK(formatDate({2026, 3, 9}) == "2026-03-09");
  CHECK(parseDate("2026-02-29") == std::nullopt);
  CHECK(parseDate("2028-02-29") == LocalDate{2028, 2, 29});
  CHECK(parseDate("2026-1-01") == std::nullopt);
  // 02:30 does not exist on 2026-03-29 in Berlin: the first instant after the gap.
  CHECK(formatRfc3339(atLocalTime("Europe/Berlin", {2026, 3, 29}, 2, 30)) ==
        "2026-03-29T01:00:00.000Z");
}

TEST_CASE("unknown time zones are refused by name", "[server][meters]") {
  CHECK(isKnownTimeZone("Europe/Zurich"));
  CHECK_FALSE(isKnownTimeZone("Mars/Olympus"));
  CHECK_FALSE(isKnownTimeZone(""));
  CHECK_THROWS_WITH(billingPeriod("Mars/Olympus", 1, 2026, 1),
                    Catch::Contains("unknown time zone 'Mars/Olympus'"));
}
