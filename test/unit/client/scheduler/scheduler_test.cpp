#include "client/scheduler/scheduler.hpp"

#include <catch2/catch.hpp>

using namespace openmps;
using namespace openmps::client::scheduler;
using namespace std::chrono_literals;

namespace {

ScheduleSettings defaults() {
  return ScheduleSettings{};
}

// A scheduler whose discovery sweep has just run, so that only device
// tasks fall due in the next hours.
Scheduler swept(const util::ManualClock& clock) {
  Scheduler s(defaults(), clock);
  s.setLastSweep(clock.now());
  return s;
}

}  // namespace

TEST_CASE("new devices are read at once, then on their intervals") {
  util::ManualClock clock;
  Scheduler s = swept(clock);
  s.addDevice(1, std::nullopt, std::nullopt);
  auto due = s.takeDueTasks(10);
  // One conversation per device at a time: the meter read first.
  REQUIRE(due.size() == 1);
  CHECK(due[0] == Task{1, TaskKind::kMeter});
  CHECK(s.takeDueTasks(10).empty());
  s.taskDone(due[0], true);
  // A meter read includes the status: the next poll is one interval later.
  CHECK(s.takeDueTasks(10).empty());
  CHECK(s.nextDue() == clock.monotonic() + 5min);
  clock.advance(5min);
  due = s.takeDueTasks(10);
  REQUIRE(due.size() == 1);
  CHECK(due[0] == Task{1, TaskKind::kStatus});
  s.taskDone(due[0], true);
  int polls = 1;
  int meters = 0;
  for (int minute = 0; minute < 24 * 60; ++minute) {
    clock.advance(1min);
    for (const Task& t : s.takeDueTasks(10)) {
      (t.kind == TaskKind::kMeter ? meters : polls)++;
      s.taskDone(t, true);
    }
  }
  CHECK(meters == 1);
  CHECK(polls >= 287);
  CHECK(polls <= 289);
}

TEST_CASE("remembered reads resume where they left off after a restart") {
  util::ManualClock clock;
  Scheduler s(defaults(), clock);
  s.addDevice(1, clock.now() - 23h, clock.now() - 1min);
  s.setLastSweep(clock.now() - 2h);
  CHECK(s.takeDueTasks(10).empty());
  CHECK_FALSE(s.sweepDue());
  CHECK(s.nextDue() == clock.monotonic() + 4min);
  clock.advance(4min);
  CHECK(s.takeDueTasks(10) == std::vector<Task>{{1, TaskKind::kStatus}});
  clock.advance(1h);
  s.taskDone({1, TaskKind::kStatus}, true);
  CHECK(s.takeDueTasks(10) == std::vector<Task>{{1, TaskKind::kMeter}});
  clock.advance(22h);
  CHECK(s.sweepDue());
  s.sweepStarted();
  CHECK_FALSE(s.sweepDue());
  s.sweepFinished();
  CHECK_FALSE(s.sweepDue());
  clock.advance(24h);
  CHECK(s.sweepDue());
}

TEST_CASE("a wall clock set back does not stall reads for longer than an interval") {
  util::ManualClock clock;
  Scheduler s(defaults(), clock);
  s.addDevice(1, clock.now() + 30 * 24h, clock.now() + 30 * 24h);
  clock.advance(24h);
  CHECK_FALSE(s.takeDueTasks(10).empty());
}

TEST_CASE("a silent device is asked again after a minute, then on the status interval") {
  util::ManualClock clock;
  Scheduler s = swept(clock);
  s.addDevice(1, clock.now(), clock.now());
  clock.advance(5min);
  auto due = s.takeDueTasks(10);
  REQUIRE(due == std::vector<Task>{{1, TaskKind::kStatus}});
  s.taskDone(due[0], false);
  CHECK(s.nextDue() == clock.monotonic() + 60s);
  clock.advance(60s);
  due = s.takeDueTasks(10);
  REQUIRE(due.size() == 1);
  s.taskDone(due[0], false);
  CHECK(s.nextDue() == clock.monotonic() + 5min);
}

TEST_CASE("failed meter reads are retried within the hour") {
  util::ManualClock clock;
  Scheduler s(defaults(), clock);
  s.addDevice(1, std::nullopt, clock.now());
  auto due = s.takeDueTasks(10);
  s.taskDone(due[0], false);
  clock.advance(59min);
  for (const Task& t : s.takeDueTasks(10)) {
    CHECK(t.kind == TaskKind::kStatus);
    s.taskDone(t, true);
  }
  clock.advance(1min);
  const auto retry = s.takeDueTasks(10);
  CHECK(std::find(retry.begin(), retry.end(), Task{1, TaskKind::kMeter}) != retry.end());
}

TEST_CASE("at most max tasks are handed out, the most overdue first") {
  util::ManualClock clock;
  Scheduler s(defaults(), clock);
  for (DeviceId id = 1; id <= 100; ++id) {
    s.addDevice(id, clock.now() - 24h - std::chrono::minutes(id), clock.now());
  }
  const auto due = s.takeDueTasks(10);
  REQUIRE(due.size() == 10);
  CHECK(due.front().device == 100);
  CHECK(s.tasksInFlight() == 10);
  s.removeDevice(100);
  CHECK(s.tasksInFlight() == 9);
  s.taskDone({100, TaskKind::kMeter}, true);  // a late answer for a removed device
  CHECK(s.tasksInFlight() == 9);
  CHECK(s.deviceCount() == 99);
}

TEST_CASE("a client that never swept sweeps at once; the sweep counts for nextDue") {
  util::ManualClock clock;
  Scheduler s(defaults(), clock);
  s.setLastSweep(std::nullopt);
  s.addDevice(1, clock.now(), clock.now());
  CHECK(s.sweepDue());
  CHECK(s.nextDue() == clock.monotonic());
  s.sweepStarted();
  // While the sweep runs, the next thing due is the device's status poll.
  CHECK(s.nextDue() == clock.monotonic() + 5min);
  clock.advance(2min);
  s.sweepFinished();
  CHECK(s.nextDue() == clock.monotonic() + 3min);
  CHECK_FALSE(s.sweepDue());
}

TEST_CASE("new intervals move the next sweep at once and the reads from their next turn") {
  util::ManualClock clock;
  Scheduler s = swept(clock);
  CHECK(s.sweepDueAt() == clock.monotonic() + 24h);
  s.addDevice(1, clock.now(), clock.now());
  CHECK(s.nextTaskDue() == clock.monotonic() + 5min);
  ScheduleSettings faster;
  faster.discovery = 1h;
  faster.status = 1min;
  s.setSettings(faster);
  CHECK(s.sweepDueAt() == clock.monotonic() + 1h);
  clock.advance(5min);
  const auto due = s.takeDueTasks(10);
  REQUIRE(due.size() == 1);
  s.taskDone(due[0], true);
  CHECK(s.nextTaskDue() == clock.monotonic() + 1min);
  s.sweepStarted();
  CHECK_FALSE(s.sweepDueAt());
}
