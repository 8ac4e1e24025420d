#pragma once

#include <optional>
#include <string>
#include <vector>

#include "server/notify/templates.hpp"
#include "server/reports/billing_report.hpp"
#include "server/reports/report_context.hpp"
#include "server/reports/report_document.hpp"

// The fleet inventory, usage and utilisation, status history and collector
// health reports: each its input rows (from one SQL aggregate) and the
// pure step that makes them a document.
namespace openmps::server::reports {

// ---- inventory ----
struct InventoryDevice {
  ReportDevice device;
  std::string firmware;
  std::string mac;
  std::string hostName;
  std::int64_t collectorId = 0;
  std::string collectorName;
  std::string printerStatus;
  std::string errors;  // comma-separated
};

ReportDocument buildInventoryReport(const std::vector<CustomerPeriod>& customers,
                                    const std::vector<InventoryDevice>& devices,
                                    const ReportContext& context);

// ---- usage and utilisation ----
// Pages a month the model is built for (its duty cycle), where known.
struct UsageInput {
  std::vector<CustomerPeriod> customers;  // one per customer: the whole period
  std::vector<CustomerPeriod> months;     // one per customer and month of the period
  std::vector<ReportDevice> devices;
  std::map<std::int64_t, std::int64_t> dutyCycle;  // device id -> pages a month
  std::vector<BillingCounter> counters;            // total and color, per month (periodStart)
};

struct UsageThresholds {
  double underPercent = 2;  // of the duty cycle
  double overPercent = 30;  // of the duty cycle: above what such a model is usually run at
};

// The months [first, last] of the customer's period in its zone, cut to the period.
std::vector<CustomerPeriod> monthsOf(const CustomerPeriod& customer);

ReportDocument buildUsageReport(const UsageInput& input, const ReportContext& context,
                                const UsageThresholds& thresholds = {});

// ---- status history (until the alert engine keeps alerts) ----
struct StatusEpisode {
  std::int64_t deviceId = 0;
  std::string condition;  // hrPrinterDetectedErrorState name: jammed, lowToner, ...
  TimePoint from;
  TimePoint lastSeen;
  std::int64_t reads = 0;
};

ReportDocument buildStatusReport(const std::vector<CustomerPeriod>& customers,
                                 const std::vector<ReportDevice>& devices,
                                 const std::vector<StatusEpisode>& episodes,
                                 const ReportContext& context);

// ---- alert history (the alert engine's alerts) ----
struct AlertRow {
  std::int64_t customerId = 0;
  std::int64_t deviceId = 0;  // 0: a collector's alert
  std::string collector;      // its name, for a collector's alert
  // What the engine's own mails and API say of it (id, condition, stage,
  // severity, the values its title names), from alerts::factsOf.
  notify::AlertFacts facts;
  std::string state;  // open, cleared
  TimePoint since;
  std::optional<TimePoint> cleared;
  std::optional<TimePoint> acknowledged;
  std::string acknowledgedBy;
  std::string note;
  std::int64_t events = 0;
};

ReportDocument buildAlertsReport(const std::vector<CustomerPeriod>& customers,
                                 const std::vector<ReportDevice>& devices,
                                 const std::vector<AlertRow>& alerts, const ReportContext& context);

// ---- collector health ----
struct CollectorHealth {
  std::int64_t id = 0;
  std::int64_t customerId = 0;
  std::string name;
  std::int64_t devices = 0;
  std::optional<TimePoint> lastSeen;
  std::string lastCarrier;
  std::string lastPeer;
  std::int64_t batches = 0;
  std::int64_t readings = 0;
  std::int64_t missingBatches = 0;
  std::string missingNumbers;  // "12, 40-42"
  std::int64_t daysWithBatch = 0;
  std::optional<TimePoint> created;
  bool revoked = false;
};

ReportDocument buildCollectorsReport(const std::vector<CustomerPeriod>& customers,
                                     const std::vector<CollectorHealth>& collectors,
                                     const ReportContext& context);

}  // namespace openmps::server::reports
