#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

// A device the client has found and keeps reading.
namespace openmps::client::discovery {

using WallTime = std::chrono::system_clock::time_point;

struct KnownDevice {
  std::uint64_t id = 0;  // 0 until stored
  // Where it answers now; empty when another device took its address and
  // it has not been seen elsewhere yet (it is not read until it is).
  std::string address;
  std::uint16_t port = 161;
  std::string credential;  // name of the credential set that worked
  std::string serial;
  std::string mac;  // "aa:bb:cc:dd:ee:ff"
  std::string sysObjectId;
  std::string sysDescr;
  std::string sysName;
  WallTime firstSeen{};
  WallTime lastSeen{};

  // Read state, written together with each committed reading.
  std::optional<WallTime> lastMeterAt;
  std::optional<WallTime> lastStatusAt;
  std::string statusDigest;
  std::vector<std::string> critical;
  bool everOnline = false;
  std::uint64_t meterReadings = 0;
  std::uint64_t statusReadings = 0;
};

// A sweep of every configured network that ran to its end.
struct FinishedSweep {
  WallTime startedAt;
  std::size_t printersFound = 0;
};

// Persistence of known devices and of the last sweep (SQLite in the daemon).
class DeviceStore {
 public:
  virtual ~DeviceStore() = default;
  virtual std::vector<KnownDevice> loadDevices() = 0;
  // Stores new devices (id 0: assigns their ids) and the identity and
  // address of changed ones, and, when the sweep is finished, its start
  // time, all in one transaction. The daemon saves after each network, so
  // devices are read while later networks are swept; a sweep cut short by
  // a restart leaves the last finished one in place and is done again.
  // Read state is left alone: the outbox owns it.
  virtual void saveSweep(std::vector<KnownDevice>& changed,
                         std::optional<FinishedSweep> finished) = 0;
  virtual std::optional<WallTime> lastSweep() = 0;
};

}  // namespace openmps::client::discovery
