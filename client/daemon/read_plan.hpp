#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

#include "client/config/client_config.hpp"
#include "client/discovery/known_device.hpp"
#include "client/pmd/device_reader.hpp"
#include "client/scheduler/scheduler.hpp"
#include "client/scheduler/triage.hpp"
#include "client/snmp/snmp_client.hpp"
#include "shared/model/reading.hpp"
#include "shared/util/clock.hpp"

// The collector's pure decisions about reads: whom to ask how, how long to
// wait, and what a result (or a silence) means. The collector does the I/O.
namespace openmps::client::daemon {

using util::Clock;

// Reads started at once; the SNMP client queues beyond its own limit anyway,
// this keeps the result queue and memory small.
inline constexpr std::size_t kMaxReadsInFlight = 64;
// A device counts as offline from this many failed reads in a row: one lost
// answer is not news (the scheduler asks again soon after the first).
inline constexpr int kOfflineAfterFailures = 2;

// "host:port", as readings name where a device answered.
std::string deviceAddress(const discovery::KnownDevice& device);

// How many reads may start now.
std::size_t readRoom(std::size_t inFlight);

// The device at its address with the credential set that worked at
// discovery (the first configured set when that one is gone).
snmp::Target readTarget(const discovery::KnownDevice& device, const config::ClientConfig& config);

// How long the collector's loop sleeps when nothing arrives: until the next
// task is due (and a second more, so it is due then), from 1 s to 60 s.
std::chrono::milliseconds loopWait(std::optional<Clock::MonoTime> nextDue, Clock::MonoTime now);

// How long the sender sleeps after a step that sent nothing: until the
// batch's retry time, from 100 ms to 30 s (new readings wake it earlier).
std::chrono::milliseconds senderWait(std::optional<Clock::WallTime> retryAt, Clock::WallTime now);

// Failed reads in a row, per device.
class FailureCounter {
 public:
  void answered(std::uint64_t device) { counts_.erase(device); }
  // Counts one more failure; returns the failures in a row.
  int failed(std::uint64_t device) { return ++counts_[device]; }
  int failures(std::uint64_t device) const;

 private:
  std::unordered_map<std::uint64_t, int> counts_;
};

struct ReadDecision {
  // store: commit `reading` (with `verdict.next` as the device's new
  // condition); urgent: send it at once.
  scheduler::Verdict verdict;
  model::Reading reading;
};

// What a read's outcome means. A reading is kind meter or status after the
// task; a failure is stored only from kOfflineAfterFailures in a row (then
// as the offline reading). Every stored reading carries the time, the
// client id and the device's address.
ReadDecision decideRead(const discovery::KnownDevice& device, scheduler::TaskKind kind,
                        const pmd::ReadOutcome& outcome, int failuresInARow, Clock::WallTime now,
                        std::uint64_t clientId);

}  // namespace openmps::client::daemon
