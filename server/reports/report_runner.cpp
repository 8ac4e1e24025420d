#include "server/reports/report_runner.hpp"

#include <algorithm>
#include <cctype>

namespace openmps::server::reports {
namespace {

ReportContext contextFor(const Scope& scope, const ReportRequest& r) {
  ReportContext c;
  c.organisation = scope.name;
  c.timeZone = scope.timeZone;
  c.locale = r.locale.value_or(parseLocale(scope.locale).value_or(Locale::kEn));
  c.now = r.period.now;
  if (r.period.from && r.period.to) {
    c.from = *r.period.from;
    c.to = *r.period.to;
  } else {
    const auto p = meters::lastBillingPeriod(scope.timeZone, scope.billingDay, r.period.now);
    c.from = p.first;
    c.to = p.last;
  }
  return c;
}

std::int64_t dealerOf(const Scope& scope, const std::vector<CustomerPeriod>& customers) {
  if (scope.kind == "dealer") return scope.organisationId;
  return customers.empty() ? 0 : customers.front().dealerId;
}

}  // namespace

const std::vector<ReportInfo>& reportCatalog() {
  static const std::vector<ReportInfo> kReports = {
      {"billing", "billing meters per device and meter: start, end, pages, estimates and why"},
      {"billing-erp", "the billing meters flat for ERP import: serial, meter, reading, date"},
      {"supplies", "supply levels, forecast empty and order-by dates, cartridges replaced"},
      {"inventory", "every device: identity, firmware, addresses, collector, last seen"},
      {"usage", "pages per device and month against the model's duty cycle"},
      {"alerts", "alert history: alerts raised in the period, when, how severe, acknowledged"},
      {"status", "status history: error conditions per device, when and how long"},
      {"collectors", "collector health: last contact, carrier, batches, gaps"},
  };
  return kReports;
}

bool isReport(std::string_view name) {
  const auto& c = reportCatalog();
  return std::any_of(c.begin(), c.end(), [&](const ReportInfo& i) { return name == i.name; });
}

ReportDocument buildReport(PgReportSource& source, const Scope& scope, const ReportRequest& r) {
  const ReportContext context = contextFor(scope, r);
  const auto customers = source.customers(scope, r.period);
  const std::string& name = r.report;
  if (name == "billing") {
    return buildBillingReport(source.billing(customers), context);
  }
  if (name == "billing-erp") {
    return buildBillingErpReport(source.billing(customers), context,
                                 source.erpMeterNames(dealerOf(scope, customers)));
  }
  if (name == "supplies") {
    return buildSuppliesReport(source.supplies(customers, r.period.now), context);
  }
  if (name == "inventory") {
    return buildInventoryReport(customers, source.inventory(customers), context);
  }
  if (name == "usage") {
    return buildUsageReport(source.usage(customers), context);
  }
  if (name == "status") {
    return buildStatusReport(customers, source.devices(customers), source.statusEpisodes(customers),
                             context);
  }
  if (name == "alerts") {
    return buildAlertsReport(customers, source.devices(customers), source.alerts(customers),
                             context);
  }
  if (name == "collectors") {
    return buildCollectorsReport(customers, source.collectors(customers), context);
  }
  throw ReportScopeError("no report named '" + name + "'");
}

std::string reportFileName(const std::string& report, const std::string& organisation,
                           meters::LocalDate from, meters::LocalDate to, Format format) {
  std::string slug;
  for (const char c : organisation) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) != 0) {
      slug += static_cast<char>(std::tolower(u));
    } else if (!slug.empty() && slug.back() != '-') {
      slug += '-';
    }
  }
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  if (slug.empty()) slug = "all";
  return report + "-" + slug + "-" + meters::formatDate(from) + "-" + meters::formatDate(to) + "." +
         fileExtension(format);
}

ReportFile runReport(pqxx::transaction_base& txn, const Scope& scope, const ReportRequest& r) {
  PgReportSource source(txn);
  const ReportDocument doc = buildReport(source, scope, r);
  ReportFile f;
  f.bytes = render(doc, r.format, r.csv);
  f.contentType = contentType(r.format);
  f.fileName = reportFileName(r.report, scope.name, doc.from, doc.to, r.format);
  f.rows = doc.tables.empty() ? 0 : doc.tables.front().rows.size();
  f.from = doc.from;
  f.to = doc.to;
  return f;
}

}  // namespace openmps::server::reports
