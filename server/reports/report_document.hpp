#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "server/meters/calendar.hpp"
#include "server/reports/i18n.hpp"

// What a report says, before it is CSV, XLSX, PDF or JSON: titled tables
// of typed cells (dates already in the organisation's local time, texts
// already in the reader's language) and charts. Renderers only lay it out.
namespace openmps::server::reports {

enum class CellType { kText, kInteger, kDecimal, kPercent, kDate, kDateTime, kBoolean };

// Empty cells are std::monostate; kPercent holds 0..100 as a double.
using Value = std::variant<std::monostate, std::string, std::int64_t, double, bool,
                           meters::LocalDate, meters::LocalTime>;

struct Column {
  std::string key;     // stable, for JSON and the ERP layout ("serial", "start_reading")
  std::string header;  // in the reader's language
  CellType type = CellType::kText;
  double width = 12;  // characters, a hint for XLSX and PDF
  bool wrap = false;  // long texts (notes): PDF wraps them instead of cutting them short
  int minChars = 8;   // PDF: a text column is never cut below this (identifiers: their length)
  // PDF: a value is printed where it changes and at the top of each page,
  // so a device's rows read as one block (customer, serial, model, ...).
  bool group = false;
};

struct Table {
  std::string key;  // "billing", "replacements", ...
  std::string title;
  std::vector<Column> columns;
  std::vector<std::vector<Value>> rows;
};

struct Series {
  std::string name;
  std::vector<double> values;
};

struct Chart {
  std::string title;
  std::vector<std::string> categories;
  std::vector<Series> series;  // one bar per series and category
  bool percent = false;        // values are 0..100
};

struct ReportDocument {
  std::string report;  // "billing", "supplies", ...
  std::string title;
  std::string organisation;  // whose report it is
  std::string timeZone;
  meters::LocalDate from;
  meters::LocalDate to;           // inclusive
  meters::LocalTime generatedAt;  // in timeZone
  Locale locale = Locale::kEn;
  std::vector<Table> tables;  // the first is the main one (CSV renders it)
  std::vector<Chart> charts;
};

struct ReportContext;
// A document with the report's title (title.<report>), the scope and the
// period of the context, and no tables yet.
ReportDocument startDocument(const std::string& report, const ReportContext& context);

// Renders a value as text for CSV, PDF and notes (in the document's locale).
std::string cellText(Locale locale, const Value& value, CellType type);

}  // namespace openmps::server::reports
