#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "server/reports/billing_report.hpp"
#include "server/reports/fleet_reports.hpp"
#include "server/reports/report_context.hpp"
#include "server/reports/supplies_report.hpp"

namespace pqxx {
class transaction_base;
}

// The rows of every report from PostgreSQL. Each report is one aggregate
// (statements declared once, by name, in pg_report_source.cpp) over the
// scope's customers; the transaction is the caller's, so a report for a
// person runs in that person's row-level-security scope.
namespace openmps::server::reports {

class ReportScopeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Whose report: an organisation (root, dealer or customer) and its subtree.
struct Scope {
  std::int64_t organisationId = 0;
  std::string name;
  std::string kind;
  std::string timeZone = "UTC";
  int billingDay = 1;
  std::string locale = "en";
};

// The period: given local days (each customer's own zone), or each
// customer's last billing period (its own billing day) before `now`.
struct PeriodChoice {
  std::optional<meters::LocalDate> from;
  std::optional<meters::LocalDate> to;
  TimePoint now{};
};

class PgReportSource {
 public:
  explicit PgReportSource(pqxx::transaction_base& txn);

  // By kind ("dealer", "customer") and name (case-insensitive), or the root.
  Scope scopeByName(const std::string& kind, const std::string& name);
  Scope scopeById(std::int64_t organisationId);
  std::vector<CustomerPeriod> customers(const Scope& scope, const PeriodChoice& period);
  std::vector<ReportDevice> devices(const std::vector<CustomerPeriod>& customers);
  BillingInput billing(const std::vector<CustomerPeriod>& customers);
  // The billing aggregate alone, its rows fetched and nothing made of them
  // (the baseline of the report benchmark). Returns the rows.
  std::size_t billingAggregate(const std::vector<CustomerPeriod>& customers);
  // Levels since 120 days before `now` (or 30 days before the earliest period).
  SuppliesInput supplies(const std::vector<CustomerPeriod>& customers, TimePoint now);
  // Every supply's changed levels since `since` (for backtesting forecasts).
  std::vector<SupplyHistory> supplyHistories(const std::vector<CustomerPeriod>& customers,
                                             TimePoint since);
  std::vector<InventoryDevice> inventory(const std::vector<CustomerPeriod>& customers);
  UsageInput usage(const std::vector<CustomerPeriod>& customers);
  std::vector<StatusEpisode> statusEpisodes(const std::vector<CustomerPeriod>& customers);
  std::vector<CollectorHealth> collectors(const std::vector<CustomerPeriod>& customers);
  std::vector<AlertRow> alerts(const std::vector<CustomerPeriod>& customers);
  // The dealer's ERP meter names (counter -> name), empty when none are set.
  std::map<std::string, std::string> erpMeterNames(std::int64_t dealerId);

 private:
  pqxx::transaction_base& txn_;
};

// "{1,2,NULL}" -> values (NULL skipped); for the arrays the aggregates return.
std::vector<std::int64_t> parseIntArray(std::string_view text);

}  // namespace openmps::server::reports
