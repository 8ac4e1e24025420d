#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "client/carrier/carrier.hpp"
#include "client/daemon/daemon_control.hpp"

// What the daemon's threads know about themselves, for DaemonControl: the
// collector writes devices and its next times, the sender the carriers'
// answers and its next send, the log observer the recent lines. Every
// member takes the board's one mutex; nothing here does I/O.
namespace openmps::client::daemon {

// The outbox figures the warnings look at.
struct OutboxFigures {
  std::size_t count = 0;
  std::size_t maxItems = 0;
  std::optional<WallTime> oldestAt;
};

// Warnings over 80 % of the outbox's cap.
inline constexpr std::size_t kOutboxWarnPercent = 80;
// Clocks further apart than this are worth a warning (readings carry our time).
inline constexpr std::chrono::minutes kMaxClockSkew{5};

// The condition a device's read history shows.
DeviceCondition conditionOf(bool everAnswered, int failuresInARow);

// What a person should look at (daemon_control.hpp lists the codes).
std::vector<Warning> warningsOf(bool enrolled, const OutboxFigures& outbox,
                                const std::vector<CarrierState>& carriers, bool serverRefusing,
                                std::optional<std::chrono::seconds> clockSkew,
                                const std::string& configError);

class StatusBoard {
 public:
  // Enrollment servers become the carriers, in order; their history resets.
  void setEnrollment(std::optional<std::string> clientId, const std::vector<std::string>& servers);
  // An answer of one route; its serverTime (the HTTP Date) against at
  // tells how far this machine's clock is off.
  void routeAnswered(const std::string& server, const carrier::SendResult& result, WallTime at);
  void batchRefused(bool refused);
  void setConfigError(std::string error);

  // lastReadAt: its newest answered read before this start (the known
  // devices keep its time, not its content).
  void deviceKnown(std::uint64_t id, const std::string& address, WallTime foundAt,
                   std::optional<WallTime> lastReadAt = std::nullopt);
  void deviceGone(std::uint64_t id);
  // A read's outcome: reading when it answered, else the reason.
  void deviceRead(std::uint64_t id, const std::optional<model::Reading>& reading,
                  int failuresInARow, const std::string& error);
  // The known device id at an address ("host" or "host:port"); 0 when none.
  std::uint64_t deviceAt(const std::string& address) const;

  void setNext(std::optional<WallTime> sweep, std::optional<WallTime> read);
  void setNextSend(std::optional<WallTime> send);

  void logLine(WallTime at, util::LogLevel level, std::string_view message);

  DaemonState state(const OutboxFigures& outbox) const;
  std::vector<DeviceState> devices() const;
  std::vector<LogEntry> log(std::size_t max) const;

 private:
  struct Device {
    std::string address;
    std::optional<WallTime> foundAt;
    std::optional<model::Reading> lastReading;
    std::optional<WallTime> lastReadAt;
    bool everAnswered = false;
    int failuresInARow = 0;
    std::string error;
  };
  mutable std::mutex mutex_;
  std::optional<std::string> clientId_;
  std::vector<CarrierState> carriers_;
  bool refusing_ = false;
  std::optional<std::chrono::seconds> skew_;
  std::string configError_;
  std::map<std::uint64_t, Device> devices_;
  std::optional<WallTime> nextSweep_;
  std::optional<WallTime> nextRead_;
  std::optional<WallTime> nextSend_;
  std::deque<LogEntry> log_;
};

}  // namespace openmps::client::daemon
