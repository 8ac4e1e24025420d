#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "shared/model/reading.hpp"

// Decides what a fresh reading (or a device that stopped answering) means:
// keep it or not, send it at once or with the next batch.
namespace openmps::client::scheduler {

// What the store remembers about a device's last known condition.
struct DeviceCondition {
  // Digest of the last stored status and supplies (statusDigest()).
  std::string statusDigest;
  // Critical conditions last seen, sorted ("doorOpen", "jammed", "offline").
  std::vector<std::string> critical;
  // True once the device has answered at least once.
  bool everOnline = false;

  bool offline() const;
  bool operator==(const DeviceCondition&) const = default;
};

struct Verdict {
  bool store = false;   // commit it to the outbox
  bool urgent = false;  // send it at once
  std::vector<std::string> newCritical;
  DeviceCondition next;
};

inline constexpr const char* kOffline = "offline";

// The critical conditions a status shows (model::isCriticalError), sorted.
std::vector<std::string> criticalConditions(const model::Status& status);

// What status polls compare: printer and device status, errors, alerts and
// every supply's state and percentage. Counters and timestamps are left out,
// so an unchanged device yields the same digest poll after poll.
std::string statusDigest(const model::Reading& reading);

// Meter readings are always stored. Status readings are stored when their
// digest changed, so a quiet fleet does not send 288 identical polls per
// device and day. Either is urgent when it shows a critical condition that
// was not there before, or when the device is back after being offline
// with a critical condition.
Verdict judgeReading(const DeviceCondition& previous, const model::Reading& reading);

// The device did not answer twice in a row. It becomes offline (urgent)
// if it had been online before; a device that never answered is not news.
// The reading to store is made by offlineReading().
Verdict judgeSilence(const DeviceCondition& previous);

// The status reading that records a device going silent: no counters,
// deviceStatus "down", error "offline", and the reason as a note.
model::Reading offlineReading(const model::DeviceIdentity& identity, const model::Origin& origin,
                              std::chrono::system_clock::time_point at, const std::string& reason);

}  // namespace openmps::client::scheduler
