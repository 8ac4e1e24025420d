#include "client/outbox/retry_policy.hpp"

#include <catch2/catch.hpp>

#include "client/outbox/outbox.hpp"

using namespace openmps::client::outbox;
using namespace std::chrono_literals;

TEST_CASE("backoff doubles from the initial delay up to the maximum, with jitter") {
  const RetryPolicy p{10s, 30min, 2.0};
  CHECK(p.delayAfter(1, 0.0) == 5s);
  CHECK(p.delayAfter(1, 0.999999) <= 10s);
  CHECK(p.delayAfter(1, 0.999999) > 9s);
  CHECK(p.delayAfter(2, 0.0) == 10s);
  CHECK(p.delayAfter(3, 0.0) == 20s);
  CHECK(p.delayAfter(4, 1.0) == 80s);
  CHECK(p.delayAfter(50, 1.0) == 30min);
  CHECK(p.delayAfter(1000, 0.0) == 15min);
  // Jitter actually spreads: two clients with different draws differ.
  CHECK(p.delayAfter(5, 0.1) != p.delayAfter(5, 0.9));
}

TEST_CASE("a batch is formed at once for urgent readings, otherwise after the send interval") {
  const WallTime now{std::chrono::seconds{1'800'000'000}};
  OutboxStats s;
  CHECK_FALSE(shouldFormBatch(s, 15min, 500, now, true));  // nothing queued
  s.queuedItems = 3;
  s.oldestQueuedAt = now - 1min;
  CHECK_FALSE(shouldFormBatch(s, 15min, 500, now, false));
  CHECK(shouldFormBatch(s, 15min, 500, now, true));  // --once, shutdown
  s.urgentQueued = true;
  CHECK(shouldFormBatch(s, 15min, 500, now, false));
  s.urgentQueued = false;
  s.oldestQueuedAt = now - 15min;
  CHECK(shouldFormBatch(s, 15min, 500, now, false));
  s.oldestQueuedAt = now - 1min;
  s.queuedItems = 500;
  CHECK(shouldFormBatch(s, 15min, 500, now, false));
}
