#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

// Things that happened to a device, as ingest saw them in its readings
// (server/README.md, "Events"). Ingest's planner decides them, the store
// writes them into device_events in the batch's transaction, and those the
// alert engine reads are queued for its workers (event_queue).
namespace openmps::server::events {

using TimePoint = std::chrono::system_clock::time_point;

// The kinds, one name each across code, database and documentation.
inline constexpr std::string_view kNewDevice = "new_device";
inline constexpr std::string_view kDeviceMoved = "device_moved";      // read by another collector
inline constexpr std::string_view kDeviceSwapped = "device_swapped";  // same address, other serial
inline constexpr std::string_view kCounterBackwards = "counter_backwards";
inline constexpr std::string_view kCounterReset = "counter_reset";
inline constexpr std::string_view kCounterJump = "counter_jump";
inline constexpr std::string_view kSupplyLevel = "supply_level";  // crossed a watched level
inline constexpr std::string_view kSupplyReplaced = "supply_replaced";
inline constexpr std::string_view kStatusRaised = "status_raised";
inline constexpr std::string_view kStatusCleared = "status_cleared";
inline constexpr std::string_view kDeviceBack = "device_back";  // reporting again after silence
inline constexpr std::string_view kNote = "note";
// Identity changes are "<field>_changed": serial_changed, firmware_changed,
// ip_changed, mac_changed, host_name_changed, model_changed, location_changed.
inline constexpr std::string_view kChangedSuffix = "_changed";

struct Event {
  std::int64_t deviceId = 0;
  TimePoint at;  // the time of the reading that showed it
  std::string kind;
  std::string detail = "{}";  // a JSON object

  bool operator==(const Event&) const = default;
};

// Whether the alert engine acts on this kind: those are queued for its
// workers in the same transaction; the others are history only.
bool forAlerts(std::string_view kind);

}  // namespace openmps::server::events
