#include "shared/util/log_throttle.hpp"

#include <catch2/catch.hpp>

using namespace openmps::util;
using namespace std::chrono_literals;

TEST_CASE("the log throttle writes a few lines per window and counts the rest", "[util][log]") {
  ManualClock clock;
  LogThrottle throttle(clock, 60s, 2);
  CHECK(throttle.admit() == std::optional<std::size_t>(0));
  CHECK(throttle.admit() == std::optional<std::size_t>(0));
  for (int i = 0; i < 1000; ++i) CHECK_FALSE(throttle.admit());
  clock.advance(59s);
  CHECK_FALSE(throttle.admit());
  clock.advance(1s);
  CHECK(throttle.admit() == std::optional<std::size_t>(1001));  // says what it left out
  CHECK(throttle.admit() == std::optional<std::size_t>(0));
  CHECK(suppressedNote(0).empty());
  CHECK(suppressedNote(1001) == " (1001 similar lines left out)");
}
