#include "server/receiver/rate_limiter.hpp"

#include <catch2/catch.hpp>

using openmps::server::receiver::RateLimiter;
using openmps::util::ManualClock;

TEST_CASE("a burst, then one call per refill interval", "[server][receiver]") {
  ManualClock clock;
  RateLimiter limiter(clock, 60, 3);  // one token a second, bursts of 3
  CHECK(limiter.allow("1"));
  CHECK(limiter.allow("1"));
  CHECK(limiter.allow("1"));
  CHECK_FALSE(limiter.allow("1"));
  CHECK(limiter.allow("2"));  // other clients have their own bucket
  clock.advance(std::chrono::milliseconds(999));
  CHECK_FALSE(limiter.allow("1"));
  clock.advance(std::chrono::milliseconds(1));
  CHECK(limiter.allow("1"));
  CHECK_FALSE(limiter.allow("1"));
  clock.advance(std::chrono::hours(1));  // refills up to the burst, not beyond
  CHECK(limiter.allow("1"));
  CHECK(limiter.allow("1"));
  CHECK(limiter.allow("1"));
  CHECK_FALSE(limiter.allow("1"));
}

TEST_CASE("the table of clients is bounded", "[server][receiver]") {
  ManualClock clock;
  RateLimiter limiter(clock, 1, 1, 3);
  for (std::uint64_t id = 0; id < 100; ++id) {
    CHECK(limiter.allow(std::to_string(id)));
  }
  CHECK(limiter.size() == 3);
  CHECK_FALSE(limiter.allow("99"));  // recent clients keep their (empty) bucket
}
