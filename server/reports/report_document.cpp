#include "server/reports/report_document.hpp"

#include "server/reports/report_context.hpp"

namespace openmps::server::reports {

ReportDocument startDocument(const std::string& report, const ReportContext& c) {
  ReportDocument doc;
  doc.report = report;
  doc.title = text(c.locale, "title." + report);
  doc.organisation = c.organisation;
  doc.timeZone = c.timeZone;
  doc.from = c.from;
  doc.to = c.to;
  doc.generatedAt = meters::localTime(c.timeZone, c.now);
  doc.locale = c.locale;
  return doc;
}

std::string modelName(const ReportDevice& d) {
  if (d.manufacturer.empty() || d.model.starts_with(d.manufacturer)) {
    return d.model;
  }
  return d.manufacturer + " " + d.model;
}

std::string cellText(Locale locale, const Value& value, CellType type) {
  struct Visitor {
    Locale locale;
    CellType type;
    std::string operator()(std::monostate) const { return {}; }
    std::string operator()(const std::string& s) const { return s; }
    std::string operator()(std::int64_t v) const { return formatInteger(locale, v); }
    std::string operator()(double v) const {
      return type == CellType::kPercent ? formatPercent(locale, v) : formatDecimal(locale, v, 1);
    }
    std::string operator()(bool v) const { return text(locale, v ? "word.yes" : "word.no"); }
    std::string operator()(const meters::LocalDate& d) const { return formatDate(locale, d); }
    std::string operator()(const meters::LocalTime& t) const { return formatDateTime(locale, t); }
  };
  return std::visit(Visitor{locale, type}, value);
}

}  // namespace openmps::server::reports
