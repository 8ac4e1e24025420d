#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "server/forecast/supply_forecast.hpp"
#include "server/reports/report_context.hpp"
#include "server/reports/report_document.hpp"
#include "shared/model/reading.hpp"

// The supply report: every supply's level now, its forecast (empty date,
// interval, order-by date from the customer's lead time), and the
// cartridges replaced in the period with the pages each one gave.
namespace openmps::server::reports {

struct SupplyHistory {
  std::int64_t deviceId = 0;
  int index = 0;
  std::string description;
  std::string type;
  std::string color;
  std::string partNumber;
  std::string supplyClass;
  // The levels where they changed (and the last one), oldest first.
  std::vector<forecast::LevelSample> levels;
};

// A replaced cartridge: when it went in, when it came out, how full it was.
struct CartridgeSpan {
  std::int64_t deviceId = 0;
  int index = 0;
  std::optional<TimePoint> installed;  // none: before the history we have
  TimePoint replaced;
  std::optional<int> levelWhenReplaced;
};

std::vector<CartridgeSpan> replacementsIn(const SupplyHistory& supply, TimePoint from, TimePoint to,
                                          const forecast::ForecastRules& rules = {});

struct SuppliesInput {
  std::vector<CustomerPeriod> customers;
  std::vector<ReportDevice> devices;
  std::vector<SupplyHistory> supplies;
  // The device's total counter at an instant (for pages per cartridge):
  // key (device id, milliseconds since the epoch).
  std::map<std::pair<std::int64_t, std::int64_t>, std::int64_t> totalAt;
};

ReportDocument buildSuppliesReport(const SuppliesInput& input, const ReportContext& context);

// The instants the supplies report needs the total counter at.
std::vector<std::pair<std::int64_t, TimePoint>> counterInstants(const SuppliesInput& input);

}  // namespace openmps::server::reports
