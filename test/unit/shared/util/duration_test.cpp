#include "shared/util/duration.hpp"

#include <catch2/catch.hpp>

using openmps::util::formatDuration;
using openmps::util::parseDuration;
using namespace std::chrono_literals;

TEST_CASE("durations", "[util]") {
  CHECK(parseDuration("90s") == 90s);
  CHECK(parseDuration("5m") == 300s);
  CHECK(parseDuration("1h30m") == 5400s);
  CHECK(parseDuration("2w") == std::chrono::seconds{14 * 86400});
  CHECK_FALSE(parseDuration("300"));
  CHECK_FALSE(parseDuration("5 m"));
  CHECK_FALSE(parseDuration("m"));
  CHECK_FALSE(parseDuration("-5m"));
  CHECK_FALSE(parseDuration(""));
  CHECK(formatDuration(86400s) == "1d");
  CHECK(formatDuration(5400s) == "1h30m");
}
