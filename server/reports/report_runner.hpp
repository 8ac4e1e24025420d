#pragma once

#include <optional>
#include <string>
#include <vector>

#include "server/reports/pg_report_source.hpp"
#include "server/reports/renderers.hpp"

namespace pqxx {
class transaction_base;
}

// One report, from request to file: the scope's customers and periods, the
// report's rows, its document, the format. The same path serves the
// command line, the REST API and the scheduler.
namespace openmps::server::reports {

struct ReportInfo {
  const char* name;
  const char* description;
};

// billing, billing-erp, supplies, inventory, usage, status, collectors
const std::vector<ReportInfo>& reportCatalog();
bool isReport(std::string_view name);

struct ReportRequest {
  std::string report;
  PeriodChoice period;
  std::optional<Locale> locale;  // default: the scope organisation's
  Format format = Format::kXlsx;
  CsvOptions csv;
};

struct ReportFile {
  std::string bytes;
  std::string contentType;
  std::string fileName;
  std::size_t rows = 0;  // of the main table
  meters::LocalDate from;
  meters::LocalDate to;
};

// The document alone (for tests and the benchmark).
ReportDocument buildReport(PgReportSource& source, const Scope& scope,
                           const ReportRequest& request);
ReportFile runReport(pqxx::transaction_base& txn, const Scope& scope, const ReportRequest& request);

// "billing-acme-gmbh-2026-11-01-2026-11-30.xlsx"
std::string reportFileName(const std::string& report, const std::string& organisation,
                           meters::LocalDate from, meters::LocalDate to, Format format);

}  // namespace openmps::server::reports
