#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <unordered_map>
#include <vector>

#include "shared/util/clock.hpp"

// What is due when: meter reads, status polls and discovery sweeps. Pure
// logic over an injected clock; the daemon asks it what to start and tells
// it how things went.
namespace openmps::client::scheduler {

using DeviceId = std::uint64_t;
using WallTime = util::Clock::WallTime;
using MonoTime = util::Clock::MonoTime;

enum class TaskKind { kMeter, kStatus };

struct Task {
  DeviceId device = 0;
  TaskKind kind = TaskKind::kMeter;
  bool operator==(const Task&) const = default;
};

struct ScheduleSettings {
  std::chrono::seconds discovery{std::chrono::hours{24}};
  std::chrono::seconds meter{std::chrono::hours{24}};
  std::chrono::seconds status{std::chrono::minutes{5}};
  // A meter read that failed (device off for the night) is tried again
  // after this, or after the meter interval if that is shorter.
  std::chrono::seconds meterRetry{std::chrono::hours{1}};
  // A device that stops answering is asked once more after this before it
  // counts as offline, so one lost datagram does not page a technician.
  std::chrono::seconds offlineConfirm{std::chrono::seconds{60}};
};

class Scheduler {
 public:
  Scheduler(ScheduleSettings settings, const util::Clock& clock);

  // A device to read; last* are what the store remembers (nothing: due now).
  void addDevice(DeviceId device, std::optional<WallTime> lastMeter,
                 std::optional<WallTime> lastStatus);
  void removeDevice(DeviceId device);
  bool hasDevice(DeviceId device) const { return devices_.contains(device); }
  std::size_t deviceCount() const { return devices_.size(); }

  // Tasks due now, earliest first, at most max. Each is handed out once and
  // not again until taskDone() reports it.
  std::vector<Task> takeDueTasks(std::size_t max);
  // outcome true: read and committed; false: the device did not answer.
  // A finished meter read counts as a status poll too.
  void taskDone(Task task, bool ok);
  std::size_t tasksInFlight() const { return inFlight_; }

  void setLastSweep(std::optional<WallTime> lastSweep);
  // New intervals (a configuration applied while running): each counts
  // from the next time its task is scheduled; the next sweep moves at once.
  void setSettings(const ScheduleSettings& settings);
  // When the next sweep is due; nullopt while one runs.
  std::optional<MonoTime> sweepDueAt() const;
  // The earliest device task due; nullopt when none is scheduled.
  std::optional<MonoTime> nextTaskDue() const;
  bool sweepDue() const;
  void sweepStarted();
  void sweepFinished();

  // When something next falls due (for the daemon's timed wait); nullopt
  // when nothing is scheduled.
  std::optional<MonoTime> nextDue() const;

 private:
  struct Entry {
    MonoTime due;
    DeviceId device;
    TaskKind kind;
    auto operator<=>(const Entry&) const = default;
  };
  struct DeviceState {
    MonoTime meterDue{};
    MonoTime statusDue{};
    bool meterBusy = false;
    bool statusBusy = false;
    int statusFailures = 0;
  };
  MonoTime dueFromWall(std::optional<WallTime> last, std::chrono::seconds interval) const;
  void schedule(DeviceId device, TaskKind kind, MonoTime due);
  void unschedule(DeviceId device, TaskKind kind);

  ScheduleSettings settings_;
  const util::Clock& clock_;
  std::unordered_map<DeviceId, DeviceState> devices_;
  std::set<Entry> queue_;
  std::size_t inFlight_ = 0;
  MonoTime sweepDue_{};
  bool sweepRunning_ = false;
};

}  // namespace openmps::client::scheduler
