#include "client/scheduler/scheduler.hpp"

#include <algorithm>

namespace openmps::client::scheduler {

Scheduler::Scheduler(ScheduleSettings settings, const util::Clock& clock)
    : settings_(settings), clock_(clock), sweepDue_(clock.monotonic()) {}

// Deadlines run on the monotonic clock so that a wall clock set back by an
// hour cannot stall reads; the store keeps wall times, converted here once.
MonoTime Scheduler::dueFromWall(std::optional<WallTime> last, std::chrono::seconds interval) const {
  const MonoTime now = clock_.monotonic();
  if (!last) {
    return now;
  }
  const auto left = (*last + interval) - clock_.now();
  // Overdue keeps its place in the queue: the device that waited longest
  // is read first when more are due than may run at once.
  if (left <= WallTime::duration::zero()) {
    return now + left;
  }
  // A last read in the future (clock set back) waits at most one interval.
  return now + std::min<std::chrono::nanoseconds>(left, interval);
}

void Scheduler::addDevice(DeviceId device, std::optional<WallTime> lastMeter,
                          std::optional<WallTime> lastStatus) {
  if (devices_.contains(device)) {
    return;
  }
  devices_[device] = {};
  schedule(device, TaskKind::kMeter, dueFromWall(lastMeter, settings_.meter));
  schedule(device, TaskKind::kStatus, dueFromWall(lastStatus, settings_.status));
}

void Scheduler::removeDevice(DeviceId device) {
  const auto it = devices_.find(device);
  if (it == devices_.end()) {
    return;
  }
  unschedule(device, TaskKind::kMeter);
  unschedule(device, TaskKind::kStatus);
  if (it->second.meterBusy) {
    --inFlight_;
  }
  if (it->second.statusBusy) {
    --inFlight_;
  }
  devices_.erase(it);
}

void Scheduler::schedule(DeviceId device, TaskKind kind, MonoTime due) {
  DeviceState& state = devices_.at(device);
  unschedule(device, kind);
  (kind == TaskKind::kMeter ? state.meterDue : state.statusDue) = due;
  queue_.insert({due, device, kind});
}

void Scheduler::unschedule(DeviceId device, TaskKind kind) {
  const DeviceState& state = devices_.at(device);
  queue_.erase({kind == TaskKind::kMeter ? state.meterDue : state.statusDue, device, kind});
}

std::vector<Task> Scheduler::takeDueTasks(std::size_t max) {
  std::vector<Task> out;
  const MonoTime now = clock_.monotonic();
  auto it = queue_.begin();
  while (it != queue_.end() && it->due <= now && out.size() < max) {
    DeviceState& state = devices_.at(it->device);
    // One conversation with a device at a time: a status poll waits while
    // its meter read runs (the meter read will reset it anyway).
    if (state.meterBusy || state.statusBusy) {
      ++it;
      continue;
    }
    (it->kind == TaskKind::kMeter ? state.meterBusy : state.statusBusy) = true;
    out.push_back({it->device, it->kind});
    ++inFlight_;
    it = queue_.erase(it);
  }
  return out;
}

void Scheduler::taskDone(Task task, bool ok) {
  const auto it = devices_.find(task.device);
  if (it == devices_.end()) {
    return;  // removed while it was being read
  }
  DeviceState& state = it->second;
  bool& busy = task.kind == TaskKind::kMeter ? state.meterBusy : state.statusBusy;
  if (!busy) {
    return;
  }
  busy = false;
  --inFlight_;
  const MonoTime now = clock_.monotonic();
  if (task.kind == TaskKind::kMeter) {
    if (ok) {
      state.statusFailures = 0;
      schedule(task.device, TaskKind::kMeter, now + settings_.meter);
      schedule(task.device, TaskKind::kStatus, now + settings_.status);
    } else {
      schedule(task.device, TaskKind::kMeter,
               now + std::min(settings_.meterRetry, settings_.meter));
    }
    return;
  }
  if (ok) {
    state.statusFailures = 0;
    schedule(task.device, TaskKind::kStatus, now + settings_.status);
    return;
  }
  ++state.statusFailures;
  const auto wait = state.statusFailures == 1 ? std::min(settings_.offlineConfirm, settings_.status)
                                              : settings_.status;
  schedule(task.device, TaskKind::kStatus, now + wait);
}

void Scheduler::setLastSweep(std::optional<WallTime> lastSweep) {
  sweepDue_ = dueFromWall(lastSweep, settings_.discovery);
}

void Scheduler::setSettings(const ScheduleSettings& settings) {
  if (!sweepRunning_) {
    sweepDue_ = sweepDue_ - settings_.discovery + settings.discovery;
  }
  settings_ = settings;
}

std::optional<MonoTime> Scheduler::sweepDueAt() const {
  if (sweepRunning_) return std::nullopt;
  return sweepDue_;
}

std::optional<MonoTime> Scheduler::nextTaskDue() const {
  for (const Entry& e : queue_) {
    const DeviceState& state = devices_.at(e.device);
    if (!state.meterBusy && !state.statusBusy) return e.due;
  }
  return std::nullopt;
}

bool Scheduler::sweepDue() const {
  return !sweepRunning_ && sweepDue_ <= clock_.monotonic();
}

void Scheduler::sweepStarted() {
  sweepRunning_ = true;
}

void Scheduler::sweepFinished() {
  sweepRunning_ = false;
  sweepDue_ = clock_.monotonic() + settings_.discovery;
}

std::optional<MonoTime> Scheduler::nextDue() const {
  std::optional<MonoTime> next;
  if (!sweepRunning_) {
    next = sweepDue_;
  }
  for (const Entry& e : queue_) {
    const DeviceState& state = devices_.at(e.device);
    if (state.meterBusy || state.statusBusy) {
      continue;
    }
    if (!next || e.due < *next) {
      next = e.due;
    }
    break;
  }
  return next;
}

}  // namespace openmps::client::scheduler
