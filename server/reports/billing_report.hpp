#pragma once

#include <optional>
#include <string>
#include <vector>

#include "server/meters/device_swaps.hpp"
#include "server/meters/meter_usage.hpp"
#include "server/reports/report_context.hpp"
#include "server/reports/report_document.hpp"

// The billing meter report: per device and meter the readings at the
// period's bounds, the pages in between and why they can be trusted
// (server/meters). Also the flat layout dealer ERPs import.
namespace openmps::server::reports {

using BillingDevice = ReportDevice;

// The readings of one counter of one device that its period needs (around
// the bounds; all of them in between where the counter is not monotonic).
struct BillingCounter {
  std::int64_t deviceId = 0;
  std::string counter;
  TimePoint periodStart{};  // which period (the usage report asks for several)
  std::vector<meters::Sample> samples;
};

struct BillingInput {
  std::vector<CustomerPeriod> customers;
  std::vector<BillingDevice> devices;
  std::vector<BillingCounter> counters;
};

// One computed line: the arithmetic, before it becomes text.
struct BillingLine {
  const CustomerPeriod* customer = nullptr;
  const BillingDevice* device = nullptr;
  std::string counter;  // empty: the device has no counters at all
  meters::MeterUsage usage;
};

std::vector<BillingLine> computeBilling(const BillingInput& input,
                                        const meters::MeterRules& rules = {});
// The replacements among the input's devices, as notes: what it replaced
// or what replaced it (used by the billing and usage reports).
void noteReplacements(const BillingInput& input, std::vector<BillingLine>& lines);

ReportDocument buildBillingReport(const BillingInput& input, const ReportContext& context);

// ERP layout: serial, meter, reading, date, estimated; one row per device
// and meter, the end reading of the period. `meterNames` maps counters to
// the dealer's names; when it is not empty, only the mapped meters appear.
ReportDocument buildBillingErpReport(const BillingInput& input, const ReportContext& context,
                                     const std::map<std::string, std::string>& meterNames);

// A note as a sentence in the reader's language, dates in the zone.
std::string describeNote(Locale locale, const std::string& timeZone, const meters::MeterNote& note);

// Counters in the order of the vocabulary (total, mono, color, print...).
int counterOrder(const std::string& counter);

}  // namespace openmps::server::reports
