#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/config/client_config.hpp"
#include "shared/envelope/enrollment.hpp"
#include "shared/model/reading.hpp"
#include "shared/util/clock.hpp"
#include "shared/util/log.hpp"

// What the running daemon tells and lets do the local UI: its state, its
// devices, a read or a probe now, a new configuration or enrollment without
// a restart, and its recent log. A seam between the daemon and the UI
// listener (client/local_ui), which calls it from its own threads: every
// member is thread-safe, and none blocks longer than one SNMP exchange
// (probe) or one configuration swap (applyConfig).
namespace openmps::client::daemon {

using WallTime = util::Clock::WallTime;

// One route of the enrollment (its servers, in order).
struct CarrierState {
  std::string carrier;  // "xmlrpc", "https" or "email"
  std::string server;   // as enrolled: xmlrpcs://host:port, https://..., mailto:...
  std::optional<WallTime> lastSuccessAt;
  std::optional<WallTime> lastErrorAt;
  std::string lastError;  // the newest failure; empty when none since start
};

// Something a person should look at. Codes (stable, the UI translates them):
// "outbox_filling" (over 80 % of outbox.max_items), "server_refusing" (the
// server rejected the newest batch), "clock_skew" (the server's clock and
// ours differ by more than 5 minutes), "not_enrolled", "config_error" (the
// last applyConfig failed). detail: plain words for the log and tooltips.
struct Warning {
  std::string code;
  std::string detail;
};

struct DaemonState {
  bool enrolled = false;
  std::string clientId;  // the collector id of the enrollment, decimal; empty when not enrolled
  std::vector<CarrierState> carriers;
  std::size_t outboxCount = 0;  // readings not yet delivered
  std::optional<WallTime> outboxOldestAt;
  std::optional<WallTime> nextSweep;
  std::optional<WallTime> nextRead;
  std::optional<WallTime> nextSend;
  std::vector<Warning> warnings;
};

enum class DeviceCondition {
  kNew,      // found, not read yet
  kOk,       // the newest read answered
  kFailing,  // the newest read failed, fewer than kOfflineAfterFailures in a row
  kOffline,  // kOfflineAfterFailures or more failed reads in a row
};
const char* toString(DeviceCondition condition);  // "new", "ok", "failing", "offline"

struct DeviceState {
  std::string address;  // host[:port] as read (model::Origin::address)
  DeviceCondition condition = DeviceCondition::kNew;
  std::string kind;  // "printer" or "scanner"
  std::string pmd;   // id of the device definition that reads it
  std::optional<WallTime> foundAt;
  // The newest reading that answered: identity, counters, supplies, status
  // (readAt inside). Absent until the first read answered.
  std::optional<model::Reading> lastReading;
  // When it last answered, also before this start (then without
  // lastReading: the daemon keeps only the time of earlier reads).
  std::optional<WallTime> lastReadAt;
  int failuresInARow = 0;
  std::string error;  // why the newest read failed; empty when it answered
};

// readNow: queued (the result shows in devices() when it arrives), or the
// address is not one of the known devices.
enum class ReadNowResult { kQueued, kUnknownDevice };

// probe: one identification and read of any address with the configured
// credentials, nothing stored. reading when it answered, else error.
struct ProbeResult {
  std::optional<model::Reading> reading;
  std::string error;
};

// applyConfig / applyEnrollment: applied, or error says why (for a
// configuration: the loader's message with the field path, e.g.
// "networks[0].ranges[2]: ...") and the running one stays.
struct ApplyResult {
  bool applied = false;
  std::string error;
};

struct LogEntry {
  WallTime at;
  util::LogLevel level = util::LogLevel::kInfo;
  std::string message;  // already escaped (util::escapeForLog), one line
};

// How many log lines the daemon keeps for log().
inline constexpr std::size_t kLogRingLines = 500;

class DaemonControl {
 public:
  virtual ~DaemonControl() = default;

  virtual DaemonState state() const = 0;
  // Every known device, by address.
  virtual std::vector<DeviceState> devices() const = 0;
  // A meter read of a known device (by DeviceState::address) at once.
  virtual ReadNowResult readNow(const std::string& address) = 0;
  // Blocks for at most the configured SNMP timeouts; address: host[:port].
  virtual ProbeResult probe(const std::string& address) = 0;
  // A configuration already validated by the loader (config::parseConfig or
  // localcfg's editor): networks, credentials, intervals, carrier settings
  // take effect without a restart (the next sweep uses the new ranges, the
  // next send the new carriers). Refused, keeping the running one, when it
  // changes what needs a restart (data_dir, pmd_dir) — error names the key.
  virtual ApplyResult applyConfig(std::shared_ptr<const config::ClientConfig> config) = 0;
  // After the enrollment was stored (config::saveEnrollment): the sender
  // uses it from its next step.
  virtual ApplyResult applyEnrollment(envelope::Enrollment enrollment) = 0;
  // The newest log lines, oldest first, at most `max` (and kLogRingLines).
  virtual std::vector<LogEntry> log(std::size_t max) const = 0;
};

}  // namespace openmps::client::daemon
