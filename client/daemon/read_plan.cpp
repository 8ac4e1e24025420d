#include "client/daemon/read_plan.hpp"

#include <algorithm>
#include <string>

namespace openmps::client::daemon {

std::string deviceAddress(const discovery::KnownDevice& device) {
  return device.address + ":" + std::to_string(device.port);
}

std::size_t readRoom(std::size_t inFlight) {
  return kMaxReadsInFlight - std::min(kMaxReadsInFlight, inFlight);
}

snmp::Target readTarget(const discovery::KnownDevice& device, const config::ClientConfig& config) {
  snmp::Target target;
  target.host = device.address;
  target.port = device.port;
  const auto named = std::find_if(config.credentials.begin(), config.credentials.end(),
                                  [&](const auto& c) { return c.name == device.credential; });
  if (named != config.credentials.end()) {
    target.credentials = named->credentials;
  } else if (!config.credentials.empty()) {
    target.credentials = config.credentials.front().credentials;
  }
  target.timeout = config.snmp.timeout;
  target.retries = config.snmp.retries;
  return target;
}

std::chrono::milliseconds loopWait(std::optional<Clock::MonoTime> nextDue, Clock::MonoTime now) {
  using std::chrono::milliseconds;
  using std::chrono::seconds;
  if (!nextDue) {
    return seconds{60};
  }
  const auto left = std::chrono::duration_cast<seconds>(*nextDue - now) + seconds{1};
  return std::clamp<milliseconds>(left, seconds{1}, seconds{60});
}

std::chrono::milliseconds senderWait(std::optional<Clock::WallTime> retryAt, Clock::WallTime now) {
  using std::chrono::milliseconds;
  const milliseconds longest = std::chrono::seconds{30};
  if (!retryAt) {
    return longest;
  }
  return std::clamp(std::chrono::duration_cast<milliseconds>(*retryAt - now), milliseconds{100},
                    longest);
}

int FailureCounter::failures(std::uint64_t device) const {
  const auto it = counts_.find(device);
  return it == counts_.end() ? 0 : it->second;
}

ReadDecision decideRead(const discovery::KnownDevice& device, scheduler::TaskKind kind,
                        const pmd::ReadOutcome& outcome, int failuresInARow, Clock::WallTime now,
                        std::uint64_t clientId) {
  const scheduler::DeviceCondition previous{device.statusDigest, device.critical,
                                            device.everOnline};
  ReadDecision out;
  if (outcome.ok()) {
    out.reading = outcome.reading;
    out.reading.kind = kind == scheduler::TaskKind::kMeter ? model::ReadingKind::kMeter
                                                           : model::ReadingKind::kStatus;
    out.verdict = scheduler::judgeReading(previous, out.reading);
  } else if (failuresInARow >= kOfflineAfterFailures) {
    out.verdict = scheduler::judgeSilence(previous);
    model::DeviceIdentity identity;
    identity.serial = device.serial;
    identity.mac = device.mac;
    identity.sysObjectId = device.sysObjectId;
    identity.sysDescr = device.sysDescr;
    identity.ip = device.address;
    out.reading = scheduler::offlineReading(identity, {}, now, outcome.message);
  } else {
    out.verdict.next = previous;
  }
  out.reading.readAt = now;
  // Read before the client was enrolled: no client to name.
  out.reading.origin.clientId = clientId == 0 ? std::string{} : std::to_string(clientId);
  if (out.reading.origin.address.empty()) {
    out.reading.origin.address = deviceAddress(device);
  }
  return out;
}

}  // namespace openmps::client::daemon
