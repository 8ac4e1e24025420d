#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/meters/calendar.hpp"

// A device replaced by another at the same place: the old one stops being
// read and a new serial appears at its address or location. Both stay
// separate devices with their own counters (nothing is carried over, so
// nothing is counted twice); the billing report says which replaced which.
namespace openmps::server::meters {

struct DeviceSpan {
  std::int64_t id = 0;
  std::int64_t customerId = 0;
  std::string serial;
  std::string location;
  std::string ip;
  std::optional<TimePoint> firstRead;
  std::optional<TimePoint> lastRead;
};

struct Replacement {
  std::int64_t oldId = 0;
  std::int64_t newId = 0;
  TimePoint oldLastRead;
  TimePoint newFirstRead;
};

// Pairs within a customer: same non-empty address or location, different
// serials, the new one first read after the old one's last read and within
// `maxGap` of it. Each device replaces at most one and is replaced by at most
// one (the closest in time).
std::vector<Replacement> findReplacements(const std::vector<DeviceSpan>& devices,
                                          std::chrono::hours maxGap = std::chrono::hours{24 * 31});

}  // namespace openmps::server::meters
