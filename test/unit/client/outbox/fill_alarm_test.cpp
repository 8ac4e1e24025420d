#include "client/outbox/fill_alarm.hpp"

#include <catch2/catch.hpp>

using openmps::client::outbox::FillAlarm;

TEST_CASE("the outbox fill alarm speaks once per level on the way up", "[outbox]") {
  FillAlarm alarm;
  CHECK_FALSE(alarm.update(499, 1000));
  CHECK(alarm.update(500, 1000) == 50);
  CHECK_FALSE(alarm.update(700, 1000));
  CHECK(alarm.update(850, 1000) == 80);
  CHECK(alarm.update(990, 1000) == 95);  // jumping two levels names the higher
  CHECK_FALSE(alarm.update(1000, 1000));
  CHECK_FALSE(alarm.update(600, 1000));  // still above 50 %: nothing re-armed
  CHECK_FALSE(alarm.update(900, 1000));
}

TEST_CASE("the outbox fill alarm is armed again below half", "[outbox]") {
  FillAlarm alarm;
  CHECK(alarm.update(800, 1000) == 80);
  CHECK_FALSE(alarm.update(100, 1000));
  CHECK(alarm.update(500, 1000) == 50);
  CHECK_FALSE(alarm.update(1, 0));  // no cap: no alarm
}
