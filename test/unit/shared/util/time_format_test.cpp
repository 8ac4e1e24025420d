#include "shared/util/time_format.hpp"

#include <catch2/catch.hpp>

using namespace openmps::util;
using namespace std::chrono;

TEST_CASE("RFC 3339 times round-trip in UTC with milliseconds", "[util]") {
  const auto t = parseRfc3339("2026-02-28T23:59:59.999Z");
  REQUIRE(t);
  CHECK(formatRfc3339(*t) == "2026-02-28T23:59:59.999Z");
  CHECK(formatRfc3339(*parseRfc3339("2026-11-22T12:00:00+01:30")) == "2026-11-22T10:30:00.000Z");
  CHECK(formatRfc3339(*parseRfc3339("1999-12-31T23:00:00-01:00")) == "2000-01-01T00:00:00.000Z");
}

TEST_CASE("malformed times are refused", "[util]") {
  for (const char* bad :
       {"", "2026-11-22", "2026-11-22T12:00:00", "2026-02-30T00:00:00Z", "2026-11-22T25:00:00Z",
        "2026-11-22T12:00:00.Z", "2026-11-22T12:00:00Zjunk", "2026-11-22 12:00:00Z",
        "20a6-11-22T12:00:00Z"}) {
    INFO(bad);
    CHECK_FALSE(parseRfc3339(bad));
  }
}

TEST_CASE("times the clock cannot hold are refused, not overflowed", "[time]") {
  // Found by fuzzing: year 1013 overflowed system_clock's nanoseconds.
  CHECK_FALSE(parseRfc3339("1013-11-22T08:00:00.000Z"));
  CHECK_FALSE(parseRfc3339("9999-12-31T23:59:59Z"));
  CHECK_FALSE(parseRfc3339("1969-12-31T23:59:59Z"));
  CHECK(parseRfc3339("2200-12-31T23:59:59Z"));
}
