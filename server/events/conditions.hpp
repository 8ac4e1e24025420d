#pragma once

#include <optional>
#include <string>
#include <vector>

#include "shared/model/reading.hpp"

// What a reading's status and supplies mean in the alert engine's words.
// Pure; shared by ingest's planner (which emits raised/cleared and level
// events) and the alert sweep (which checks that a condition still holds).
namespace openmps::server::events {

// A condition a device's status shows. condition: jam, door_open,
// paper_out, service_requested, offline, vendor_error, printer_alert.
// subject tells instances apart within one device (the vendor code, the
// Printer-MIB alert "group/code"); empty for the others.
struct StatusCondition {
  std::string condition;
  std::string subject;
  std::string severity;  // critical or warning (printer_alert: the device's)
  std::string text;      // the device's words, where it has some

  auto operator<=>(const StatusCondition& other) const {
    if (auto c = condition <=> other.condition; c != 0) return c;
    return subject <=> other.subject;
  }
  bool operator==(const StatusCondition& other) const {
    return condition == other.condition && subject == other.subject;
  }
};

// Every condition the status shows, sorted, each (condition, subject) once.
// hrPrinterDetectedErrorState bits and Printer-MIB alerts that mean the
// same thing (a jam) count once; alerts about supplies are left to the
// supply levels, informational alerts are left out.
std::vector<StatusCondition> statusConditions(const model::Status& status);

// The alert condition a supply's level belongs to: toner (toner, ink,
// ribbon), drum, fuser, waste_toner, kit (everything else that wears out);
// "" for what is no supply to order (paper trays, output bins).
std::string supplyFamily(const model::Supply& supply);

// Paper trays and output bins (type input or output): no supply to order.
bool isTray(std::string_view type);

// What the planner remembers of a supply between readings.
struct SupplyLevel {
  int index = 0;
  std::optional<int> percent;
  model::SupplyState state = model::SupplyState::kUnknown;
  std::string serial;
};

// How far a supply has gone, in bands of the watched levels (sorted
// descending, e.g. {20, 10}): 0 above the first, 1 at or below it, ...,
// points.size() at or below the last, points.size() + 1 when empty.
// Supplies without a percentage count by their state (low: 1, empty:
// last); nullopt when nothing is known (unknown, other).
std::optional<int> supplyBand(const model::Supply& supply, const std::vector<int>& points);
std::optional<int> supplyBand(std::optional<int> percent, model::SupplyState state,
                              const std::vector<int>& points);

}  // namespace openmps::server::events
